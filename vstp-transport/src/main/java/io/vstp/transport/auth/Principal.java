package io.vstp.transport.auth;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is talking on a session: what a bearer token or a client certificate proved (docs/guide/security.md).
 * Immutable, and made of JDK types only, so a session that keeps it never keeps the class loader of the plugin
 * that produced it.
 *
 * @param subject   the identity: a token's {@code sub}, a certificate's subject, or {@code anonymous}
 * @param roles     what the authorisation rules grant permissions to
 * @param claims    the token's claims (JSON types: String, Number, Boolean, List, Map) or the certificate's names
 * @param method    how it was proved: {@code jwt}, {@code introspection}, {@code mtls}, a plugin's name, or
 *                  {@code none}
 * @param expiresAt when the credentials stop being valid (a token's {@code exp}); null when they do not expire
 *                  within the session (a certificate is checked by TLS at the handshake)
 */
public record Principal(
        String subject, Set<String> roles, Map<String, Object> claims, String method, Instant expiresAt) {
    /** A peer that presented no credentials. Authorisation decides what (if anything) it may do. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(), Map.of(), "none", null);

    public Principal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(method, "method");
        roles = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(roles, "roles")));
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(claims, "claims")));
    }

    /** True once {@code now} is at or past {@link #expiresAt()}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public boolean anonymous() {
        return "none".equals(method);
    }

    /** Subject, method and roles; never the claims (they may hold personal data). */
    @Override
    public String toString() {
        return "Principal[" + subject + " by " + method + ", roles=" + roles
                + (expiresAt != null ? ", expires " + expiresAt : "") + "]";
    }
}
