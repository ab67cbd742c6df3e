package io.vstp.fips;

import io.vstp.cli.VstpCommand;

/**
 * The {@code vstp} command in FIPS mode: {@link FipsBootstrap#install()}, then the regular command, whose
 * {@code --fips} option is accepted here (and refused by the regular build). The main class of vstp-fips.jar.
 */
public final class VstpFips {
    private VstpFips() {}

    public static void main(String[] args) {
        try {
            FipsBootstrap.install();
        } catch (RuntimeException e) {
            System.err.println("vstp: cannot start FIPS mode: " + e.getMessage());
            System.exit(1);
        }
        VstpCommand.main(args);
    }
}
