package io.vstp.security.token;

import static io.vstp.security.token.TestTokens.accepted;
import static io.vstp.security.token.TestTokens.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vstp.transport.auth.Principal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local RFC 7662 endpoint (the JDK's HttpServer on 127.0.0.1) that checks the client's credentials. */
class IntrospectionAuthenticatorTest {
    private static final String CLIENT_ID = "vstp-server";
    private static final String CLIENT_SECRET = "s3cret:with/odd chars";

    private HttpServer server;
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger badRequests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<IntrospectionAuthenticator, Boolean> opened = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/introspect", this::introspect);
        server.createContext("/slow", exchange -> {
            hits.incrementAndGet();
            try {
                release.await(20, TimeUnit.SECONDS); // never answers while the test runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.createContext("/huge", exchange -> {
            hits.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            respond(exchange, 200, "{\"active\":true,\"sub\":\"alice\",\"pad\":\"" + "x".repeat(100_000) + "\"}");
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    @AfterEach
    void stop() {
        opened.keySet().forEach(IntrospectionAuthenticator::close);
        release.countDown();
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void introspect(HttpExchange exchange) throws IOException {
        hits.incrementAndGet();
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                ("vstp-server:" + "s3cret%3Awith%2Fodd+chars").getBytes(StandardCharsets.UTF_8));
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(
                    URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())
                || !"application/x-www-form-urlencoded"
                        .equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                || !"access_token".equals(form.get("token_type_hint"))
                || form.get("token") == null) {
            badRequests.incrementAndGet();
            respond(exchange, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        respond(exchange, 200, answers.getOrDefault(form.get("token"), "{\"active\":false}"));
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private IntrospectionOptions.Builder settings(String path) {
        return IntrospectionOptions.builder()
                .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
                .clientId(CLIENT_ID)
                .clientSecret(CLIENT_SECRET);
    }

    private IntrospectionAuthenticator open(IntrospectionOptions settings) {
        IntrospectionAuthenticator auth = new IntrospectionAuthenticator(settings);
        opened.put(auth, true);
        return auth;
    }

    private static long in(Duration d) {
        return Instant.now().plus(d).getEpochSecond();
    }

    @Test
    void activeTokenBecomesPrincipalWithScopeRoles() {
        long exp = in(Duration.ofMinutes(10));
        answers.put(
                "opaque-1",
                "{\"active\":true,\"sub\":\"alice\",\"scope\":\"read write\",\"exp\":" + exp
                        + ",\"client_id\":\"app\",\"ext\":{\"tenant\":\"t1\"}}");
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        Principal p = accepted(auth, "opaque-1");
        assertThat(p.subject()).isEqualTo("alice");
        assertThat(p.method()).isEqualTo("introspection");
        assertThat(p.roles()).containsExactly("read", "write");
        assertThat(p.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp));
        assertThat(p.claims())
                .containsEntry("client_id", "app")
                .containsEntry("exp", exp)
                .containsEntry("ext", Map.of("tenant", "t1"));
        assertThat(badRequests.get()).isZero();
    }

    @Test
    void usernameStandsInForSubAndMappedRoles() {
        answers.put("opaque-u", "{\"active\":true,\"username\":\"bob\",\"scope\":\"vstp:admin other\"}");
        answers.put("opaque-nobody", "{\"active\":true,\"scope\":\"vstp:admin\"}");
        IntrospectionAuthenticator auth = open(settings("/introspect")
                .roles(ClaimRoles.of("scope", Map.of("vstp:admin", List.of("admin"))))
                .build());
        Principal p = accepted(auth, "opaque-u");
        assertThat(p.subject()).isEqualTo("bob");
        assertThat(p.roles()).containsExactly("admin");
        assertThat(p.expiresAt()).isNull();
        assertThat(refusal(auth, "opaque-nobody")).isEqualTo("token has no subject");
    }

    @Test
    void inactiveTokenIsRefused() {
        answers.put("revoked", "{\"active\":false}");
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        assertThat(refusal(auth, "revoked")).isEqualTo("token not active");
        assertThat(refusal(auth, "never-issued")).isEqualTo("token not active");
        answers.put("odd", "{\"active\":\"true\",\"sub\":\"x\"}"); // not the JSON boolean true
        assertThat(refusal(auth, "odd")).isEqualTo("token not active");
        answers.put("stale", "{\"active\":true,\"sub\":\"x\",\"exp\":" + in(Duration.ofMinutes(-1)) + "}");
        assertThat(refusal(auth, "stale")).isEqualTo("token expired");
    }

    @Test
    void refusalIsTheAuthenticationExceptionItselfNotAWrapper() throws Exception {
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        auth.authenticate(TestTokens.bearer("revoked")).whenComplete((p, e) -> seen.complete(e));
        assertThat(seen.get(5, TimeUnit.SECONDS)).isInstanceOf(io.vstp.transport.auth.AuthenticationException.class);
    }

    @Test
    void wrongClientCredentialsFailWithoutSayingWhy() {
        answers.put("opaque-1", "{\"active\":true,\"sub\":\"alice\"}");
        IntrospectionAuthenticator auth =
                open(settings("/introspect").clientSecret("wrong").build());
        assertThat(refusal(auth, "opaque-1")).isEqualTo("token introspection failed");
        assertThat(hits.get()).isEqualTo(1);
        assertThat(refusal(auth, "opaque-1")).isEqualTo("token introspection failed");
        assertThat(hits.get()).as("failures are not cached").isEqualTo(2);
    }

    @Test
    void requiredIssuerAndAudience() {
        answers.put("a", "{\"active\":true,\"sub\":\"a\",\"iss\":\"https://as.test\",\"aud\":[\"x\",\"vstp\"]}");
        answers.put("b", "{\"active\":true,\"sub\":\"b\",\"iss\":\"https://other.test\",\"aud\":\"vstp\"}");
        answers.put("c", "{\"active\":true,\"sub\":\"c\",\"iss\":\"https://as.test\",\"aud\":\"billing\"}");
        answers.put("d", "{\"active\":true,\"sub\":\"d\",\"iss\":\"https://as.test\"}");
        IntrospectionAuthenticator auth = open(settings("/introspect")
                .issuer("https://as.test")
                .audience("vstp")
                .build());
        assertThat(accepted(auth, "a").subject()).isEqualTo("a");
        assertThat(refusal(auth, "b")).isEqualTo("untrusted issuer");
        assertThat(refusal(auth, "c")).isEqualTo("wrong audience");
        assertThat(refusal(auth, "d")).isEqualTo("wrong audience");
        IntrospectionAuthenticator lax = open(settings("/introspect").build());
        assertThat(accepted(lax, "d").subject()).isEqualTo("d");
    }

    @Test
    void answersAreCachedUnderTheTokensHash() {
        answers.put("opaque-1", "{\"active\":true,\"sub\":\"alice\",\"exp\":" + in(Duration.ofMinutes(10)) + "}");
        answers.put("opaque-2", "{\"active\":true,\"sub\":\"bob\",\"exp\":" + in(Duration.ofMinutes(10)) + "}");
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        for (int i = 0; i < 5; i++) {
            assertThat(accepted(auth, "opaque-1").subject()).isEqualTo("alice");
        }
        assertThat(hits.get()).isEqualTo(1);
        assertThat(accepted(auth, "opaque-2").subject()).isEqualTo("bob");
        assertThat(hits.get()).isEqualTo(2);
        assertThat(auth.cachedAnswers()).isEqualTo(2);
        assertThat(IntrospectionAuthenticator.sha256("opaque-1"))
                .doesNotContain("opaque")
                .hasSize(43);
    }

    @Test
    void concurrentChecksOfOneTokenShareOneCall() throws Exception {
        answers.put("opaque-1", "{\"active\":true,\"sub\":\"alice\"}");
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        List<CompletableFuture<Optional<Principal>>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(auth.authenticate(TestTokens.bearer("opaque-1")).toCompletableFuture());
        }
        for (CompletableFuture<Optional<Principal>> f : all) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isPresent();
        }
        assertThat(hits.get()).isEqualTo(1);
    }

    @Test
    void negativeAnswersExpireSoon() throws Exception {
        IntrospectionAuthenticator auth = open(
                settings("/introspect").negativeCacheTtl(Duration.ofMillis(300)).build());
        assertThat(refusal(auth, "pending")).isEqualTo("token not active");
        assertThat(refusal(auth, "pending")).isEqualTo("token not active");
        assertThat(hits.get()).as("negative answer cached").isEqualTo(1);
        answers.put("pending", "{\"active\":true,\"sub\":\"carol\"}");
        assertThat(refusal(auth, "pending")).as("still the cached answer").isEqualTo("token not active");
        Thread.sleep(500); // past the negative-cache TTL
        assertThat(accepted(auth, "pending").subject()).isEqualTo("carol");
        assertThat(hits.get()).isEqualTo(2);
    }

    @Test
    void positiveAnswersLiveNoLongerThanTheTtlOrTheTokensExpiry() throws Exception {
        long exp = in(Duration.ofSeconds(2));
        answers.put("short", "{\"active\":true,\"sub\":\"dave\",\"exp\":" + exp + "}");
        answers.put("long", "{\"active\":true,\"sub\":\"erin\",\"exp\":" + in(Duration.ofHours(1)) + "}");
        IntrospectionAuthenticator auth =
                open(settings("/introspect").cacheTtl(Duration.ofMillis(400)).build());
        accepted(auth, "short");
        accepted(auth, "long");
        accepted(auth, "long");
        assertThat(hits.get()).isEqualTo(2);
        Thread.sleep(600); // past the cache TTL
        accepted(auth, "long");
        assertThat(hits.get()).as("cache TTL over").isEqualTo(3);

        IntrospectionAuthenticator byExp = open(settings("/introspect").build()); // 60 s TTL
        accepted(byExp, "short");
        int before = hits.get();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().getEpochSecond() >= exp);
        Thread.sleep(100); // a margin past the expiry, for the authenticator's own reading of the clock
        assertThat(refusal(byExp, "short")).isEqualTo("token expired");
        assertThat(hits.get()).as("the answer expired with the token").isEqualTo(before + 1);
    }

    @Test
    void unansweredCallIsRefusedWithinTheTimeout() {
        IntrospectionAuthenticator auth =
                open(settings("/slow").timeout(Duration.ofMillis(500)).build());
        long start = System.nanoTime();
        assertThat(refusal(auth, "opaque-1")).isEqualTo("token introspection timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void oversizedAnswerIsRefused() {
        IntrospectionAuthenticator auth =
                open(settings("/huge").maxResponseBytes(4096).build());
        assertThat(refusal(auth, "opaque-1")).isEqualTo("token introspection failed");
        IntrospectionAuthenticator roomy =
                open(settings("/huge").maxResponseBytes(200_000).build());
        assertThat(accepted(roomy, "opaque-1").subject()).isEqualTo("alice");
    }

    @Test
    void noTokenIsNotOursAndOversizedTokenIsRefusedWithoutACall() {
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        assertThat(auth.authenticate(TestTokens.bearer(null))
                        .toCompletableFuture()
                        .join())
                .isEmpty();
        assertThat(refusal(auth, "x".repeat(9000))).isEqualTo("token larger than 8192 bytes");
        assertThat(hits.get()).isZero();
    }

    @Test
    void settingsHideTheSecret() {
        assertThat(settings("/introspect").build().toString())
                .doesNotContain(CLIENT_SECRET)
                .contains("<hidden>");
    }

    /** An endpoint that answers 200 with something other than a JSON object: a failure, not an inactive token. */
    @Test
    void anAnswerThatIsNotAJsonObjectFailsAndIsNotCached() {
        answers.put("html", "<html>login page</html>");
        answers.put("array", "[\"active\", true]");
        IntrospectionAuthenticator auth = open(settings("/introspect").build());
        assertThat(refusal(auth, "html")).isEqualTo("token introspection failed");
        assertThat(refusal(auth, "array")).isEqualTo("token introspection failed");
        assertThat(refusal(auth, "html")).isEqualTo("token introspection failed");
        assertThat(auth.introspectionCalls()).as("failures are asked again").isEqualTo(3);
        assertThat(hits.get()).isEqualTo(3);
    }

    /** The caller's HTTP client is used as it is, and not stopped by close(). */
    @Test
    void aGivenHttpClientIsUsedAndOutlivesTheAuthenticator() {
        answers.put("opaque-1", "{\"active\":true,\"sub\":\"alice\"}");
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        IntrospectionOptions s = settings("/introspect").build();
        try (IntrospectionAuthenticator auth = new IntrospectionAuthenticator(s, client)) {
            assertThat(auth.settings()).isSameAs(s);
            assertThat(accepted(auth, "opaque-1").subject()).isEqualTo("alice");
        }
        try (IntrospectionAuthenticator again = new IntrospectionAuthenticator(s, client)) {
            assertThat(accepted(again, "opaque-1").subject())
                    .as("the client still works")
                    .isEqualTo("alice");
        }
        assertThat(hits.get()).isEqualTo(2);
    }

    @Test
    void settingsRefuseValuesThatCannotWork() {
        java.util.function.Function<IntrospectionOptions.Builder, String> refusal =
                b -> org.assertj.core.api.Assertions.catchThrowableOfType(b::build, IllegalArgumentException.class)
                        .getMessage();
        assertThat(refusal.apply(settings("/introspect").endpoint(URI.create("file:///etc/passwd"))))
                .isEqualTo("endpoint must be an http(s) URI");
        assertThat(refusal.apply(settings("/introspect").clientId("a:b")))
                .isEqualTo("clientId is required and must not contain ':'");
        assertThat(refusal.apply(settings("/introspect").clientId("")))
                .isEqualTo("clientId is required and must not contain ':'");
        assertThat(refusal.apply(settings("/introspect").clientSecret(""))).isEqualTo("clientSecret is required");
        assertThat(refusal.apply(settings("/introspect").timeout(Duration.ZERO)))
                .isEqualTo("timeout must be positive");
        assertThat(refusal.apply(settings("/introspect").cacheTtl(Duration.ofSeconds(-1))))
                .isEqualTo("cacheTtl must be positive");
        assertThat(refusal.apply(settings("/introspect").maxResponseBytes(255)))
                .isEqualTo("maxResponseBytes must be at least 256");
        assertThat(refusal.apply(settings("/introspect").negativeCacheTtl(Duration.ofMillis(-1))))
                .isEqualTo("negativeCacheTtl must not be negative");
        assertThat(refusal.apply(settings("/introspect").cacheMaxEntries(-1)))
                .isEqualTo("cacheMaxEntries must not be negative");
        assertThat(refusal.apply(settings("/introspect").maxTokenBytes(15)))
                .isEqualTo("maxTokenBytes must be at least 16");
        // Blank issuer and audience mean "not checked", as if unset.
        IntrospectionOptions blank =
                settings("/introspect").issuer(" ").audience("").build();
        assertThat(blank.issuer()).isNull();
        assertThat(blank.audience()).isNull();
    }

    /** The settings' clock decides whether an answer's exp has passed. */
    @Test
    void theSettingsClockDecidesExpiry() {
        answers.put("soon", "{\"active\":true,\"sub\":\"x\",\"exp\":" + in(Duration.ofMinutes(5)) + "}");
        IntrospectionAuthenticator later = open(settings("/introspect")
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(10)))
                .build());
        assertThat(refusal(later, "soon")).isEqualTo("token expired");
    }
}
