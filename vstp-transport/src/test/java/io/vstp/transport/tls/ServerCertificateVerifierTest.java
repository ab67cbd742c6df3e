package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.tls.CertificateVerificationException.Reason;
import io.vstp.transport.tls.TlsLoopback.EchoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's certificate decision outside a Netty handshake: chains handed over directly (as DTLS does), the
 * trust manager on a JDK socket, and the ways it refuses to be used wrongly.
 */
class ServerCertificateVerifierTest {
    @TempDir
    Path dir;

    private ClientTls client(TlsClientOptions.Builder options) {
        return ClientTls.create(
                options.home(dir.resolve("client")).provider(TlsProvider.JDK).build());
    }

    @Test
    void anEmptyChainIsRefusedAsNoCertificate() {
        ClientTls clientTls = client(TlsClientOptions.builder());
        assertThatThrownBy(() -> clientTls.verifyServerCertificate(List.of(), "127.0.0.1", 4433))
                .isExactlyInstanceOf(CertificateException.class)
                .hasMessage("the server presented no certificate");
        assertThat(dir.resolve("client/known_hosts")).doesNotExist();
    }

    @Test
    void aChainMatchingNoneOfSeveralPinsNamesThemAll() throws Exception {
        Issued server = TestPki.selfSigned();
        String pinA = "sha256:" + "ab".repeat(32);
        String pinB = "sha256:" + "cd".repeat(32);
        ClientTls clientTls = client(TlsClientOptions.builder().pins(List.of(pinA, pinB)));

        assertThatThrownBy(() -> clientTls.verifyServerCertificate(List.of(server.certificate()), "::1", 4433))
                .isInstanceOfSatisfying(CertificateVerificationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PIN_MISMATCH);
                    assertThat(e.endpoint()).isEqualTo("[::1]:4433");
                    assertThat(e.presentedFingerprint()).isEqualTo(server.fingerprint());
                    assertThat(e.getMessage())
                            .startsWith("certificate pin mismatch for [::1]:4433: configured pins ")
                            .contains(pinA, pinB)
                            .endsWith("server presented " + server.fingerprint());
                });
        // Either pin is enough.
        ClientTls pinned = client(TlsClientOptions.builder().pins(List.of(pinA, server.fingerprint())));
        pinned.verifyServerCertificate(List.of(server.certificate()), "::1", 4433);
    }

    @Test
    void onJdkSocketsTheDecisionIsTheSameAsOnEngines() throws Exception {
        Issued ca = TestPki.ca("socket CA");
        Issued issued = TestPki.server(ca, "127.0.0.1");
        PemPair caIssued = issued.written(dir, "issued");
        Issued selfSigned = TestPki.selfSigned();
        PemPair selfSignedFiles = selfSigned.written(dir, "self");
        KnownHosts knownHosts = new KnownHosts(dir.resolve("client/known_hosts"));
        ServerCertificateVerifier verifier = new ServerCertificateVerifier(
                List.of(ClientTls.trustManager(List.of(ca.certificate()), null)), Set.of(), knownHosts, true, false);

        try (TlsLoopback loopback = new TlsLoopback();
                EchoServer caServer = loopback.server(serverTls(caIssued, "ca-server"));
                EchoServer selfSignedServer = loopback.server(serverTls(selfSignedFiles, "self-server"))) {
            // Trusted by the CA: nothing recorded.
            assertThat(handshake(verifier, caServer.port())).isEqualTo(issued.fingerprint());
            assertThat(knownHosts.file()).doesNotExist();

            // Not CA-trusted: trusted on first use, under the address the socket is connected to.
            assertThat(handshake(verifier, selfSignedServer.port())).isEqualTo(selfSigned.fingerprint());
            assertThat(Files.readString(knownHosts.file()))
                    .isEqualTo("127.0.0.1:" + selfSignedServer.port() + " " + selfSigned.fingerprint() + "\n");

            // The same CA-issued certificate on the port pinned for the other one: refused, the line named.
            Files.writeString(
                    knownHosts.file(),
                    "127.0.0.1:" + caServer.port() + " " + selfSigned.fingerprint() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            ServerCertificateVerifier withoutCa =
                    new ServerCertificateVerifier(List.of(), Set.of(), knownHosts, true, false);
            assertThatThrownBy(() -> handshake(withoutCa, caServer.port()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .satisfies(e -> {
                        CertificateVerificationException why =
                                CertificateVerificationException.findIn(e).orElseThrow();
                        assertThat(why.reason()).isEqualTo(Reason.KNOWN_HOSTS_MISMATCH);
                        assertThat(why.getMessage())
                                .contains(
                                        "certificate pin mismatch for 127.0.0.1:" + caServer.port(),
                                        "delete line 2 of " + knownHosts.file());
                    });
        }
    }

    private ServerTls serverTls(PemPair files, String home) {
        return ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve(home))
                .provider(TlsProvider.JDK)
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .build());
    }

    /** A TLS 1.3 handshake on a plain JDK socket to 127.0.0.1 with {@code verifier}; the server's fingerprint. */
    private static String handshake(ServerCertificateVerifier verifier, int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {verifier}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.startHandshake();
            return CertificateFingerprints.sha256(
                    (X509Certificate) socket.getSession().getPeerCertificates()[0]);
        }
    }

    @Test
    void refusesToJudgeWithoutTheServersAddressOrAsAServerTrustManager() throws Exception {
        Issued server = TestPki.selfSigned();
        X509Certificate[] chain = {server.certificate()};
        ServerCertificateVerifier verifier = new ServerCertificateVerifier(
                List.of(), Set.of(), new KnownHosts(dir.resolve("known_hosts")), true, false);

        assertThatThrownBy(() -> verifier.checkServerTrusted(chain, "UNKNOWN"))
                .hasMessageContaining("needs the server's host and port");
        SSLContext jdk = SSLContext.getInstance("TLSv1.3");
        jdk.init(null, null, null);
        assertThatThrownBy(() -> verifier.checkServerTrusted(chain, "UNKNOWN", jdk.createSSLEngine()))
                .hasMessageContaining("only on engines created with the server's host and port");
        assertThatThrownBy(() -> verifier.checkServerTrusted(chain, "UNKNOWN", new java.net.Socket()))
                .hasMessageContaining("only on connected sockets");
        // Installed on a server by mistake, it lets no client certificate through.
        assertThatThrownBy(() -> verifier.checkClientTrusted(chain, "UNKNOWN"))
                .hasMessage("not a server trust manager");
        assertThatThrownBy(() -> verifier.checkClientTrusted(chain, "UNKNOWN", jdk.createSSLEngine()))
                .hasMessage("not a server trust manager");
        assertThatThrownBy(() -> verifier.checkClientTrusted(chain, "UNKNOWN", new java.net.Socket()))
                .hasMessage("not a server trust manager");
        assertThat(verifier.getAcceptedIssuers()).isEmpty();
        assertThat(dir.resolve("known_hosts")).doesNotExist();
    }

    @Test
    void findInLooksThroughCausesAndSuppressedExceptionsAndStopsAtCycles() {
        CertificateVerificationException refusal = new CertificateVerificationException(
                Reason.UNTRUSTED, "a:1", "sha256:" + "00".repeat(32), "refused", null);
        SSLException closing = new SSLException("closed while handshaking");
        closing.addSuppressed(new IllegalStateException("unrelated"));
        closing.addSuppressed(new SSLException("handshake failed", refusal));
        closing.addSuppressed(new SSLException(
                "also failed",
                new CertificateVerificationException(
                        Reason.EXPIRED, "a:1", "sha256:" + "11".repeat(32), "later", null)));
        assertThat(CertificateVerificationException.findIn(new RuntimeException(closing)))
                .containsSame(refusal);

        SSLException first = new SSLException("first");
        SSLException second = new SSLException("second", first);
        first.initCause(second);
        first.addSuppressed(second);
        assertThat(CertificateVerificationException.findIn(first)).isEmpty();
        assertThat(CertificateVerificationException.findIn(null)).isEmpty();
    }
}
