package io.vstp.security.plugin;

import java.time.Instant;
import java.util.Objects;

/**
 * One loaded plugin, as {@link PluginRegistry#plugins()} lists it. Strings and an instant only: listing plugins never
 * keeps a plugin's class loader alive.
 *
 * @param name          the provider's {@link io.vstp.security.spi.AuthenticatorProvider#name() name}
 * @param kind          authenticator or authorizer
 * @param source        {@link #CLASSPATH} or the jar's file name in the plugin directory
 * @param version       the jar manifest's {@code Implementation-Version}, else {@code sha256:} and the first 12 hex
 *                      digits of the jar's SHA-256; {@code unversioned} for a classpath provider with neither
 * @param providerClass the provider's class name
 * @param loadedAt      when this version was loaded
 */
public record PluginInfo(
        String name, PluginKind kind, String source, String version, String providerClass, Instant loadedAt) {
    /** The {@link #source()} of providers found on the application class path. */
    public static final String CLASSPATH = "classpath";

    public PluginInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(providerClass, "providerClass");
        Objects.requireNonNull(loadedAt, "loadedAt");
    }

    public boolean fromClasspath() {
        return CLASSPATH.equals(source);
    }

    @Override
    public String toString() {
        return kind + " '" + name + "' " + version + " from " + source;
    }
}
