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

    private HttpResponse<String> raw(SSLContext tls, String path, String postBody) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(kme.url() + path))
                .timeout(Duration.ofSeconds(5));
        if (postBody != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(postBody)).header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
