package io.vstp.cli;

import io.vstp.crypto.Secrets;
import io.vstp.crypto.keys.KeyRing;
import io.vstp.crypto.keys.KeyRingException;
import io.vstp.transport.internal.HomeDirectory;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Where the key ring is and how its passphrase is obtained: {@code --passphrase-file}, then the
 * {@code VSTP_KEYRING_PASSPHRASE} variable, then a prompt on the terminal (twice when creating the ring). The
 * passphrase is never taken as a command-line value, which other users of the machine could read.
 */
final class KeyRingOptions {
    static final String PASSPHRASE_VARIABLE = "VSTP_KEYRING_PASSPHRASE";
    private static final int MAX_PASSPHRASE_FILE = 4096;

    @Option(
            names = "--keyring",
            paramLabel = "FILE",
            description = "Key ring (PKCS#12; default: keys.p12 in the VSTP home).")
    Path keyring;

    @Option(
            names = "--passphrase-file",
            paramLabel = "FILE",
            description = "Read the key ring passphrase from this file (first line). Otherwise $" + PASSPHRASE_VARIABLE
                    + ", otherwise a prompt.")
    Path passphraseFile;

    Path file() {
        return keyring != null ? keyring : HomeDirectory.resolve().resolve("keys.p12");
    }

    /** Opens the key ring; creates it only if {@code mayCreate}, otherwise a missing ring is a clear error. */
    KeyRing open(boolean mayCreate) throws IOException {
        io.vstp.transport.fips.FipsMode.refuse(
                "the key ring (end-to-end and signing keys)",
                "its keys serve end-to-end " + "encryption and signatures, which are not available in FIPS mode");
        Path file = file();
        boolean exists = Files.exists(file);
        if (!exists && !mayCreate) {
            throw new CliException(
                    ExitCodes.USAGE, "no key ring at " + file + " (create one with: vstp keys generate NAME)");
        }
        char[] passphrase = passphrase(!exists);
        try {
            return KeyRing.open(file, passphrase);
        } catch (KeyRingException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        } finally {
            Secrets.wipe(passphrase);
        }
    }

    private char[] passphrase(boolean creating) throws IOException {
        if (passphraseFile != null) {
            if (!Files.isReadable(passphraseFile) || Files.size(passphraseFile) > MAX_PASSPHRASE_FILE) {
                throw new CliException(ExitCodes.IO, "cannot read a passphrase from " + passphraseFile);
            }
            byte[] bytes = Files.readAllBytes(passphraseFile);
            try {
                String text = new String(bytes, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                return (end < 0 ? text : text.substring(0, end))
                        .replace("\r", "")
                        .toCharArray();
            } finally {
                Secrets.wipe(bytes);
            }
        }
        String fromEnvironment = System.getenv(PASSPHRASE_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "the key ring needs a passphrase: use --passphrase-file or $" + PASSPHRASE_VARIABLE
                            + " (no terminal to ask on)");
        }
        char[] first = console.readPassword("Passphrase for key ring %s%s: ", file(), creating ? " (new)" : "");
        if (first == null || first.length == 0) {
            throw new CliException(ExitCodes.USAGE, "no passphrase given");
        }
        if (creating) {
            char[] again = console.readPassword("Repeat the passphrase: ");
            boolean same = Arrays.equals(first, again);
            Secrets.wipe(again);
            if (!same) {
                Secrets.wipe(first);
                throw new CliException(ExitCodes.USAGE, "the passphrases differ; nothing created");
            }
        }
        return first;
    }
}
