package io.vstp.security.spi;

import java.util.Map;

/**
 * A plugin that makes {@link Authenticator}s, found with {@link java.util.ServiceLoader} on the classpath or in a
 * jar of the plugin directory ({@code META-INF/services/io.vstp.security.spi.AuthenticatorProvider}).
 */
public interface AuthenticatorProvider {
    /** A stable name: configuration refers to it, the registry lists it, and a newer jar with it replaces this one. */
    String name();

    /**
     * @param settings the {@code auth.plugin.<name>.*} keys of the server's configuration, prefix removed
     * @throws Exception when the settings are unusable: the plugin is then refused and the previous version stays
     */
    Authenticator create(Map<String, String> settings) throws Exception;
}
