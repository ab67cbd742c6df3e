package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vstp.core.testing.Resources;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The post-quantum hybrid key exchange X25519MLKEM768 is negotiated by default between VSTP peers (BoringSSL), is
 * visible on both sides, and classical-only clients still connect with X25519.
 */
class PostQuantumGroupTest {
    @TempDir
    Path dir;

    private final Resources resources = new Resources();

    @BeforeEach
    void needsBoringSsl() {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "BoringSSL (netty-tcnative) is not available here");
    }

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private VstpServer server(List<String> groups) throws Exception {
        return resources.use(VstpServer.builder()
                .port(0)
                .threads(1)
                .tls(TlsServerOptions.builder()
                        .home(dir.resolve("server"))
                        .provider(TlsProvider.OPENSSL)
                        .groups(groups)
                        .build())
                .start());
    }

    private VstpConnection connect(VstpServer server, TlsClientOptions.Builder tls) throws Exception {
        VstpClient client = resources.use(VstpClient.builder()
                .threads(1)
                .tls(tls.home(dir.resolve("client")).trustOnFirstUse(true).build())
                .build());
        return resources.use(client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
    }

    @Test
    void vstpPeersAgreeOnTheHybridGroupByDefault() throws Exception {
        VstpServer server = server(TlsProtocols.DEFAULT_GROUPS);
        VstpConnection conn = connect(server, TlsClientOptions.builder().provider(TlsProvider.OPENSSL));
        assertThat(conn.tlsGroup()).isEqualTo("X25519MLKEM768");
        assertThat(conn.tlsProtocol()).isEqualTo("TLSv1.3");
        assertThat(server.stats().tlsHandshakesByGroup()).containsEntry("X25519MLKEM768", 1L);
    }

    /**
     * What the security line of {@code vstp send} and the server's statistics read comes through SSLSession, never
     * from the engine's native state directly: asking a closed connection is safe (issue 27, where a test helper
     * read a freed OpenSSL engine and crashed).
     */
    @Test
    void aClosedConnectionCanStillBeAskedAboutItsTls() throws Exception {
        VstpServer server = server(TlsProtocols.DEFAULT_GROUPS);
        VstpConnection conn = connect(server, TlsClientOptions.builder().provider(TlsProvider.OPENSSL));
        assertThat(conn.tlsCipherSuite()).isNotNull();
        conn.close();
        conn.closeFuture().get(5, TimeUnit.SECONDS);
        assertThatCode(() -> {
                    conn.tlsProtocol();
                    conn.tlsGroup();
                    conn.tlsCipherSuite();
                    conn.peerCertificateFingerprint();
                    conn.applicationProtocol();
                    conn.wireSummary();
                })
                .doesNotThrowAnyException();
    }

    @Test
    void classicalClientsStillConnect() throws Exception {
        VstpServer server = server(TlsProtocols.DEFAULT_GROUPS);
        VstpConnection x25519 = connect(
                server, TlsClientOptions.builder().provider(TlsProvider.OPENSSL).groups(List.of("X25519")));
        assertThat(x25519.tlsGroup()).isEqualTo("X25519");
        VstpConnection p256 = connect(
                server, TlsClientOptions.builder().provider(TlsProvider.OPENSSL).groups(List.of("P-256")));
        assertThat(p256.tlsGroup()).isEqualTo("P-256");
        // The JDK's own TLS (Java 17 has no hybrid group) offers X25519 first.
        VstpConnection jdk = connect(server, TlsClientOptions.builder().provider(TlsProvider.JDK));
        assertThat(jdk.tlsProtocol()).isEqualTo("TLSv1.3");
        assertThat(server.stats().tlsHandshakesByGroup())
                .containsEntry("X25519", 2L)
                .containsEntry("P-256", 1L);
    }

    @Test
    void aServerThatRequiresTheHybridRefusesClassicalClients() throws Exception {
        VstpServer server = server(List.of("X25519MLKEM768"));
        VstpClient client = resources.use(VstpClient.builder()
                .threads(1)
                .tls(TlsClientOptions.builder()
                        .home(dir.resolve("client"))
                        .trustOnFirstUse(true)
                        .provider(TlsProvider.OPENSSL)
                        .groups(List.of("X25519"))
                        .build())
                .build());
        assertThat(client.connect("127.0.0.1", server.port())).failsWithin(10, TimeUnit.SECONDS);
        assertThat(connect(server, TlsClientOptions.builder().provider(TlsProvider.OPENSSL))
                        .tlsGroup())
                .isEqualTo("X25519MLKEM768");
    }
}
