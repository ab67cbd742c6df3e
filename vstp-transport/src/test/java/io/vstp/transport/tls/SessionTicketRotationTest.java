package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSslSessionStats;
import io.vstp.core.testing.Resources;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsLoopback.EchoServer;
import io.vstp.transport.tls.TlsLoopback.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session-ticket keys of our own with BoringSSL, over real TLS 1.3 handshakes on 127.0.0.1: a client resumes
 * with its ticket, still does one rotation later (the previous key opens it), and no longer does two rotations
 * later (that key is retired) or after a certificate reload.
 *
 * <p>Both sides are Netty's OpenSSL: its client keeps the tickets it receives per host and port, and
 * {@link TlsLoopback#connect(int, ClientTls)} dials the same pair each time. Each connection round-trips a ping
 * after the handshake, by which time the server's NewSessionTicket messages have arrived. Rotations are made
 * with {@link ServerTls#rotateSessionTicketKeys()} rather than by waiting a period.
 */
class SessionTicketRotationTest {
    private static TlsLoopback loopback;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEventLoops() {
        loopback = new TlsLoopback();
    }

    @AfterAll
    static void stopEventLoops() {
        loopback.close();
    }

    private static void needsBoringSsl() {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "BoringSSL (netty-tcnative) is not available here");
    }

    private ServerTls server() {
        return ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .provider(TlsProvider.OPENSSL)
                .build());
    }

    private ClientTls client() {
        return ClientTls.create(TlsClientOptions.builder()
                .home(dir.resolve("client"))
                .trustOnFirstUse(true)
                .provider(TlsProvider.OPENSSL)
                .build());
    }

    /** Connects; checks that the handshake succeeded and that both sides agree on whether it resumed. */
    private static Outcome connect(EchoServer server, ClientTls client) throws Exception {
        Outcome clientSide = loopback.connect(server.port(), client);
        Outcome serverSide = server.nextHandshake();
        assertThat(clientSide.failure()).isNull();
        assertThat(serverSide.failure()).isNull();
        assertThat(clientSide.resumed()).isNotNull().isEqualTo(serverSide.resumed());
        return clientSide;
    }

    private static boolean resumes(EchoServer server, ClientTls client) throws Exception {
        return connect(server, client).resumed();
    }

    @Test
    void aSecondConnectionResumesWithItsTicket() throws Exception {
        needsBoringSsl();
        ServerTls serverTls = server();
        ClientTls clientTls = client();
        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(resumes(server, clientTls)).as("first connection").isFalse();
            assertThat(resumes(server, clientTls)).as("second connection").isTrue();

            OpenSslSessionStats stats = serverTls.openSslSessionStats();
            assertThat(stats.ticketKeyResume())
                    .as("tickets opened by the current key")
                    .isEqualTo(1);
            assertThat(stats.ticketKeyFail()).isZero();
        }
        assertThat(serverTls.sessionTicketKeyRotation()).contains(TlsServerOptions.DEFAULT_SESSION_TICKET_KEY_ROTATION);
    }

    @Test
    void aTicketStillResumesOneRotationLater() throws Exception {
        needsBoringSsl();
        ServerTls serverTls = server();
        ClientTls clientTls = client();
        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(resumes(server, clientTls)).isFalse();
            serverTls.rotateSessionTicketKeys();

            assertThat(resumes(server, clientTls)).isTrue();
            OpenSslSessionStats stats = serverTls.openSslSessionStats();
            // "Renew": opened by a key that is no longer current, so BoringSSL sends a ticket under the new one.
            assertThat(stats.ticketKeyRenew())
                    .as("tickets opened by the previous key")
                    .isEqualTo(1);
            assertThat(stats.ticketKeyResume()).isZero();
        }
        assertThat(serverTls.sessionTicketKeyRotations()).isEqualTo(1);
    }

    @Test
    void aTicketNoLongerResumesTwoRotationsLater() throws Exception {
        needsBoringSsl();
        ServerTls serverTls = server();
        ClientTls clientTls = client();
        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(resumes(server, clientTls)).isFalse();
            serverTls.rotateSessionTicketKeys();
            serverTls.rotateSessionTicketKeys();

            assertThat(resumes(server, clientTls)).as("full handshake").isFalse();
            OpenSslSessionStats stats = serverTls.openSslSessionStats();
            assertThat(stats.ticketKeyFail()).as("tickets no key opened").isEqualTo(1);
            assertThat(stats.ticketKeyResume() + stats.ticketKeyRenew()).isZero();
        }
        assertThat(serverTls.sessionTicketKeyRotations()).isEqualTo(2);
    }

    @Test
    void aReloadedCertificateEndsTheOldTickets() throws Exception {
        needsBoringSsl();
        Issued ca = TestPki.ca("test CA");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, PemFiles.certificatePem(ca.certificate()));
        PemPair files = TestPki.server(ca, "127.0.0.1").written(dir, "server");
        ServerTls serverTls = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .reloadCheckInterval(Duration.ZERO)
                .provider(TlsProvider.OPENSSL)
                .build());
        ClientTls clientTls = ClientTls.create(TlsClientOptions.builder()
                .home(dir.resolve("client"))
                .caFile(caFile)
                .trustOnFirstUse(false)
                .provider(TlsProvider.OPENSSL)
                .build());
        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(resumes(server, clientTls)).isFalse();
            assertThat(resumes(server, clientTls)).isTrue();

            Issued replacement = TestPki.server(ca, "127.0.0.1");
            replacement.writeTo(files.certificate(), files.key());
            Outcome afterReload = connect(server, clientTls);
            assertThat(afterReload.resumed())
                    .as("full handshake with the new certificate")
                    .isFalse();
            assertThat(afterReload.peerFingerprint()).isEqualTo(replacement.fingerprint());
        }
        assertThat(serverTls.sessionTicketKeyRotations()).isEqualTo(1);
    }

    @Test
    void keysAreTheLibrarysOwnWithTheJdkProviderOrAZeroPeriod() {
        ServerTls jdk = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("jdk"))
                .provider(TlsProvider.JDK)
                .build());
        assertThat(jdk.sessionTicketKeyRotation()).isEmpty();
        assertThatThrownBy(jdk::rotateSessionTicketKeys).isInstanceOf(IllegalStateException.class);
        assertThat(jdk.sessionTicketKeyRotations()).isZero();

        needsBoringSsl();
        ServerTls boringSslOwn = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("own"))
                .provider(TlsProvider.OPENSSL)
                .sessionTicketKeyRotation(Duration.ZERO)
                .build());
        assertThat(boringSslOwn.sessionTicketKeyRotation()).isEmpty();
    }

    @Test
    void periodsBelowOneSecondAreRefused() {
        TlsServerOptions.Builder options = TlsServerOptions.builder().home(dir);
        assertThatThrownBy(() ->
                        options.sessionTicketKeyRotation(Duration.ofMillis(999)).build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("at least 1 s");
        assertThatThrownBy(() ->
                        options.sessionTicketKeyRotation(Duration.ofSeconds(-1)).build())
                .isInstanceOf(TlsConfigException.class);
        assertThat(options.sessionTicketKeyRotation(Duration.ofSeconds(1))
                        .build()
                        .sessionTicketKeyRotation())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aVstpServerRotatesOnScheduleAndStopsWithTheServer() throws Exception {
        needsBoringSsl();
        try (Resources resources = new Resources()) {
            VstpServer server = resources.use(VstpServer.builder()
                    .port(0)
                    .threads(1)
                    .tls(TlsServerOptions.builder()
                            .home(dir.resolve("server"))
                            .provider(TlsProvider.OPENSSL)
                            .sessionTicketKeyRotation(Duration.ofSeconds(1))
                            .build())
                    .start());
            VstpClient client = resources.use(VstpClient.builder()
                    .threads(1)
                    .tls(TlsClientOptions.builder()
                            .home(dir.resolve("client"))
                            .trustOnFirstUse(true)
                            .provider(TlsProvider.OPENSSL)
                            .build())
                    .build());
            VstpConnection connection =
                    resources.use(client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
            assertThat(connection.tlsProtocol()).isEqualTo("TLSv1.3");

            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(server.stats().tlsTicketKeyRotations())
                            .as("rotations within 10 s")
                            .isGreaterThanOrEqualTo(2));

            // The rotation task lives on an I/O loop: shutting the loops down ends it, and must not wait for it.
            server.shutdown(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
        }
    }
}
