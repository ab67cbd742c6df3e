package io.vstp.security.plugin;

import java.time.Instant;
import java.util.Objects;

/**
 * A plugin jar (or classpath provider) that was refused, and why. Strings only, never the exception: an exception
 * thrown by plugin code would keep the refused jar's class loader alive.
 *
 * @param source {@link PluginInfo#CLASSPATH} or the jar's file name
 * @param reason what was wrong, e.g. {@code not a readable jar: zip END header not found} or
 *               {@code provider 'acme' (com.acme.AcmeProvider) refused its settings: IllegalArgumentException: ...}
 * @param at     when it was refused
 */
public record PluginError(String source, String reason, Instant at) {
    public PluginError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }

    /** {@code <source>: <reason>}. */
    public String message() {
        return source + ": " + reason;
    }

    @Override
    public String toString() {
        return message();
    }
}
