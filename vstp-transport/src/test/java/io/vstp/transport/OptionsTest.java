package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.transport.internal.Durations;
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
    void protocolOptionsCopyEverySettingAndRefuseNonsense() {
        ProtocolOptions tuned = ProtocolOptions.DEFAULT
                .withHeaderTableSize(0)
                .withCompression(List.of("lz4"))
                .withChunkSize(1024)
                .withMaxMessageSize(1 << 20)
                .withWindows(65_536, 131_072)
                .withOmitCrcOverTls(false)
                .withV2(false);
        assertThat(tuned)
                .isEqualTo(new ProtocolOptions(
                        false,
                        0,
                        65_536,
                        131_072,
                        ProtocolOptions.DEFAULT.maxHeaderListSize(),
                        1 << 20,
                        1024,
                        List.of("lz4"),
                        false));
        assertThat(ProtocolOptions.DEFAULT.withHeaderTableSize(65_536).headerTableSize())
                .isEqualTo(65_536);

        assertThatThrownBy(() -> ProtocolOptions.DEFAULT.withHeaderTableSize(65_537))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("headerTableSize must be 0..65536, was 65537");
        assertThatThrownBy(() -> ProtocolOptions.DEFAULT.withChunkSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chunkSize must be positive, was 0");
        assertThatThrownBy(() -> ProtocolOptions.DEFAULT.withWindows(65_536, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectionWindow must be positive, was -1");
    }

    @Test
    void serverAndClientBuildersRefuseNonsense() {
        assertThatThrownBy(() -> VstpServer.builder().port(65_536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port out of range: 65536");
        assertThatThrownBy(() -> VstpServer.builder().port(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port out of range: -1");
        assertThatThrownBy(() -> VstpServer.builder().host(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("host");
        assertThatThrownBy(() -> VstpClient.builder().detectLegacyPeer(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wait must be positive, was PT0S");
        assertThatThrownBy(() -> VstpClient.builder().legacyPeer(true).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("legacyPeer requires plain(): legacy peers have no TLS");
    }

    @Test
    void aPlainServerReportsWhereItListensAndNoTls() throws Exception {
        try (VstpServer server = VstpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .threads(1)
                .plain()
                .handler(RequestHandler.of(
                        (request, session) -> io.vstp.core.frame.Frame.builder(io.vstp.core.frame.FrameType.DATA)
                                .payload("unused")
                                .build()))
                .start()) {
            assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(server.address().getPort()).isEqualTo(server.port()).isPositive();
            assertThat(server.tls()).isFalse();
            assertThat(server.tlsProvider()).isNull();
            assertThat(server.certificateFingerprint()).isNull();
            assertThat(server.memoryBudget()).isNotNull();
            assertThat(server.memoryBudget().heldBytes()).isZero();
        }
    }

    @Test
    void durationsAsPeopleWriteThem() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 30s ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1H")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        for (String bad : new String[] {"soon", "5 minutes", "ms", "1.5s", ""}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a duration")
                    .hasMessageContaining("30s");
        }
    }

    @Test
    void tlsClientOptionsCopyEverySettingAndRefuseHalfACertificate() {
        TlsClientOptions o = TlsClientOptions.builder()
                .home(Path.of("/h"))
                .knownHostsFile(Path.of("/h/kh"))
                .trustOnFirstUse(true)
                .trustSystemCertificates(false)
                .caFile(Path.of("/h/ca.pem"))
                .pins(List.of("sha256:" + "a".repeat(64)))
                .groups(List.of("X25519"))
                .build();
        TlsClientOptions copy = o.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(o.toString()).contains("pins=").contains("ca=/h/ca.pem");
        assertThat(copy.pinnedFingerprints()).isEqualTo(o.pinnedFingerprints());
        assertThat(copy.groups()).containsExactly("X25519");
        assertThatThrownBy(() -> TlsClientOptions.builder().groups(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> TlsClientOptions.builder()
                        .certificateChainFile(Path.of("/c.pem"))
                        .build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("both");
    }

    @Test
    void tlsServerOptionsCopyEverySettingAndRefuseNonsense() {
        TlsServerOptions o = TlsServerOptions.builder()
                .home(Path.of("/h"))
                .clientCaFile(Path.of("/h/ca.pem"))
                .selfSignedValidity(Duration.ofDays(30))
                .reloadCheckInterval(Duration.ofSeconds(5))
                .sessionTicketKeyRotation(Duration.ofHours(2))
                .build();
        TlsServerOptions copy = o.toBuilder().build();
        assertThat(copy.toString())
                .isEqualTo(o.toString())
                .contains("self-signed")
                .contains("clientCa=");
        assertThat(copy.selfSignedKeyFile()).isEqualTo(Path.of("/h/tls/server-key.pem"));
        assertThatThrownBy(() -> TlsServerOptions.builder().groups(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> TlsServerOptions.builder()
                        .privateKeyFile(Path.of("/k.pem"))
                        .build())
                .isInstanceOf(TlsConfigException.class);
        assertThatThrownBy(() -> TlsServerOptions.builder()
                        .selfSignedValidity(Duration.ZERO)
                        .build())
                .hasMessageContaining("validity must be positive");
        assertThatThrownBy(() -> TlsServerOptions.builder()
                        .reloadCheckInterval(Duration.ofSeconds(-1))
                        .build())
                .hasMessageContaining("must not be negative");
    }

    @Test
    void dtlsOptionsRefuseLimitsOutOfRangeAndClientCertificates() {
        assertThat(DtlsClientOptions.builder()
                        .handshakeTimeout(Duration.ofSeconds(3))
                        .idleTimeout(Duration.ofMinutes(1))
                        .maxAssociations(8)
                        .maxQueuedDatagrams(16)
                        .handshakeThreads(2)
                        .sessionResumption(false)
                        .build()
                        .toString())
                .contains("8");
        assertThatThrownBy(() ->
                        DtlsClientOptions.builder().cipherSuites(List.of()).build())
                .hasMessageContaining("at least one cipher suite");
        assertThatThrownBy(() ->
                        DtlsClientOptions.builder().idleTimeout(Duration.ZERO).build())
                .hasMessageContaining("idleTimeout must be positive");
        assertThatThrownBy(() -> DtlsClientOptions.builder().maxAssociations(0).build())
                .hasMessageContaining("maxAssociations must be at least 1");
        assertThatThrownBy(() -> DtlsClientOptions.builder()
                        .tls(TlsClientOptions.builder()
                                .certificateChainFile(Path.of("/c.pem"))
                                .privateKeyFile(Path.of("/k.pem"))
                                .build())
                        .build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("not supported over DTLS");
        assertThatThrownBy(
                        () -> DtlsServerOptions.builder().sessionCacheSize(-1).build())
                .hasMessageContaining("sessionCacheSize");
        assertThatThrownBy(() -> DtlsServerOptions.builder()
                        .tls(TlsServerOptions.builder()
                                .clientCaFile(Path.of("/ca.pem"))
                                .build())
                        .build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("not supported over DTLS");
        assertThat(DtlsServerOptions.builder()
                        .handshakeTimeout(Duration.ofSeconds(3))
                        .idleTimeout(Duration.ofMinutes(1))
                        .maxAssociations(8)
                        .maxQueuedDatagrams(16)
                        .handshakeThreads(2)
                        .sessionCacheSize(0)
                        .sessionLifetime(Duration.ofMinutes(10))
                        .build()
                        .maxAssociations())
                .isEqualTo(8);
    }
}
