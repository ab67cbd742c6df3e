package io.vstp.transport.internal;

import java.nio.file.Path;

/**
 * Where VSTP keeps its files (the generated server certificate, {@code known_hosts}) when no directory is
 * configured: the system property {@value #PROPERTY}, else the environment variable {@value #ENVIRONMENT}, else
 * {@code ~/.vstp}.
 */
public final class HomeDirectory {
    public static final String PROPERTY = "vstp.home";
    static final String ENVIRONMENT = "VSTP_HOME";

    private HomeDirectory() {}

    public static Path resolve() {
        String fromProperty = System.getProperty(PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return Path.of(fromProperty).toAbsolutePath();
        }
        String fromEnvironment = System.getenv(ENVIRONMENT);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".vstp").toAbsolutePath();
    }
}
