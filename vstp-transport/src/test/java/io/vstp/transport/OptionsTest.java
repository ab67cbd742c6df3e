package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsConfigException;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The options people write: durations as they type them, builders that copy faithfully and refuse nonsense. */
class OptionsTest {
    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 30s ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        for (String bad : new String[] {"soon", "5 minutes", "ms", "1.5s", ""}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration").hasMessageContaining("30s");
        }
    }

    @Test
    void tlsClientOptionsCopyEverySettingAndRefuseHalfACertificate() {
        TlsClientOptions o = TlsClientOptions.builder().home(Path.of("/h")).knownHostsFile(Path.of("/h/kh"))
                .trustOnFirstUse(true).trustSystemCertificates(false).caFile(Path.of("/h/ca.pem"))
                .pins(List.of("sha256:" + "a".repeat(64))).groups(List.of("X25519")).build();
        TlsClientOptions copy = o.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(o.toString()).contains("pins=").contains("ca=/h/ca.pem");
        assertThat(copy.pinnedFingerprints()).isEqualTo(o.pinnedFingerprints());
        assertThat(copy.groups()).containsExactly("X25519");
        assertThatThrownBy(() -> TlsClientOptions.builder().groups(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> TlsClientOptions.builder().certificateChainFile(Path.of("/c.pem")).build())
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("both");
    }

    @Test
    void tlsServerOptionsCopyEverySettingAndRefuseNonsense() {
        TlsServerOptions o = TlsServerOptions.builder().home(Path.of("/h")).clientCaFile(Path.of("/h/ca.pem"))
                .selfSignedValidity(Duration.ofDays(30)).reloadCheckInterval(Duration.ofSeconds(5))
                .sessionTicketKeyRotation(Duration.ofHours(2)).build();
        TlsServerOptions copy = o.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(o.toString()).contains("self-signed").contains("clientCa=");
        assertThat(copy.selfSignedKeyFile()).isEqualTo(Path.of("/h/tls/server-key.pem"));
        assertThatThrownBy(() -> TlsServerOptions.builder().groups(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> TlsServerOptions.builder().privateKeyFile(Path.of("/k.pem")).build())
                .isInstanceOf(TlsConfigException.class);
        assertThatThrownBy(() -> TlsServerOptions.builder().selfSignedValidity(Duration.ZERO).build())
                .hasMessageContaining("validity must be positive");
        assertThatThrownBy(() -> TlsServerOptions.builder().reloadCheckInterval(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("must not be negative");
    }

    @Test
    void dtlsOptionsRefuseLimitsOutOfRangeAndClientCertificates() {
        assertThat(DtlsClientOptions.builder().handshakeTimeout(Duration.ofSeconds(3)).idleTimeout(Duration.ofMinutes(1))
                .maxAssociations(8).maxQueuedDatagrams(16).handshakeThreads(2).sessionResumption(false).build()
                .toString()).contains("8");
        assertThatThrownBy(() -> DtlsClientOptions.builder().cipherSuites(List.of()).build())
                .hasMessageContaining("at least one cipher suite");
        assertThatThrownBy(() -> DtlsClientOptions.builder().idleTimeout(Duration.ZERO).build())
                .hasMessageContaining("idleTimeout must be positive");
        assertThatThrownBy(() -> DtlsClientOptions.builder().maxAssociations(0).build())
                .hasMessageContaining("maxAssociations must be at least 1");
        assertThatThrownBy(() -> DtlsClientOptions.builder().tls(TlsClientOptions.builder()
                .certificateChainFile(Path.of("/c.pem")).privateKeyFile(Path.of("/k.pem")).build()).build())
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("not supported over DTLS");
        assertThatThrownBy(() -> DtlsServerOptions.builder().sessionCacheSize(-1).build())
                .hasMessageContaining("sessionCacheSize");
        assertThatThrownBy(() -> DtlsServerOptions.builder().tls(TlsServerOptions.builder()
                .clientCaFile(Path.of("/ca.pem")).build()).build()).isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("not supported over DTLS");
        assertThat(DtlsServerOptions.builder().handshakeTimeout(Duration.ofSeconds(3)).idleTimeout(Duration.ofMinutes(1))
                .maxAssociations(8).maxQueuedDatagrams(16).handshakeThreads(2).sessionCacheSize(0)
                .sessionLifetime(Duration.ofMinutes(10)).build().maxAssociations()).isEqualTo(8);
    }
}
