package io.vstp.crypto.qkd;

import static io.vstp.crypto.qkd.QkdTestPki.CA;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_A;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's bounds and error answers, seen over HTTPS by the client and by a plain HTTP client. */
class KmeSimulatorTest {
    private static final SSLContext SAE_A_TLS = QkdTestPki.sae(CA, SAE_A).context();
    private static final SSLContext SAE_B_TLS = QkdTestPki.sae(CA, SAE_B).context();

    private KmeSimulator kme;
    private Etsi014Client saeA;

    @BeforeEach
    void start() throws Exception {
        kme = KmeSimulator.builder(QkdTestPki.kmeContext()).sae(SAE_A, SAE_B)
                .keySizeBits(256, 128, 1024).maxKeysPerRequest(4).maxStoredKeys(6).maxRequestBytes(2048)
                .build().start();
        saeA = Etsi014Client.builder(kme.url(), SAE_A_TLS).build();
    }

    @AfterEach
    void stop() {
        kme.close();
    }

    @Test
    void listensOnLoopbackWithHttps() {
        assertThat(kme.url().toString()).startsWith("https://127.0.0.1:");
    }

    @Test
    void holdsAtMostMaxStoredKeysUntilTheSlaveFetchesThem() throws Exception {
        List<QkdKey> first = saeA.getKey(SAE_B, 4, 256);
        assertThat(saeA.status(SAE_B).storedKeyCount()).isEqualTo(2);

        assertThatThrownBy(() -> saeA.getKey(SAE_B, 3, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("key store full");

        Etsi014Client.builder(kme.url(), SAE_B_TLS).build()
                .getKeyWithKeyIds(SAE_A, first.stream().map(QkdKey::keyId).toList());
        assertThat(kme.heldKeyCount()).isZero();
        assertThat(saeA.getKey(SAE_B, 3, 256)).hasSize(3);
    }

    @Test
    void refusesSizesOutsideItsLimits() {
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 1, 2048))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("size must be a multiple of 8 in 128..1024");
    }

