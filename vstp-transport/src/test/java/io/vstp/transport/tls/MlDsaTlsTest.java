package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.CertificateVerificationException.Reason;
import io.vstp.transport.tls.TlsLoopback.EchoServer;
import io.vstp.transport.tls.TlsLoopback.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ML-DSA certificates (FIPS 204) in TLS 1.3 with the BCJSSE provider, over real TCP on 127.0.0.1: self-signed and
 * CA-issued chains, trusted by pin and by CA, host names checked; and the other providers refusing ML-DSA keys
 * when they are configured rather than at the first handshake.
 */
class MlDsaTlsTest {
    private static TlsLoopback loopback;
    /** Made once: ML-DSA keys are quick, but the tests need only these. */
    private static Issued selfSigned;

    private static Issued ca;
    private static Issued caIssued;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        loopback = new TlsLoopback();
        selfSigned = TestPki.selfSigned(TestPki.KeyType.ML_DSA_65);
        ca = TestPki.ca("ML-DSA test CA", TestPki.KeyType.ML_DSA_65);
        caIssued = TestPki.server(ca, TestPki.KeyType.ML_DSA_65, "127.0.0.1", "localhost");
    }

    @AfterAll
    static void tearDown() {
        loopback.close();
    }

    private ServerTls server(PemPair files, TlsProvider provider) {
        return ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .provider(provider)
                .build());
    }

    private TlsClientOptions.Builder client(TlsProvider provider) {
        return TlsClientOptions.builder()
                .home(dir.resolve("client"))
                .trustSystemCertificates(false)
                .trustOnFirstUse(false)
                .provider(provider);
    }

    private Path caFile() throws Exception {
        Path file = dir.resolve("ca.pem");
        Files.writeString(file, PemFiles.certificatePem(ca.certificate()));
        return file;
    }

    @Test
    void pemFilesReadMlDsaKeysAndCertificates() throws Exception {
        PemPair files = caIssued.written(dir, "server");
        CertifiedKey read = CertifiedKey.read(files.certificate(), files.key());
        assertThat(CertificateKeyType.mlDsaTypeOf(read.key())).isEqualTo(CertificateKeyType.ML_DSA_65);
        assertThat(CertificateKeyType.of(read.leaf().getPublicKey())).isEqualTo(CertificateKeyType.ML_DSA_65);
        assertThat(read.keyMatchesLeaf()).isTrue();

        // A key from another ML-DSA certificate is caught before any handshake.
        Files.writeString(files.key(), PemFiles.privateKeyPem(selfSigned.key()));
        assertThatThrownBy(() -> CertifiedKey.read(files.certificate(), files.key()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void bcjsseContextMakesEnginesWithTheMlDsaSchemesAndNoSockets() throws Exception {
        javax.net.ssl.SSLContext context =
                javax.net.ssl.SSLContext.getInstance("TLS", BouncyCastleJsse.sslContextProvider());
        context.init(null, null, null);
        for (javax.net.ssl.SSLEngine engine :
                new javax.net.ssl.SSLEngine[] {context.createSSLEngine(), context.createSSLEngine("localhost", 4433)}) {
            assertThat(((org.bouncycastle.jsse.BCSSLEngine) engine)
                            .getParameters()
                            .getSignatureSchemes())
                    .startsWith("mldsa65", "mldsa87", "mldsa44")
                    .contains("ecdsa_secp256r1_sha256");
        }
        assertThat(context.getSupportedSSLParameters().getProtocols()).contains("TLSv1.3");
        assertThat(context.getDefaultSSLParameters().getProtocols()).contains("TLSv1.3");
        // A socket would lack the ML-DSA schemes: refused rather than made without them.
        assertThatThrownBy(context::getSocketFactory)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("VSTP's BCJSSE context makes SSLEngines only");
        assertThatThrownBy(context::getServerSocketFactory)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("VSTP's BCJSSE context makes SSLEngines only");
    }

    @Test
    void selfSignedMlDsaServerIsTrustedByPin() throws Exception {
        ServerTls serverTls = server(selfSigned.written(dir, "self"), TlsProvider.BOUNCY_CASTLE);
        ClientTls clientTls = ClientTls.create(
                client(TlsProvider.BOUNCY_CASTLE).pin(selfSigned.fingerprint()).build());
        assertThat(serverTls.provider()).isEqualTo("BCJSSE");

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            Outcome serverSide = server.nextHandshake();

            assertThat(client.failure()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
            assertThat(client.applicationProtocol()).isEqualTo("vstp/1");
            assertThat(client.peerFingerprint()).isEqualTo(selfSigned.fingerprint());
            assertThat(CertificateKeyType.of(client.peerCertificate().getPublicKey()))
                    .isEqualTo(CertificateKeyType.ML_DSA_65);
            assertThat(serverSide.failure()).isNull();
            assertThat(serverSide.protocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void caIssuedMlDsaChainIsVerifiedByCaAndHostName() throws Exception {
        ServerTls serverTls = server(caIssued.written(dir, "server"), TlsProvider.BOUNCY_CASTLE);
        ClientTls clientTls = ClientTls.create(
                client(TlsProvider.BOUNCY_CASTLE).caFile(caFile()).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            assertThat(client.failure()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
            assertThat(client.peerFingerprint()).isEqualTo(caIssued.fingerprint());
            // The CA's ML-DSA signature on the leaf is what PKIX checked.
            assertThat(client.peerCertificate().getSigAlgOID()).isEqualTo("2.16.840.1.101.3.4.3.18");

            // Same CA, but dialled by a name the certificate does not carry: refused as with any other key type.
            Outcome wrongName = loopback.connect(
                    server.port(), alloc -> clientTls.newHandler(alloc, "vstp.example.org", server.port()));
            // BCJSSE reports a refused certificate as an SSLException (the JDK: SSLHandshakeException).
            assertThat(wrongName.failure()).isInstanceOf(SSLException.class);
            assertThat(CertificateVerificationException.findIn(wrongName.failure())
                            .orElseThrow()
                            .reason())
                    .isEqualTo(Reason.HOSTNAME_MISMATCH);
        }
    }

    @Test
    void mlDsaChainFromAnotherCaIsRefused() throws Exception {
        Issued otherCa = TestPki.ca("another ML-DSA CA", TestPki.KeyType.ML_DSA_65);
        Issued foreign = TestPki.server(otherCa, TestPki.KeyType.ML_DSA_65, "127.0.0.1");
        ServerTls serverTls = server(foreign.written(dir, "foreign"), TlsProvider.BOUNCY_CASTLE);
        ClientTls clientTls = ClientTls.create(
                client(TlsProvider.BOUNCY_CASTLE).caFile(caFile()).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            assertThat(client.failure()).isInstanceOf(SSLException.class);
            assertThat(CertificateVerificationException.findIn(client.failure())
                            .orElseThrow()
                            .reason())
                    .isEqualTo(Reason.UNTRUSTED);
        }
    }

    @Test
    void applicationRoundTripThroughVstpServerAndClient() throws Exception {
        PemPair files = caIssued.written(dir, "server");
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .tls(TlsServerOptions.builder()
                                .home(dir.resolve("server"))
                                .certificateChainFile(files.certificate())
                                .privateKeyFile(files.key())
                                .provider(TlsProvider.BOUNCY_CASTLE)
                                .build())
                        .handler(RequestHandler.of((request, session) -> Frame.builder(FrameType.DATA)
                                .payload("echo " + request.payloadAsString())
                                .build()))
                        .start();
                VstpClient client = VstpClient.builder()
                        .threads(1)
                        .tls(client(TlsProvider.BOUNCY_CASTLE).caFile(caFile()).build())
                        .build()) {
            VstpConnection conn = client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
            assertThat(conn.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(conn.peerCertificateFingerprint()).isEqualTo(caIssued.fingerprint());
            Frame reply = conn.request(Frame.builder(FrameType.DATA)
                            .payload("post-quantum")
                            .build())
                    .get(5, TimeUnit.SECONDS);
            try {
                assertThat(reply.payloadAsString()).isEqualTo("echo post-quantum");
            } finally {
                reply.release();
            }
            conn.close();
        }
    }

    @Test
    void providersWithoutMlDsaRefuseTheKeyWhenConfigured() throws Exception {
        PemPair files = selfSigned.written(dir, "self");
        for (TlsProvider provider : new TlsProvider[] {TlsProvider.OPENSSL, TlsProvider.JDK}) {
            if (!provider.isAvailable()) {
                continue;
            }
            assertThatThrownBy(() -> server(files, provider))
                    .isInstanceOf(TlsConfigException.class)
                    .hasMessageContaining("ML-DSA-65 key")
                    .hasMessageContaining(provider.displayName() + " TLS provider cannot use")
                    .hasMessageContaining("BCJSSE provider")
                    .hasMessageContaining("-Dvstp.tls.provider=bc");
            // A client certificate with an ML-DSA key, likewise.
            TlsClientOptions withClientCertificate = client(provider)
                    .pin(selfSigned.fingerprint())
                    .certificateChainFile(files.certificate())
                    .privateKeyFile(files.key())
                    .build();
            assertThatThrownBy(() -> ClientTls.create(withClientCertificate))
                    .isInstanceOf(TlsConfigException.class)
                    .hasMessageContaining("client certificate")
                    .hasMessageContaining("ML-DSA-65 key");
        }
    }

    @Test
    void openSslClientIsRefusedPromptlyByAnMlDsaServer() throws Exception {
        assumeTrue(TlsProvider.OPENSSL.isAvailable(), "BoringSSL (netty-tcnative) is not available here");
        ServerTls serverTls = server(selfSigned.written(dir, "self"), TlsProvider.BOUNCY_CASTLE);
        ClientTls openSsl = ClientTls.create(
                client(TlsProvider.OPENSSL).pin(selfSigned.fingerprint()).build());

        try (EchoServer server = loopback.server(serverTls)) {
            long start = System.nanoTime();
            Outcome client = loopback.connect(server.port(), openSsl);
            // BoringSSL offers no ML-DSA signature scheme, so the server has no certificate it may present and
            // ends the handshake with an alert: a failure, not a wait for the timeout.
            assertThat(client.failure())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("HANDSHAKE_FAILURE");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
            assertThat(server.nextHandshake().failure()).isNotNull();
        }
    }
}
