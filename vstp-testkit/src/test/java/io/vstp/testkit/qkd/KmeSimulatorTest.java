package io.vstp.testkit.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator's bounds and error answers, seen over HTTPS with mutual TLS by the JDK's HTTP client: the kit
 * cannot use vstp-crypto's ETSI 014 client (vstp-crypto's tests use the kit), so the requests are written out here
 * as ETSI GS QKD 014 §5 gives them.
 */
class KmeSimulatorTest {
    private static final String SAE_A = "SAE_A";
    private static final String SAE_B = "SAE_B";
    private static final String SAE_C = "SAE_C";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Issued CA = TestPki.ca("VSTP QKD test CA");
    private static final SSLContext KME_TLS = TestPki.server(CA, "127.0.0.1").tlsContext(CA);
    private static final SSLContext SAE_A_TLS = TestPki.client(CA, SAE_A).tlsContext(CA);
    private static final SSLContext SAE_B_TLS = TestPki.client(CA, SAE_B).tlsContext(CA);

    private KmeSimulator kme;

    @BeforeEach
    void start() throws Exception {
        kme = KmeSimulator.builder(KME_TLS)
                .sae(SAE_A, SAE_B)
                .keySizeBits(256, 128, 1024)
                .maxKeysPerRequest(4)
                .maxStoredKeys(6)
                .maxRequestBytes(2048)
                .build()
                .start();
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
        List<String> first = keyIds(ok(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"number\":4,\"size\":256}")));
        assertThat(ok(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/status", null))
                        .get("stored_key_count")
                        .intValue())
                .isEqualTo(2);

        HttpResponse<String> full = raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"number\":3,\"size\":256}");
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.body()).contains("key store full");

        StringBuilder ids = new StringBuilder();
        for (String id : first) {
            ids.append(ids.length() == 0 ? "" : ",")
                    .append("{\"key_ID\":\"")
                    .append(id)
                    .append("\"}");
        }
        assertThat(keyIds(ok(raw(SAE_B_TLS, "/api/v1/keys/SAE_A/dec_keys", "{\"key_IDs\":[" + ids + "]}"))))
                .containsExactlyElementsOf(first);
        assertThat(kme.heldKeyCount()).isZero();
        assertThat(keyIds(ok(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"number\":3,\"size\":256}"))))
                .hasSize(3);
    }

    @Test
    void refusesSizesOutsideItsLimits() throws Exception {
        assertError(
                raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys?number=1&size=2048", null),
                400,
                "size must be a multiple of 8 in 128..1024, not 2048");
    }

    @Test
    void answersTheStatusOfAPairOfSaes() throws Exception {
        JsonNode status = ok(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/status", null));
        assertThat(status.get("source_KME_ID").textValue()).isEqualTo("VSTP-KME-SIMULATOR");
        assertThat(status.get("master_SAE_ID").textValue()).isEqualTo(SAE_A);
        assertThat(status.get("slave_SAE_ID").textValue()).isEqualTo(SAE_B);
        assertThat(status.get("key_size").intValue()).isEqualTo(256);
        assertThat(status.get("max_key_count").intValue()).isEqualTo(6);
        assertThat(status.get("max_key_per_request").intValue()).isEqualTo(4);
        assertThat(status.get("min_key_size").intValue()).isEqualTo(128);
        assertThat(status.get("max_key_size").intValue()).isEqualTo(1024);
        assertThat(status.get("max_SAE_ID_count").intValue()).isZero();
    }

    @Test
    void refusesAClientCertificateThatNamesNoRegisteredSae() throws Exception {
        assertError(
                raw(TestPki.client(CA, "SAE_UNKNOWN").tlsContext(CA), "/api/v1/keys/SAE_B/status", null),
                401,
                "the client certificate (\"CN=SAE_UNKNOWN\") does not name an SAE registered at this KME");
    }

    @Test
    void usesDefaultsForOmittedParameters() throws Exception {
        HttpResponse<String> answer = raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", null);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body())
                .matches("\\{\"keys\":\\[\\{\"key_ID\":\"[0-9a-f-]{36}\",\"key\":\"[A-Za-z0-9+/]{43}=\"}]}");
    }

    @Test
    void refusesAnOversizedRequestBody() throws Exception {
        HttpResponse<String> answer =
                raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys", "{\"number\":1,\"pad\":\"" + "x".repeat(4096) + "\"}");

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
        assertThat(keyIds(ok(raw(SAE_A_TLS, "/api/v1/keys/SAE_B/enc_keys?number=2", null))))
                .hasSize(2);
        assertThat(kme.heldKeyCount()).isEqualTo(2);
        URI url = kme.url();

        kme.close();

        assertThat(kme.heldKeyCount()).isZero();
        assertThatThrownBy(() -> send(url, SAE_A_TLS, "GET", "/api/v1/keys/SAE_B/enc_keys", null))
                .isInstanceOf(IOException.class);
    }

    /** A malformed request from an SAE (or an attacker holding an SAE certificate) gets a 400 naming the problem. */
    @Test
    void refusesMalformedRequestsNamingTheProblem() throws Exception {
        String enc = "/api/v1/keys/SAE_B/enc_keys";
        String dec = "/api/v1/keys/SAE_A/dec_keys";
        String id = "3f2a6c1e-0b7d-4e58-9a41-6f0c2d8b7e11";
        assertError(
                raw(SAE_A_TLS, "/api/v1/keys/SAE_B", null),
                400,
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
        assertError(
                raw(SAE_B_TLS, dec, "{\"key_IDs\":[{\"key_ID\":7}]}"), 400, "each key_IDs entry needs a key_ID string");
        assertError(
                raw(
                        SAE_B_TLS,
                        dec,
                        "{\"key_IDs\":[" + ("{\"key_ID\":\"" + id + "\"},").repeat(4) + "{\"key_ID\":\"" + id
                                + "\"}]}"),
                400,
                "give at most 4 key IDs");
        assertError(
                raw(SAE_B_TLS, dec, "{\"key_IDs\":[{\"key_ID\":\"" + id + "\"},{\"key_ID\":\"" + id + "\"}]}"),
                400,
                "key IDs repeat");
        assertThat(kme.heldKeyCount()).isZero();
    }

    /** A key may only be fetched by its slave SAE naming its own master SAE; a refused fetch consumes nothing. */
    @Test
    void aKeyIsDeliveredOnlyToItsSlaveSaeNamingItsMaster() throws Exception {
        try (KmeSimulator three =
                KmeSimulator.builder(KME_TLS).sae(SAE_A, SAE_B, SAE_C).build().start()) {
            String key = keyIds(ok(send(three.url(), SAE_A_TLS, "GET", "/api/v1/keys/SAE_B/enc_keys", null)))
                    .get(0);
            assertError(
                    send(three.url(), SAE_B_TLS, "GET", "/api/v1/keys/SAE_C/dec_keys?key_ID=" + key, null),
                    400,
                    "key_ID " + key + " was not made by master SAE SAE_C");
            assertError(
                    send(three.url(), SAE_A_TLS, "GET", "/api/v1/keys/SAE_A/dec_keys?key_ID=" + key, null),
                    401,
                    "key_ID " + key + " was not made for SAE SAE_A");
            assertThat(three.heldKeyCount()).isEqualTo(1);
            assertThat(keyIds(
                            ok(send(three.url(), SAE_B_TLS, "GET", "/api/v1/keys/SAE_A/dec_keys?key_ID=" + key, null))))
                    .containsExactly(key);
            assertError(
                    send(three.url(), SAE_B_TLS, "GET", "/api/v1/keys/SAE_A/dec_keys?key_ID=" + key, null),
                    400,
                    "key_ID \"" + key + "\" not found: unknown, or already delivered");
        }
    }

    @Test
    void theBuilderAndLifecycleRefuseMisuse() throws Exception {
        KmeSimulator.Builder b = KmeSimulator.builder(KME_TLS);
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("register at least one SAE with sae(...)");
        assertThatThrownBy(() -> b.keySizeBits(256, 4, 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key sizes must be multiples of 8 with 8 <= min <= default <= max <= 524288");
        assertThatThrownBy(() -> b.keySizeBits(2048, 128, 1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxKeysPerRequest(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max keys per request must be at least 1, not 0");
        assertThatThrownBy(() -> b.maxStoredKeys(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max stored keys must be at least 1, not -1");
        assertThatThrownBy(() -> b.sae("SAE A"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SAE ID must be 1..128 characters");

        assertThatThrownBy(() -> b.kmeId(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("KME ID must be 1..128 characters of A-Z a-z 0-9 . _ ~ -, not \"\"");

        KmeSimulator fresh = b.sae(SAE_A, SAE_B)
                .address(new InetSocketAddress("127.0.0.1", 0))
                .random(new SecureRandom())
                .kmeId("KME_1")
                .build();
        assertThatThrownBy(fresh::url).isInstanceOf(IllegalStateException.class).hasMessage("not started");
        try (KmeSimulator started = fresh.start()) {
            assertThat(started.url().getHost()).isEqualTo("127.0.0.1");
            assertThatThrownBy(started::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("already started");
        }
    }

    /** The answer is an ETSI error object: {@code {"message": ..., "details": []}}. */
    private static void assertError(HttpResponse<String> answer, int status, String message) throws Exception {
        assertThat(answer.statusCode()).as(message).isEqualTo(status);
        JsonNode error = JSON.readTree(answer.body());
        assertThat(error.get("message").textValue()).isEqualTo(message);
        assertThat(error.get("details").isEmpty()).isTrue();
    }

    /** The body of a 200 answer. */
    private static JsonNode ok(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    /** The key IDs of a Key container, checking that each key is there. */
    private static List<String> keyIds(JsonNode container) {
        List<String> ids = new ArrayList<>();
        for (JsonNode key : container.get("keys")) {
            assertThat(key.get("key").textValue()).isNotEmpty();
            ids.add(key.get("key_ID").textValue());
        }
        return ids;
    }

    private HttpResponse<String> raw(SSLContext tls, String path, String postBody) throws Exception {
        return send(kme.url(), tls, postBody == null ? "GET" : "POST", path, postBody);
    }

    private HttpResponse<String> send(SSLContext tls, String method, String path, String body) throws Exception {
        return send(kme.url(), tls, method, path, body);
    }

    private static HttpResponse<String> send(URI kmeUrl, SSLContext tls, String method, String path, String body)
            throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(kmeUrl + path)).timeout(Duration.ofSeconds(5));
        if (body != null) {
            request.method(method, HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
