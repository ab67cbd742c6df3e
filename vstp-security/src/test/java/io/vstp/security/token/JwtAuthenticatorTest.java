package io.vstp.security.token;

import static io.vstp.security.token.TestTokens.accepted;
import static io.vstp.security.token.TestTokens.claims;
import static io.vstp.security.token.TestTokens.refusal;
import static io.vstp.security.token.TestTokens.result;
import static io.vstp.security.token.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens of every kind against keys from a local JWKS file (no HTTP: the checks run on the caller's thread). */
class JwtAuthenticatorTest {
    private static RSAKey rsa;
    private static ECKey ec;
    private static TestTokens.Ed ed;
    private static Path jwksFile;
    private static JwtAuthenticator auth;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        rsa = TestTokens.rsa("rsa-1");
        ec = TestTokens.ec("ec-1");
        ed = TestTokens.Ed.generate("ed-1");
        jwksFile = dir.resolve("jwks.json");
        Files.writeString(
                jwksFile, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), ed.publicJwk())).toString());
        auth = new JwtAuthenticator(settings().build());
    }

    @AfterAll
    static void tearDown() {
        auth.close();
    }

    private static JwtOptions.Builder settings() {
        return JwtOptions.builder().jwksFile(jwksFile).issuer(TestTokens.ISSUER).audience(TestTokens.AUDIENCE);
    }

    @Test
    void acceptsRs256Ps256Es256AndEdDsa() {
        for (String token : List.of(
                sign(rsa, JWSAlgorithm.RS256, claims().build()),
                sign(rsa, JWSAlgorithm.PS256, claims().build()),
                sign(rsa, JWSAlgorithm.RS512, claims().build()),
                sign(ec, JWSAlgorithm.ES256, claims().build()),
                TestTokens.signEd(ed, claims().build()))) {
            Principal p = accepted(auth, token);
            assertThat(p.subject()).isEqualTo("alice");
            assertThat(p.method()).isEqualTo("jwt");
        }
    }

    @Test
    void principalCarriesExpiryRolesAndPlainJsonClaims() {
        Instant exp = Instant.now().plusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = sign(
                ec,
                JWSAlgorithm.ES256,
                claims().expirationTime(Date.from(exp))
                        .claim("roles", List.of("reader", "writer"))
                        .claim("profile", Map.of("name", "Alice", "age", 42, "tags", List.of("a", "b")))
                        .claim("admin", false)
                        .build());
        Principal p = accepted(auth, token);
        // The session may last as long as the token is accepted: exp plus the clock skew.
        assertThat(p.expiresAt()).isEqualTo(exp.plus(auth.settings().clockSkew()));
        assertThat(p.roles()).containsExactly("reader", "writer");
        assertThat(p.claims().get("exp")).isEqualTo(exp.getEpochSecond());
        assertThat(p.claims().get("iat")).isInstanceOf(Long.class);
        assertThat(p.claims().get("aud")).isEqualTo(TestTokens.AUDIENCE); // one audience serialises as a string
        assertThat(p.claims().get("admin")).isEqualTo(false);
        assertThat(p.claims().get("profile")).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> profile = (Map<String, Object>) p.claims().get("profile");
        assertThat(profile.get("age")).isInstanceOf(Number.class);
        assertThat(((Number) profile.get("age")).intValue()).isEqualTo(42);
        assertThat(profile.get("tags")).isEqualTo(List.of("a", "b"));
        assertAllPlainJson(p.claims());
    }

    private static void assertAllPlainJson(Object value) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                assertThat(k).isInstanceOf(String.class);
                assertAllPlainJson(v);
            });
        } else if (value instanceof List<?> l) {
            l.forEach(JwtAuthenticatorTest::assertAllPlainJson);
        } else if (value != null) {
            assertThat(value).isInstanceOfAny(String.class, Number.class, Boolean.class);
            assertThat(value.getClass().getName()).startsWith("java.");
        }
    }

    @Test
    void rolesFromNestedClaimPathThroughMapping() throws Exception {
        try (JwtAuthenticator mapped = new JwtAuthenticator(settings()
                .roles(ClaimRoles.of(
                        "realm_access.roles",
                        Map.of("app-admin", List.of("admin", "ops"), "app-user", List.of("user"))))
                .build())) {
            String token = sign(
                    ec,
                    JWSAlgorithm.ES256,
                    claims().claim("realm_access", Map.of("roles", List.of("app-admin", "offline_access")))
                            .build());
            assertThat(accepted(mapped, token).roles()).containsExactly("admin", "ops");
        }
    }

    /** Found by JwtAuthenticatorFuzzTest: the 16 spellings of an ES256 signature's last character are one token. */
    @Test
    void onlyTheCanonicalSpellingOfAGoodTokenIsAccepted() {
        String token = sign(ec, JWSAlgorithm.ES256, claims().build());
        accepted(auth, token);
        // 64 bytes of signature = 86 characters: the last one carries 2 bits, so its 4 low bits are unused.
        int signature = token.lastIndexOf('.') + 1;
        String respelled = token.substring(0, signature) + respellLastCharacter(token.substring(signature));
        assertThat(refusal(auth, respelled)).isEqualTo("malformed token");
    }

    /**
     * Each part that can be spelled twice (its length not a multiple of 4, so its last character has unused bits) is
     * refused so spelled, before any key is looked up: a token naming a key nobody has is "malformed", not "unknown
     * signing key".
     */
    @Test
    void aRespelledPartIsMalformedBeforeAnyKeyIsLookedUp() {
        String[] parts = null;
        // A kid and claims whose encoded header and payload both end mid-group, so both have a second spelling.
        for (int pad = 0; parts == null || parts[0].length() % 4 == 0 || parts[1].length() % 4 == 0; pad++) {
            assertThat(pad).isLessThan(9);
            JWTClaimsSet padded = claims().claim("pad", "x".repeat(pad / 3)).build();
            parts = sign(ec, JWSAlgorithm.ES256, "nobody" + "-".repeat(pad % 3), padded)
                    .split("\\.");
        }
        String token = String.join(".", parts);
        assertThat(refusal(auth, token)).isEqualTo("unknown signing key");
        for (int i = 0; i < 3; i++) {
            String[] respelled = parts.clone();
            respelled[i] = respellLastCharacter(parts[i]);
            assertThat(refusal(auth, String.join(".", respelled)))
                    .as("part %d", i)
                    .isEqualTo("malformed token");
        }
    }

    /** The same bytes in base64url, the last character's lowest unused bit set. */
    private static String respellLastCharacter(String part) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = part.charAt(part.length() - 1);
        String respelled = part.substring(0, part.length() - 1) + alphabet.charAt(alphabet.indexOf(last) ^ 1);
        assertThat(Base64.getUrlDecoder().decode(respelled))
                .isEqualTo(Base64.getUrlDecoder().decode(part));
        return respelled;
    }

    @Test
    void expiredTokenIsRefused() {
        Instant past = Instant.now().minusSeconds(3600);
        String token = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().expirationTime(Date.from(past)).build());
        assertThat(refusal(auth, token)).isEqualTo("token expired");
    }

    @Test
    void expiredWithinClockSkewIsAccepted() throws Exception {
        String token = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().expirationTime(Date.from(Instant.now().minusSeconds(30)))
                        .build());
        accepted(auth, token); // default skew 60 s
        try (JwtAuthenticator strict =
                new JwtAuthenticator(settings().clockSkew(Duration.ofSeconds(5)).build())) {
            assertThat(refusal(strict, token)).isEqualTo("token expired");
        }
    }

    @Test
    void tokenWithoutExpiryIsRefused() {
        String token =
                sign(rsa, JWSAlgorithm.RS256, claims().expirationTime(null).build());
        assertThat(refusal(auth, token)).isEqualTo("token has no expiry");
    }

    @Test
    void notYetValidTokenIsRefused() {
        String token = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600)))
                        .build());
        assertThat(refusal(auth, token)).isEqualTo("token not yet valid");
        String withinSkew = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().notBeforeTime(Date.from(Instant.now().plusSeconds(20))).build());
        accepted(auth, withinSkew);
    }

    @Test
    void wrongIssuerIsRefused() {
        String token = sign(
                rsa, JWSAlgorithm.RS256, claims().issuer("https://evil.test").build());
        assertThat(refusal(auth, token)).isEqualTo("untrusted issuer");
        String none = sign(rsa, JWSAlgorithm.RS256, claims().issuer(null).build());
        assertThat(refusal(auth, none)).isEqualTo("untrusted issuer");
    }

    @Test
    void wrongAudienceIsRefused() {
        String token =
                sign(rsa, JWSAlgorithm.RS256, claims().audience("billing").build());
        assertThat(refusal(auth, token)).isEqualTo("wrong audience");
        String several = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().audience(List.of("billing", "vstp")).build());
        accepted(auth, several);
    }

    @Test
    void missingSubjectIsRefused() {
        String token = sign(rsa, JWSAlgorithm.RS256, claims().subject(null).build());
        assertThat(refusal(auth, token)).isEqualTo("token has no subject");
    }

    @Test
    void extraRequiredClaimsAreEnforced() throws Exception {
        try (JwtAuthenticator strict =
                new JwtAuthenticator(settings().requiredClaims("tenant").build())) {
            assertThat(refusal(strict, sign(rsa, JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("token lacks a required claim");
            accepted(
                    strict,
                    sign(rsa, JWSAlgorithm.RS256, claims().claim("tenant", "t1").build()));
        }
    }

    @Test
    void unknownKidIsRefused() {
        String token = sign(rsa, JWSAlgorithm.RS256, "no-such-key", claims().build());
        assertThat(refusal(auth, token)).isEqualTo("unknown signing key");
        RSAKey stranger = TestTokens.rsa("rsa-1"); // same kid, other key
        assertThat(refusal(auth, sign(stranger, JWSAlgorithm.RS256, claims().build())))
                .isEqualTo("bad signature");
    }

    @Test
    void tamperedPayloadIsRefused() {
        String token = sign(rsa, JWSAlgorithm.RS256, claims().build());
        String tampered = TestTokens.tamper(token, claims().subject("root").build());
        assertThat(refusal(auth, tampered)).isEqualTo("bad signature");
        String edTampered = TestTokens.tamper(
                TestTokens.signEd(ed, claims().build()),
                claims().subject("root").build());
        assertThat(refusal(auth, edTampered)).isEqualTo("bad signature");
        String ecTampered = TestTokens.tamper(
                sign(ec, JWSAlgorithm.ES256, claims().build()),
                claims().subject("root").build());
        assertThat(refusal(auth, ecTampered)).isEqualTo("bad signature");
    }

    @Test
    void algNoneIsRefused() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String token = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims().build().toString().getBytes(StandardCharsets.UTF_8)) + ".";
        assertThat(refusal(auth, token)).isEqualTo("algorithm not allowed");
        String withKid = b64.encodeToString("{\"alg\":\"none\",\"kid\":\"rsa-1\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claims().build().toString().getBytes(StandardCharsets.UTF_8)) + ".";
        assertThat(refusal(auth, withKid)).isEqualTo("algorithm not allowed");
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws JOSEException {
        byte[] publicKeyBytes = rsa.toRSAPublicKey().getEncoded();
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS512)) {
            SignedJWT jwt =
                    new SignedJWT(new JWSHeader.Builder(alg).keyID("rsa-1").build(), claims().build());
            jwt.sign(new MACSigner(publicKeyBytes));
            assertThat(refusal(auth, jwt.serialize())).isEqualTo("algorithm not allowed");
        }
        // and with the JWK's JSON as the secret, the other common confusion
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
        jwt.sign(new MACSigner(rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertThat(refusal(auth, jwt.serialize())).isEqualTo("algorithm not allowed");
    }

    @Test
    void algorithmOutsideTheConfiguredListIsRefused() throws Exception {
        try (JwtAuthenticator esOnly =
                new JwtAuthenticator(settings().algorithms("ES256").build())) {
            assertThat(refusal(esOnly, sign(rsa, JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("algorithm not allowed");
            assertThat(refusal(esOnly, TestTokens.signEd(ed, claims().build()))).isEqualTo("algorithm not allowed");
            accepted(esOnly, sign(ec, JWSAlgorithm.ES256, claims().build()));
        }
    }

    @Test
    void keyOfAnotherTypeUnderTheSameKidIsNotUsed() {
        // an ES256 token naming the RSA key's kid: no EC key of that kid, so no key at all
        String token = sign(ec, JWSAlgorithm.ES256, "rsa-1", claims().build());
        assertThat(refusal(auth, token)).isEqualTo("unknown signing key");
    }

    @Test
    void oversizedTokenIsRefusedBeforeParsing() throws Exception {
        String big = sign(
                rsa,
                JWSAlgorithm.RS256,
                claims().claim("padding", "x".repeat(9000)).build());
        assertThat(refusal(auth, big)).isEqualTo("token larger than 8192 bytes");
        // a huge JWS-shaped string that is not even a JWT is refused for its size, not its content
        String junk = "a".repeat(10_000) + ".b.c";
        assertThat(refusal(auth, junk)).isEqualTo("token larger than 8192 bytes");
        try (JwtAuthenticator small =
                new JwtAuthenticator(settings().maxTokenBytes(200).build())) {
            assertThat(refusal(small, sign(rsa, JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("token larger than 200 bytes");
        }
    }

    @Test
    void garbageInJwsShapeIsMalformed() {
        assertThat(refusal(auth, "not.a.jwt")).isEqualTo("malformed token");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID("rsa-1")
                .build()
                .toBase64URL()
                .toString();
        assertThat(refusal(auth, header + "." + b64.encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8)) + ".c2ln"))
                .isEqualTo("malformed token");
        assertThat(refusal(
                        auth,
                        header + "." + b64.encodeToString("{\"sub\":".getBytes(StandardCharsets.UTF_8)) + ".c2ln"))
                .isEqualTo("malformed token");
    }

    @Test
    void opaqueTokensAndMissingTokensAreNotOurs() {
        assertThat(result(auth, "2YotnFZFEjr1zCsicMWpAA")).isEmpty();
        assertThat(result(auth, "a.b")).isEmpty();
        assertThat(result(auth, "a.b.c.d.e")).isEmpty();
        assertThat(result(auth, "abc def.ghi.jkl")).isEmpty();
        assertThat(result(auth, "a..c")).isEmpty();
        assertThat(auth.authenticate(TestTokens.bearer(null))
                        .toCompletableFuture()
                        .join())
                .isEmpty();
    }

    @Test
    void pemPublicKeyVerifiesWhateverKidTheTokenNames() throws Exception {
        Path pem = dir.resolve("rsa.pem");
        Files.writeString(
                pem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(rsa.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        JwtOptions pemSettings = JwtOptions.builder()
                .publicKeyPem(pem)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build();
        try (JwtAuthenticator pemAuth = new JwtAuthenticator(pemSettings)) {
            accepted(pemAuth, sign(rsa, JWSAlgorithm.RS256, "whatever", claims().build()));
            accepted(pemAuth, sign(rsa, JWSAlgorithm.PS384, null, claims().build()));
            assertThat(refusal(pemAuth, sign(TestTokens.rsa("x"), JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("bad signature");
            assertThat(refusal(pemAuth, sign(ec, JWSAlgorithm.ES256, claims().build())))
                    .isEqualTo("unknown signing key");
        }
        Path edPem = dir.resolve("ed.pem");
        Files.writeString(
                edPem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getEncoder()
                                .encodeToString(ed.pair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        try (JwtAuthenticator edAuth = new JwtAuthenticator(JwtOptions.builder()
                .publicKeyPem(edPem)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build())) {
            accepted(edAuth, TestTokens.signEd(ed, claims().build()));
        }
    }

    @Test
    void settingsRefuseSymmetricAlgorithmsAndNone() {
        for (String alg : List.of("HS256", "HS384", "HS512", "none", "hs256", "foo")) {
            assertThatThrownBy(() -> settings().algorithms("RS256", alg).build())
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> JwtOptions.builder().issuer("i").audience("a").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings()
                        .jwksUri(java.net.URI.create("https://idp.test/jwks"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        JwtOptions.builder().jwksFile(jwksFile).audience("a").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        JwtOptions.builder().jwksFile(jwksFile).issuer("i").build())
                .isInstanceOf(IllegalArgumentException.class);
        JwtOptions defaults = settings().build();
        assertThat(defaults.algorithms()).isEqualTo(JwtOptions.SUPPORTED_ALGORITHMS);
        assertThat(defaults.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.maxTokenBytes()).isEqualTo(8192);
        assertThat(settings().algorithms("es256", "EdDSA").build().algorithms()).isEqualTo(Set.of("ES256", "EdDSA"));
    }

    @Test
    void privateKeysInTheJwksFileAreUsedOnlyForTheirPublicPart() throws Exception {
        Path privateJwks = dir.resolve("private-jwks.json");
        Files.writeString(privateJwks, new JWKSet(rsa).toString(false));
        try (JwtAuthenticator a = new JwtAuthenticator(JwtOptions.builder()
                .jwksFile(privateJwks)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build())) {
            accepted(a, sign(rsa, JWSAlgorithm.RS256, claims().build()));
        }
    }

    @Test
    void claimRolesReadsArraysAndSeparatedStrings() {
        Map<String, Object> claims = Map.of(
                "scope",
                "read write,admin  ",
                "groups",
                List.of("g1", 7, "g2"),
                "https://example.com/roles",
                List.of("dotted"),
                "nested",
                Map.of("deep", Map.of("r", "x y")));
        assertThat(ClaimRoles.of("scope").roles(claims)).containsExactly("admin", "read", "write");
        assertThat(ClaimRoles.of("groups").roles(claims)).containsExactly("g1", "g2");
        assertThat(ClaimRoles.of("https://example.com/roles").roles(claims)).containsExactly("dotted");
        assertThat(ClaimRoles.of("nested.deep.r").roles(claims)).containsExactly("x", "y");
        assertThat(ClaimRoles.of("nested.missing.r").roles(claims)).isEmpty();
        assertThat(ClaimRoles.of("scope", Map.of("read", List.of("reader"))).roles(claims))
                .containsExactly("reader");
        assertThat(ClaimRoles.none().roles(claims)).isEmpty();
        assertThatThrownBy(() -> ClaimRoles.of("a..b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void headerCritParametersAreRefused() throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("rsa-1")
                        .criticalParams(Set.of("exp-policy"))
                        .customParam("exp-policy", "x")
                        .build(),
                claims().build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(rsa));
        assertThat(refusal(auth, jwt.serialize())).isEqualTo("bad signature");
        // an unsigned-looking base64 signature of the right length is still refused
        String t = sign(rsa, JWSAlgorithm.RS256, claims().build());
        String[] parts = t.split("\\.");
        assertThat(refusal(auth, parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[256])))
                .isEqualTo("bad signature");
    }

    /** Every JWT setting that cannot work is refused when the settings are built, naming the setting. */
    @Test
    void settingsRefuseValuesThatCannotWork() {
        java.net.URI jwksUri = java.net.URI.create("http://127.0.0.1:1/jwks");
        java.util.function.Function<JwtOptions.Builder, String> refusal =
                b -> org.assertj.core.api.Assertions.catchThrowableOfType(b::build, IllegalArgumentException.class)
                        .getMessage();
        assertThat(refusal.apply(JwtOptions.builder()
                        .jwksUri(java.net.URI.create("ftp://idp.test/jwks"))
                        .issuer("i")
                        .audience("a")))
                .isEqualTo("jwksUri must be an http(s) URI");
        assertThat(refusal.apply(settings().maxTokenBytes(63))).isEqualTo("maxTokenBytes must be at least 64");
        assertThat(refusal.apply(settings().algorithms(Set.of()))).isEqualTo("algorithms must not be empty");
        assertThat(refusal.apply(settings().clockSkew(Duration.ofSeconds(-1))))
                .isEqualTo("clockSkew must not be negative");
        assertThat(refusal.apply(settings().jwksRateLimit(Duration.ZERO))).isEqualTo("jwksRateLimit must be positive");
        assertThat(refusal.apply(settings().jwksMaxBytes(255))).isEqualTo("jwksMaxBytes must be at least 256");
        // The cache must outlive a refresh: refresh-ahead plus both HTTP timeouts.
        assertThat(refusal.apply(JwtOptions.builder()
                        .jwksUri(jwksUri)
                        .issuer("i")
                        .audience("a")
                        .jwksCacheTtl(Duration.ofSeconds(30))
                        .jwksRefreshAhead(Duration.ofSeconds(25))
                        .httpConnectTimeout(Duration.ofSeconds(3))
                        .httpReadTimeout(Duration.ofSeconds(2))))
                .isEqualTo("jwksCacheTtl must exceed jwksRefreshAhead + httpConnectTimeout + httpReadTimeout");
        assertThat(JwtOptions.builder()
                        .jwksUri(jwksUri)
                        .issuer("i")
                        .audience("a")
                        .jwksCacheTtl(Duration.ofSeconds(31))
                        .jwksRefreshAhead(Duration.ofSeconds(25))
                        .httpConnectTimeout(Duration.ofSeconds(3))
                        .httpReadTimeout(Duration.ofSeconds(2))
                        .build()
                        .jwksCacheTtl())
                .isEqualTo(Duration.ofSeconds(31));
    }

    /** The settings' clock decides expiry, so a server whose clock is given one sees tokens as of that time. */
    @Test
    void theSettingsClockDecidesExpiry() throws Exception {
        String token = sign(ec, JWSAlgorithm.ES256, claims().build()); // expires in 5 minutes
        java.time.Clock later = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(10));
        try (JwtAuthenticator future =
                new JwtAuthenticator(settings().clock(later).build())) {
            assertThat(refusal(future, token)).isEqualTo("token expired");
        }
        accepted(auth, token);
    }

    /** Key files that are not what they should be fail at start with a message naming the file. */
    @Test
    void unusableKeyFilesAreRefusedAtStartNamingTheFile() throws Exception {
        Path notJwks = Files.writeString(dir.resolve("not-jwks.json"), "{\"keys\": \"none\"}");
        assertThatThrownBy(() -> new JwtAuthenticator(JwtOptions.builder()
                        .jwksFile(notJwks)
                        .issuer(TestTokens.ISSUER)
                        .audience(TestTokens.AUDIENCE)
                        .build()))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("JWKS file " + notJwks + " is not a valid JWK set: ");

        Path privatePem = Files.writeString(
                dir.resolve("private.pem"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(rsa.toRSAPrivateKey().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new JwtAuthenticator(pem(privatePem)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage(privatePem + " holds no PEM 'PUBLIC KEY'");

        Path badBase64 = Files.writeString(
                dir.resolve("bad-base64.pem"), "-----BEGIN PUBLIC KEY-----\nMFkw=EwYH\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> new JwtAuthenticator(pem(badBase64)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage(badBase64 + ": bad base64 in PEM");

        // A key agreement key (X25519) is a valid public key, but no JWT signature key.
        java.security.PublicKey x25519 = java.security.KeyPairGenerator.getInstance("X25519")
                .generateKeyPair()
                .getPublic();
        Path agreement = Files.writeString(
                dir.resolve("x25519.pem"),
                "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(x25519.getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> new JwtAuthenticator(pem(agreement)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage(agreement + ": not an RSA, EC or Ed25519 public key");
    }

    private static JwtOptions pem(Path file) {
        return JwtOptions.builder()
                .publicKeyPem(file)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build();
    }

    @Test
    void anEcPemPublicKeyVerifiesTokensOfItsCurve() throws Exception {
        Path ecPem = Files.writeString(
                dir.resolve("ec.pem"),
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(ec.toECPublicKey().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        try (JwtAuthenticator ecAuth = new JwtAuthenticator(pem(ecPem))) {
            assertThat(accepted(ecAuth, sign(ec, JWSAlgorithm.ES256, "any-kid", claims().build()))
                            .subject())
                    .isEqualTo("alice");
            assertThat(refusal(ecAuth, sign(TestTokens.ec("other"), JWSAlgorithm.ES256, claims().build())))
                    .isEqualTo("bad signature");
        }
    }

    @Test
    void jwsShapedTokensThatAreNotBase64OrNotJsonAreMalformed() {
        // Five characters cannot be base64url: a part's length is never 1 more than a multiple of 4.
        assertThat(refusal(auth, "abcde.abcd.abcd")).isEqualTo("malformed token");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String brokenHeader = b64.encodeToString("{\"alg\":".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims().build().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(refusal(auth, brokenHeader + "." + payload + ".c2ln")).isEqualTo("malformed token");
    }
}
