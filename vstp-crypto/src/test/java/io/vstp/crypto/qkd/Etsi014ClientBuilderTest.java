package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** What an ETSI GS QKD 014 client may be built with: HTTPS only, and every bound positive and sane. */
class Etsi014ClientBuilderTest {
    private static SSLContext tls() throws Exception {
        return SSLContext.getDefault();
    }

    @Test
    void aKmeIsReachedOverHttpsOnlyAndWithoutCredentialsInItsUrl() throws Exception {
        for (String url : new String[] {
            "http://kme.example/api",
            "https://user:pw@kme.example/",
            "https://kme/?x=1",
            "https://kme/#f",
            "file:///etc/keys"
        }) {
            assertThatThrownBy(() -> Etsi014Client.builder(URI.create(url), tls()))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("https://host");
        }
        assertThatCode(() -> Etsi014Client.builder(URI.create("https://kme.example:8443/prefix"), tls())
                        .build())
                .doesNotThrowAnyException();
    }

    @Test
    void everyBoundMustBeSane() throws Exception {
        Etsi014Client.Builder b = Etsi014Client.builder(URI.create("https://kme.example/"), tls());
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connect timeout");
        assertThatThrownBy(() -> b.requestTimeout(Duration.ofSeconds(-1))).hasMessageContaining("request timeout");
        assertThatThrownBy(() -> b.maxResponseBytes(100)).hasMessageContaining("at least 1024");
        assertThatThrownBy(() -> b.maxKeysPerRequest(0)).hasMessageContaining("1..10000");
        assertThatThrownBy(() -> b.maxKeysPerRequest(10_001)).hasMessageContaining("1..10000");
        assertThatThrownBy(() -> b.keySizeBits(12, 256)).hasMessageContaining("multiples of 8");
        assertThatThrownBy(() -> b.keySizeBits(256, 128)).hasMessageContaining("multiples of 8");
        assertThatCode(() -> b.connectTimeout(Duration.ofSeconds(2))
                        .requestTimeout(Duration.ofSeconds(5))
                        .maxResponseBytes(64 * 1024)
                        .maxKeysPerRequest(16)
                        .keySizeBits(128, 512)
                        .build())
                .doesNotThrowAnyException();
    }
}
