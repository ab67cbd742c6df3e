package io.vstp.security.token;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link IntrospectionAuthenticator} asks an OAuth 2.0 authorisation server about opaque tokens (RFC 7662).
 * Immutable; make one with {@link #builder()}, whose defaults are those documented on each component.
 *
 * @param endpoint        the introspection endpoint (https in production). Required.
 * @param clientId        the client id for HTTP Basic authentication at the endpoint (RFC 7662 §2.1 requires the
 *                        caller to authenticate). Required.
 * @param clientSecret    its secret. Required; never logged ({@link #toString()} hides it).
 * @param timeout         the longest a whole introspection call may take (connect, request, response), so a stuck
 *                        server delays a handshake by no more than this. Default 5 s.
 * @param maxResponseBytes a larger response is refused (a broken or hostile endpoint must not fill memory). Default
 *                        64 KiB.
 * @param cacheTtl        how long an active answer is reused (capped by the token's {@code exp}): a revoked token
 *                        stays usable this long, and the endpoint sees one call per token per period. Default 60 s.
 * @param negativeCacheTtl how long an inactive answer is reused, so a peer retrying a bad token cannot make us
 *                        flood the endpoint. Short, since a token may become active. Default 5 s.
 * @param cacheMaxEntries the most answers kept. Default 10 000.
 * @param issuer          when set, the {@code iss} the answer must carry (exact match). Default: not checked.
 * @param audience        when set, a value the answer's {@code aud} (string or array) must contain. Default: not
 *                        checked.
 * @param roles           where roles come from in the answer. Default: the space-separated {@code scope} as it is.
 * @param maxTokenBytes   a longer token is refused without a call. Default 8 KiB.
 * @param clock           the clock compared with {@code exp}. Default: the system clock.
 */
public record IntrospectionOptions(
        URI endpoint,
        String clientId,
        String clientSecret,
        Duration timeout,
        int maxResponseBytes,
        Duration cacheTtl,
        Duration negativeCacheTtl,
        int cacheMaxEntries,
        String issuer,
        String audience,
        ClaimRoles roles,
        int maxTokenBytes,
        Clock clock) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(5);
    public static final int DEFAULT_CACHE_MAX_ENTRIES = 10_000;
    public static final String DEFAULT_ROLES_CLAIM = "scope";

    public IntrospectionOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        if (!("https".equalsIgnoreCase(endpoint.getScheme()) || "http".equalsIgnoreCase(endpoint.getScheme()))) {
            throw new IllegalArgumentException("endpoint must be an http(s) URI");
        }
        if (clientId == null || clientId.isEmpty() || clientId.contains(":")) {
            throw new IllegalArgumentException("clientId is required and must not contain ':'");
        }
        if (clientSecret == null || clientSecret.isEmpty()) {
            throw new IllegalArgumentException("clientSecret is required");
        }
        positive(timeout, "timeout");
        if (maxResponseBytes < 256) {
            throw new IllegalArgumentException("maxResponseBytes must be at least 256");
        }
        positive(cacheTtl, "cacheTtl");
        Objects.requireNonNull(negativeCacheTtl, "negativeCacheTtl");
        if (negativeCacheTtl.isNegative()) {
            throw new IllegalArgumentException("negativeCacheTtl must not be negative");
        }
        if (cacheMaxEntries < 0) {
            throw new IllegalArgumentException("cacheMaxEntries must not be negative");
        }
        if (issuer != null && issuer.isBlank()) {
            issuer = null;
        }
        if (audience != null && audience.isBlank()) {
            audience = null;
        }
        Objects.requireNonNull(roles, "roles");
        if (maxTokenBytes < 16) {
            throw new IllegalArgumentException("maxTokenBytes must be at least 16");
        }
        Objects.requireNonNull(clock, "clock");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Never shows the client secret. */
    @Override
    public String toString() {
        return "IntrospectionOptions[endpoint=" + endpoint + ", clientId=" + clientId + ", clientSecret=<hidden>"
                + ", timeout=" + timeout + ", maxResponseBytes=" + maxResponseBytes + ", cacheTtl=" + cacheTtl
                + ", negativeCacheTtl=" + negativeCacheTtl + ", cacheMaxEntries=" + cacheMaxEntries
                + ", issuer=" + issuer + ", audience=" + audience + ", roles=" + roles
                + ", maxTokenBytes=" + maxTokenBytes + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link IntrospectionOptions}; see the record's components for each setting's meaning and default. */
    public static final class Builder {
        private URI endpoint;
        private String clientId;
        private String clientSecret;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private Duration cacheTtl = DEFAULT_CACHE_TTL;
        private Duration negativeCacheTtl = DEFAULT_NEGATIVE_CACHE_TTL;
        private int cacheMaxEntries = DEFAULT_CACHE_MAX_ENTRIES;
        private String issuer;
        private String audience;
        private ClaimRoles roles = ClaimRoles.of(DEFAULT_ROLES_CLAIM);
        private int maxTokenBytes = JwtOptions.DEFAULT_MAX_TOKEN_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder clientSecret(String clientSecret) {
            this.clientSecret = clientSecret;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder maxResponseBytes(int maxResponseBytes) {
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        public Builder cacheTtl(Duration cacheTtl) {
            this.cacheTtl = cacheTtl;
            return this;
        }

        public Builder negativeCacheTtl(Duration negativeCacheTtl) {
            this.negativeCacheTtl = negativeCacheTtl;
            return this;
        }

        public Builder cacheMaxEntries(int cacheMaxEntries) {
            this.cacheMaxEntries = cacheMaxEntries;
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        public Builder roles(ClaimRoles roles) {
            this.roles = roles;
            return this;
        }

        public Builder maxTokenBytes(int maxTokenBytes) {
            this.maxTokenBytes = maxTokenBytes;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public IntrospectionOptions build() {
            return new IntrospectionOptions(
                    endpoint,
                    clientId,
                    clientSecret,
                    timeout,
                    maxResponseBytes,
                    cacheTtl,
                    negativeCacheTtl,
                    cacheMaxEntries,
                    issuer,
                    audience,
                    roles,
                    maxTokenBytes,
                    clock);
        }
    }
}
