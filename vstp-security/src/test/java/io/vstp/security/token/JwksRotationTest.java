package io.vstp.security.token;

import static io.vstp.security.token.TestTokens.accepted;
import static io.vstp.security.token.TestTokens.claims;
import static io.vstp.security.token.TestTokens.refusal;
import static io.vstp.security.token.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.vstp.transport.auth.AuthenticationException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keys from a JWKS endpoint (the JDK's HttpServer on 127.0.0.1) that rotates them while tokens arrive. */
class JwksRotationTest {
    private JwksEndpoint idp;

    @BeforeEach
    void start() throws IOException {
        idp = new JwksEndpoint();
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private JwtOptions.Builder settings() {
        return JwtOptions.builder()
                .jwksUri(idp.uri())
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .jwksRateLimit(Duration.ofSeconds(5))
                .httpConnectTimeout(Duration.ofSeconds(1))
                .httpReadTimeout(Duration.ofSeconds(1));
    }

    private void serve(JWK... keys) {
        idp.publish(keys);
    }

    @Test
    void rotatedKeyIsFetchedOnUnknownKidAndRefreshesAreRateLimited() throws Exception {
        RSAKey k1 = TestTokens.rsa("k1");
        ECKey k2 = TestTokens.ec("k2");
        serve(k1);
        AtomicInteger tasks = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (JwtAuthenticator auth = new JwtAuthenticator(settings().build(), r -> {
            tasks.incrementAndGet();
            pool.execute(r);
        })) {
            assertThat(idp.fetches()).as("no fetch before the first token").isZero();
            accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build()));
            accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build()));
            assertThat(idp.fetches()).as("keys are cached").isEqualTo(1);
            assertThat(tasks.get()).as("verification ran on the given executor").isEqualTo(2);

            serve(k1, k2); // the provider publishes a new key
            accepted(auth, sign(k2, JWSAlgorithm.ES256, claims().build()));
            assertThat(idp.fetches()).as("an unknown kid triggers one refresh").isEqualTo(2);
            accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build()));
            assertThat(idp.fetches()).isEqualTo(2);

            // an attacker sends tokens with made-up kids: the refreshes they trigger are rate limited
            int before = idp.fetches();
            for (int i = 0; i < 40; i++) {
                String token = sign(k1, JWSAlgorithm.RS256, "forged-" + UUID.randomUUID(), claims().build());
                assertThat(refusal(auth, token)).isEqualTo("unknown signing key");
            }
            assertThat(idp.fetches() - before)
                    .as("fetches caused by 40 unknown kids")
                    .isBetween(0, 2);
            accepted(auth, sign(k2, JWSAlgorithm.ES256, claims().build()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusalIsTheAuthenticationExceptionItselfNotAWrapper() throws Exception {
        RSAKey k1 = TestTokens.rsa("k1");
        serve(k1);
        try (JwtAuthenticator auth = new JwtAuthenticator(settings().build())) {
            String expired = sign(
                    k1,
                    JWSAlgorithm.RS256,
                    claims().expirationTime(
                                    java.util.Date.from(java.time.Instant.now().minusSeconds(600)))
                            .build());
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            auth.authenticate(TestTokens.bearer(expired)).whenComplete((p, e) -> seen.complete(e));
            Throwable error = seen.get(5, TimeUnit.SECONDS);
            assertThat(error).isInstanceOf(AuthenticationException.class);
            assertThat(((AuthenticationException) error).detail()).isEqualTo("token expired");
        }
    }

    @Test
    void keyRemovedFromTheEndpointIsDroppedAfterTheCacheExpires() throws Exception {
        RSAKey k1 = TestTokens.rsa("k1");
        RSAKey k3 = TestTokens.rsa("k3");
        serve(k1);
        try (JwtAuthenticator auth = new JwtAuthenticator(settings()
                .jwksCacheTtl(Duration.ofMillis(2600))
                .jwksRefreshAhead(Duration.ofMillis(100))
                .jwksRateLimit(Duration.ofMillis(200))
                .build())) {
            accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build()));
            serve(k3); // k1 withdrawn
            accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build())); // still cached
            Thread.sleep(2800); // past the 2.6 s cache TTL: only time expires the cached keys
            assertThat(refusal(auth, sign(k1, JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("unknown signing key");
            accepted(auth, sign(k3, JWSAlgorithm.RS256, claims().build()));
        }
    }

    @Test
    void unreachableOrBrokenEndpointMeansKeysUnavailable() throws Exception {
        serve(TestTokens.rsa("k1"));
        idp.status(500);
        RSAKey k1 = TestTokens.rsa("k1");
        try (JwtAuthenticator auth = new JwtAuthenticator(settings().build())) {
            assertThat(refusal(auth, sign(k1, JWSAlgorithm.RS256, claims().build())))
                    .isEqualTo("signing keys unavailable");
        }
        idp.status(200);
        idp.body(new JWKSet(List.of(k1.toPublicJWK())).toString() + " ".repeat(2000));
        try (JwtAuthenticator auth =
                new JwtAuthenticator(settings().jwksMaxBytes(1024).build())) {
            assertThat(refusal(auth, sign(k1, JWSAlgorithm.RS256, claims().build())))
                    .as("JWKS larger than the limit")
                    .isEqualTo("signing keys unavailable");
        }
    }

    /** A token that arrives after the authenticator closed (a server shutting down) is refused, not left hanging. */
    @Test
    void aTokenAfterCloseIsRefusedAsUnavailable() throws Exception {
        RSAKey k1 = TestTokens.rsa("k1");
        serve(k1);
        JwtAuthenticator auth = new JwtAuthenticator(settings().build());
        accepted(auth, sign(k1, JWSAlgorithm.RS256, claims().build()));
        auth.close();
        assertThat(refusal(auth, sign(k1, JWSAlgorithm.RS256, claims().build())))
                .isEqualTo("token verification unavailable");
    }
}