    @Test
    void usesDefaultsForOmittedParameters() throws Exception {
        HttpResponse<String> answer = raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).matches("\\{\"keys\":\\[\\{\"key_ID\":\"[0-9a-f-]{36}\",\"key\":\"[A-Za-z0-9+/]{43}=\"}]}");
    }

    @Test
    void refusesAnOversizedRequestBody() throws Exception {
        HttpResponse<String> answer = raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys",
                "{\"number\":1,\"pad\":\"" + "x".repeat(4096) + "\"}");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo("{\"message\":\"request body larger than 2048 bytes\",\"details\":[]}");
    }

    @Test
    void refusesWhatItDoesNotImplementWithEtsiErrors() throws Exception {
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"additional_slave_SAE_IDs\":[\"SAE_C\"]}"))
                .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400))
                .satisfies(r -> assertThat(r.body()).contains("additional_slave_SAE_IDs are not supported"));
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"extension_mandatory\":[{\"x\":1}]}"))
                .satisfies(r -> assertThat(r.body()).contains("extension_mandatory must be empty"));
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "[1,2"))
                .satisfies(r -> assertThat(r.body()).contains("not valid JSON"));
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/other", null))
                .satisfies(r -> assertThat(r.body()).contains("unknown endpoint"));
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys?number=1&number=2", null))
                .satisfies(r -> assertThat(r.body()).contains("repeats"));
        assertThat(raw(SAE_A_TLS, "/api/v1/keys/SAE_A/enc_keys", null))
                .satisfies(r -> assertThat(r.body()).contains("master and slave SAE are the same SAE"));
    }

    @Test
    void closingWipesAndForgetsHeldKeys() throws Exception {
        List<QkdKey> sent = saeA.getKey(SAE_B, 2, 256);
        assertThat(kme.heldKeyCount()).isEqualTo(2);

        kme.close();

        assertThat(kme.heldKeyCount()).isZero();
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 1, 256)).isInstanceOf(QkdException.class);
        sent.forEach(QkdKey::wipe);
    }

    /** A malformed request from an SAE (or an attacker holding an SAE certificate) gets a 400 naming the problem. */
    @Test
    void refusesMalformedRequestsNamingTheProblem() throws Exception {
        String enc = "/api/v1/keys/SAE_B/enc_keys";
        String dec = "/api/v1/keys/SAE_A/dec_keys";
        String id = "3f2a6c1e-0b7d-4e58-9a41-6f0c2d8b7e11";
        assertError(raw(SAE_A_TLS, "/api/v1/keys/SAE_B", null), 400,
                "unknown path; the API is /api/v1/keys/{SAE_ID}/status|enc_keys|dec_keys");
        assertError(send(SAE_A_TLS, "DELETE", enc, null), 400, "method \"DELETE\" not supported; use GET or POST");
        assertError(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/status", "{}"), 400, "status is GET only");
        assertError(raw(SAE_A_TLS, enc + "?number=two", null), 400, "number must be an integer, not \"two\"");
        assertError(raw(SAE_A_TLS, enc, "{\"size\":\"256\"}"), 400, "size must be an integer");
        assertError(raw(SAE_A_TLS, enc, "{\"number\":1.5}"), 400, "number must be an integer");
        assertError(raw(SAE_A_TLS, enc, "[{\"number\":1}]"), 400, "request body must be a JSON object");
        assertError(raw(SAE_B_TLS, dec, null), 400, "key_ID query parameter missing");
        assertError(raw(SAE_B_TLS, dec + "?key_ID=..%2Fstatus%3F", null), 400, "malformed key_ID \"../status?\"");
        assertError(raw(SAE_B_TLS, dec, "{\"key_IDs\":{}}"), 400, "key_IDs array missing");
        assertError(raw(SAE_B_TLS, dec, "{\"key_IDs\":[]}"), 400, "give 1..4 key IDs, not 0");
        assertError(raw(SAE_B_TLS, dec, "{\"key_IDs\":[{\"key_ID\":7}]}"), 400,
                "each key_IDs entry needs a key_ID string");
        assertError(raw(SAE_B_TLS, dec, "{\"key_IDs\":[" + ("{\"key_ID\":\"" + id + "\"},").repeat(4)
                + "{\"key_ID\":\"" + id + "\"}]}"), 400, "give at most 4 key IDs");
        assertError(raw(SAE_B_TLS, dec, "{\"key_IDs\":[{\"key_ID\":\"" + id + "\"},{\"key_ID\":\"" + id + "\"}]}"),
                400, "key IDs repeat");
        assertThat(kme.heldKeyCount()).isZero();
    }

    /** A key may only be fetched by its slave SAE naming its own master SAE; a refused fetch consumes nothing. */
    @Test
    void aKeyIsDeliveredOnlyToItsSlaveSaeNamingItsMaster() throws Exception {
        try (KmeSimulator three = KmeSimulator.builder(QkdTestPki.kmeContext()).sae(SAE_A, SAE_B, QkdTestPki.SAE_C)
                .build().start()) {
            QkdKey key = Etsi014Client.builder(three.url(), SAE_A_TLS).build().getKey(SAE_B, 1, 256).get(0);
            Etsi014Client saeB = Etsi014Client.builder(three.url(), SAE_B_TLS).build();
            assertThatThrownBy(() -> saeB.getKeyWithKeyIds(QkdTestPki.SAE_C, List.of(key.keyId())))
                    .isInstanceOf(QkdException.class).hasMessageContaining("HTTP 400")
                    .hasMessageContaining("key_ID " + key.keyId() + " was not made by master SAE SAE_C");
            assertThat(three.heldKeyCount()).isEqualTo(1);
            assertThat(saeB.getKeyWithKeyIds(SAE_A, List.of(key.keyId()))).singleElement()
                    .satisfies(k -> assertThat(k.keyId()).isEqualTo(key.keyId()));
            key.wipe();
        }
    }

    @Test
    void theBuilderAndLifecycleRefuseMisuse() throws Exception {
        KmeSimulator.Builder b = KmeSimulator.builder(QkdTestPki.kmeContext());
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("register at least one SAE with sae(...)");
        assertThatThrownBy(() -> b.keySizeBits(256, 4, 1024)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key sizes must be multiples of 8 with 8 <= min <= default <= max <= 524288");
        assertThatThrownBy(() -> b.keySizeBits(2048, 128, 1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxKeysPerRequest(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max keys per request must be at least 1, not 0");
        assertThatThrownBy(() -> b.maxStoredKeys(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max stored keys must be at least 1, not -1");
        assertThatThrownBy(() -> b.sae("SAE A")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SAE ID must be 1..128 characters");

        KmeSimulator fresh = b.sae(SAE_A, SAE_B).address(new java.net.InetSocketAddress("127.0.0.1", 0))
                .random(new java.security.SecureRandom()).build();
        assertThatThrownBy(fresh::url).isInstanceOf(IllegalStateException.class).hasMessage("not started");
        try (KmeSimulator started = fresh.start()) {
            assertThat(started.url().getHost()).isEqualTo("127.0.0.1");
            assertThatThrownBy(started::start).isInstanceOf(IllegalStateException.class).hasMessage("already started");
        }
    }

    /** The answer is an ETSI error object: {@code {"message": ..., "details": []}}. */
    private static void assertError(HttpResponse<String> answer, int status, String message) throws Exception {
        assertThat(answer.statusCode()).as(message).isEqualTo(status);
        com.fasterxml.jackson.databind.JsonNode error = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(answer.body());
        assertThat(error.get("message").textValue()).isEqualTo(message);
        assertThat(error.get("details").isEmpty()).isTrue();
    }

    private HttpResponse<String> raw(SSLContext tls, String path, String postBody) throws Exception {
        return send(tls, postBody == null ? "GET" : "POST", path, postBody);
    }

    private HttpResponse<String> send(SSLContext tls, String method, String path, String body) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kme.url() + path))
                .timeout(Duration.ofSeconds(5));
        if (body != null) {
            request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type",
                    "application/json");
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
