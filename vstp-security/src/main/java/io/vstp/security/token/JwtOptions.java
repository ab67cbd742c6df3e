package io.vstp.security.token;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link JwtAuthenticator} checks bearer tokens. Immutable; make one with {@link #builder()}, whose defaults are
 * those documented on each component.
 *
 * <p>Exactly one key source is set: {@code jwksUri}, {@code jwksFile} or {@code publicKeyPem}.
 *
 * @param jwksUri           JWKS endpoint of the identity provider (https in production). Fetched off the event loop,
 *                          cached for {@code jwksCacheTtl}, refreshed ahead of expiry and when a token names an
 *                          unknown {@code kid}. No default.
 * @param jwksFile          a local JWKS JSON file (public keys), read once when the authenticator is built. No default.
 * @param publicKeyPem      a local PEM file holding one {@code PUBLIC KEY} (RSA, EC P-256/384/521 or Ed25519), read
 *                          once. Its key is used whatever {@code kid} a token names, unless {@code publicKeyId} is
 *                          set. No default.
 * @param publicKeyId       the {@code kid} of the PEM key; null (default) accepts any {@code kid}.
 * @param algorithms        the JWS algorithms accepted, from configuration only (a token's header never widens it).
 *                          Asymmetric only: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA (Ed25519). HMAC and
 *                          {@code none} are refused, since a shared secret is no public key and HMAC with a public
 *                          key as the secret is the classic algorithm-confusion attack. Default: all of those.
 * @param issuer            the exact {@code iss} a token must carry. Required: a token from another issuer signed
 *                          with a key from a shared JWKS must not pass.
 * @param audience          a value the token's {@code aud} must contain. Required: a token minted for another service
 *                          of the same issuer must not pass.
 * @param requiredClaims    claims a token must carry besides {@code iss}, {@code aud}, {@code sub}, {@code exp}.
 *                          Default: none.
 * @param clockSkew         tolerance for {@code exp} and {@code nbf} between our clock and the issuer's. Default 60 s.
 * @param maxTokenBytes     a longer token is refused before it is parsed (bounds the work a peer can cause). Default
 *                          8 KiB.
 * @param roles             where roles come from. Default: the {@code roles} claim as it is.
 * @param jwksCacheTtl      how long fetched JWKS keys are used before they are fetched again. Default 5 min.
 * @param jwksRefreshAhead  how long before {@code jwksCacheTtl} ends a background refresh starts, so tokens never wait
 *                          for a fetch in steady state. Default 30 s.
 * @param jwksRateLimit     the minimum interval between JWKS fetches triggered by unknown {@code kid}s (nimbus allows
 *                          at most two fetches per interval), so tokens with made-up {@code kid}s cannot make us hammer
 *                          the identity provider. Default 30 s.
 * @param httpConnectTimeout connect timeout of a JWKS fetch. Default 2 s.
 * @param httpReadTimeout   read timeout of a JWKS fetch. Default 2 s.
 * @param jwksMaxBytes      the largest JWKS document accepted. Default 64 KiB.
 * @param clock             the clock for {@code exp}/{@code nbf}. Default: the system clock (tests set another).
 */
public record JwtOptions(
        URI jwksUri,
        Path jwksFile,
        Path publicKeyPem,
        String publicKeyId,
        Set<String> algorithms,
        String issuer,
        String audience,
        Set<String> requiredClaims,
        Duration clockSkew,
        int maxTokenBytes,
        ClaimRoles roles,
        Duration jwksCacheTtl,
        Duration jwksRefreshAhead,
        Duration jwksRateLimit,
        Duration httpConnectTimeout,
        Duration httpReadTimeout,
        int jwksMaxBytes,
        Clock clock) {

    /** The asymmetric JWS algorithms this authenticator can verify. */
    public static final Set<String> SUPPORTED_ALGORITHMS = Set.copyOf(new LinkedHashSet<>(
            List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")));

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;
    public static final String DEFAULT_ROLES_CLAIM = "roles";
    public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JWKS_REFRESH_AHEAD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_JWKS_RATE_LIMIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_JWKS_MAX_BYTES = 64 * 1024;

    public JwtOptions {
        int sources = (jwksUri != null ? 1 : 0) + (jwksFile != null ? 1 : 0) + (publicKeyPem != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("exactly one of jwksUri, jwksFile, publicKeyPem must be set");
        }
        if (jwksUri != null
                && !("https".equalsIgnoreCase(jwksUri.getScheme()) || "http".equalsIgnoreCase(jwksUri.getScheme()))) {
            throw new IllegalArgumentException("jwksUri must be an http(s) URI");
        }
        algorithms = checkAlgorithms(algorithms);
        requireText(issuer, "issuer");
        requireText(audience, "audience");
        requiredClaims = Set.copyOf(Objects.requireNonNull(requiredClaims, "requiredClaims"));
        requireNonNegative(clockSkew, "clockSkew");
        if (maxTokenBytes < 64) {
            throw new IllegalArgumentException("maxTokenBytes must be at least 64");
        }
        Objects.requireNonNull(roles, "roles");
        requirePositive(jwksCacheTtl, "jwksCacheTtl");
        requireNonNegative(jwksRefreshAhead, "jwksRefreshAhead");
        requirePositive(jwksRateLimit, "jwksRateLimit");
        requirePositive(httpConnectTimeout, "httpConnectTimeout");
        requirePositive(httpReadTimeout, "httpReadTimeout");
        if (jwksRefreshAhead.plus(httpConnectTimeout).plus(httpReadTimeout).compareTo(jwksCacheTtl) >= 0) {
            throw new IllegalArgumentException(
                    "jwksCacheTtl must exceed jwksRefreshAhead + httpConnectTimeout + httpReadTimeout");
        }
        if (jwksMaxBytes < 256) {
            throw new IllegalArgumentException("jwksMaxBytes must be at least 256");
        }
        Objects.requireNonNull(clock, "clock");
    }

    /** The algorithms as nimbus values. */
    public Set<JWSAlgorithm> jwsAlgorithms() {
        Set<JWSAlgorithm> set = new LinkedHashSet<>();
        algorithms.forEach(a -> set.add(JWSAlgorithm.parse(a)));
        return Set.copyOf(set);
    }

    private static Set<String> checkAlgorithms(Set<String> algorithms) {
        Objects.requireNonNull(algorithms, "algorithms");
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms must not be empty");
        }
        Set<String> checked = new LinkedHashSet<>();
        for (String a : algorithms) {
            Objects.requireNonNull(a, "algorithm");
            String upper = a.strip().toUpperCase(Locale.ROOT);
            if (upper.startsWith("HS") || upper.equals("NONE")) {
                throw new IllegalArgumentException("algorithm " + a
                        + " refused: only asymmetric algorithms are allowed (HMAC and none invite forged tokens)");
            }
            String known = SUPPORTED_ALGORITHMS.stream()
                    .filter(s -> s.equalsIgnoreCase(a.strip()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "unsupported algorithm " + a + "; supported: " + SUPPORTED_ALGORITHMS));
            checked.add(known);
        }
        return Set.copyOf(checked);
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link JwtOptions}; see the record's components for each setting's meaning and default. */
    public static final class Builder {
        private URI jwksUri;
        private Path jwksFile;
        private Path publicKeyPem;
        private String publicKeyId;
        private Set<String> algorithms = SUPPORTED_ALGORITHMS;
        private String issuer;
        private String audience;
        private Set<String> requiredClaims = Set.of();
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
        private ClaimRoles roles = ClaimRoles.of(DEFAULT_ROLES_CLAIM);
        private Duration jwksCacheTtl = DEFAULT_JWKS_CACHE_TTL;
        private Duration jwksRefreshAhead = DEFAULT_JWKS_REFRESH_AHEAD;
        private Duration jwksRateLimit = DEFAULT_JWKS_RATE_LIMIT;
        private Duration httpConnectTimeout = DEFAULT_HTTP_TIMEOUT;
        private Duration httpReadTimeout = DEFAULT_HTTP_TIMEOUT;
        private int jwksMaxBytes = DEFAULT_JWKS_MAX_BYTES;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder jwksUri(URI jwksUri) {
            this.jwksUri = jwksUri;
            return this;
        }

        public Builder jwksFile(Path jwksFile) {
            this.jwksFile = jwksFile;
            return this;
        }

        public Builder publicKeyPem(Path publicKeyPem) {
            this.publicKeyPem = publicKeyPem;
            return this;
        }

        public Builder publicKeyId(String publicKeyId) {
            this.publicKeyId = publicKeyId;
            return this;
        }

        public Builder algorithms(String... algorithms) {
            this.algorithms = new LinkedHashSet<>(Arrays.asList(algorithms));
            return this;
        }

        public Builder algorithms(Set<String> algorithms) {
            this.algorithms = algorithms;
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

        public Builder requiredClaims(String... claims) {
            this.requiredClaims = Set.of(claims);
            return this;
        }

        public Builder requiredClaims(Set<String> claims) {
            this.requiredClaims = claims;
            return this;
        }

        public Builder clockSkew(Duration clockSkew) {
            this.clockSkew = clockSkew;
            return this;
        }

        public Builder maxTokenBytes(int maxTokenBytes) {
            this.maxTokenBytes = maxTokenBytes;
            return this;
        }

        public Builder roles(ClaimRoles roles) {
            this.roles = roles;
            return this;
        }

        public Builder jwksCacheTtl(Duration ttl) {
            this.jwksCacheTtl = ttl;
            return this;
        }

        public Builder jwksRefreshAhead(Duration refreshAhead) {
            this.jwksRefreshAhead = refreshAhead;
            return this;
        }

        public Builder jwksRateLimit(Duration minInterval) {
            this.jwksRateLimit = minInterval;
            return this;
        }

        public Builder httpConnectTimeout(Duration timeout) {
            this.httpConnectTimeout = timeout;
            return this;
        }

        public Builder httpReadTimeout(Duration timeout) {
            this.httpReadTimeout = timeout;
            return this;
        }

        public Builder jwksMaxBytes(int maxBytes) {
            this.jwksMaxBytes = maxBytes;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public JwtOptions build() {
            return new JwtOptions(
                    jwksUri,
                    jwksFile,
                    publicKeyPem,
                    publicKeyId,
                    algorithms,
                    issuer,
                    audience,
                    requiredClaims,
                    clockSkew,
                    maxTokenBytes,
                    roles,
                    jwksCacheTtl,
                    jwksRefreshAhead,
                    jwksRateLimit,
                    httpConnectTimeout,
                    httpReadTimeout,
                    jwksMaxBytes,
                    clock);
        }
    }
}
