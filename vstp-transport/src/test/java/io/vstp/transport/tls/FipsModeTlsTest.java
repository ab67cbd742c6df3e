package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.fips.NotFipsApprovedException;
import io.vstp.transport.tls.TlsLoopback.EchoServer;
import io.vstp.transport.tls.TlsLoopback.Outcome;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIPS mode as this module sees it: the switch is {@code -Dvstp.fips=true}, the TLS stack is whatever
 * {@value FipsMode#JSSE_PROVIDER} provider is installed in its FIPS mode. Here, with the regular BouncyCastle jars,
 * that is BCJSSE in FIPS mode over the regular BouncyCastle provider, installed by the test as the vstp-fips
 * bootstrap installs its own; the validated module itself runs in vstp-fips's tests. What is checked here is VSTP's
 * part: the provider choice, the suites and groups it asks for and refuses by name, and what it refuses when FIPS
 * mode is switched on without the FIPS providers.
 */
class FipsModeTlsTest {
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

    @AfterEach
    void leaveFipsMode() {
        System.clearProperty(FipsMode.PROPERTY);
        System.clearProperty(TlsProvider.PROPERTY);
        Security.removeProvider(FipsMode.JSSE_PROVIDER);
    }

    /** Switches FIPS mode on; with {@code installJsse}, BCJSSE in its FIPS mode is installed as the bootstrap does. */
    private static void fipsMode(boolean installJsse) {
        assertThat(Security.getProvider(FipsMode.JSSE_PROVIDER))
                .as("no BCJSSE registered by anyone else")
                .isNull();
        if (installJsse) {
            Security.addProvider(new BouncyCastleJsseProvider(true, new BouncyCastleProvider()));
        }
        System.setProperty(FipsMode.PROPERTY, "true");
    }

    private TlsServerOptions.Builder server(PemPair files) {
        return TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key());
    }

    private TlsClientOptions.Builder client() {
        return TlsClientOptions.builder().home(dir.resolve("client")).trustSystemCertificates(false);
    }

    @Test
    void theFipsProviderNeedsFipsModeAndTheFipsBuild() {
        assertThat(TlsProvider.FIPS.isAvailable()).isFalse();
        assertThatThrownBy(() -> ServerTls.create(TlsServerOptions.builder()
                        .home(dir)
                        .provider(TlsProvider.FIPS)
                        .build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("TLS provider BCJSSE FIPS needs FIPS mode")
                .hasMessageContaining("vstp-fips");

        // Switched on by hand, without the FIPS providers: nothing runs outside FIPS mode instead.
        fipsMode(false);
        assertThat(TlsProvider.FIPS.isAvailable()).isFalse();
        assertThat(TlsProvider.BOUNCY_CASTLE.isAvailable()).isFalse();
        assertThatThrownBy(() -> ClientTls.create(client().build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining(
                        "FIPS mode is on (-Dvstp.fips=true) but no BCJSSE provider in FIPS mode is " + "installed");
        assertThatThrownBy(() -> SelfSignedCertificates.generate(List.of("localhost"), java.time.Duration.ofDays(1)))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("FIPS mode is on but the BCFIPS provider is not installed");
    }

    @Test
    void otherProvidersAreRefusedByNameInFipsMode() {
        fipsMode(true);
        assertThat(TlsProvider.FIPS.isAvailable()).isTrue();
        assertThatThrownBy(() -> ServerTls.create(TlsServerOptions.builder()
                        .home(dir)
                        .provider(TlsProvider.JDK)
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS provider JDK (set in the options) is not available in FIPS mode")
                .hasMessageContaining("BCJSSE FIPS");

        System.setProperty(TlsProvider.PROPERTY, " openssl ");
        assertThatThrownBy(() -> ClientTls.create(client().build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS provider openssl (-Dvstp.tls.provider) is not available in FIPS mode");
    }

    @Test
    void handshakeRunsOnBcjsseInFipsModeWithAnApprovedSuite() throws Exception {
        PemPair files = TestPki.selfSigned().written(dir, "server");
        fipsMode(true);
        ServerTls serverTls = ServerTls.create(server(files).build());
        ClientTls clientTls = ClientTls.create(
                client().pin(serverTls.certificateFingerprint()).build());
        assertThat(serverTls.provider()).isEqualTo("BCJSSE FIPS");
        assertThat(clientTls.provider()).isEqualTo("BCJSSE FIPS");

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            Outcome serverSide = server.nextHandshake();
            assertThat(client.failure()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
            assertThat(client.cipherSuite()).isIn(TlsProtocols.FIPS_CIPHER_SUITES);
            assertThat(client.applicationProtocol()).isEqualTo("vstp/1");
            assertThat(client.peerFingerprint()).isEqualTo(serverTls.certificateFingerprint());
            assertThat(serverSide.failure()).isNull();
        }

        // An approved suite asked for on both sides is the one negotiated; the groups under their IANA names pass.
        ServerTls only128 = ServerTls.create(server(files)
                .cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
                .groups(List.of("secp384r1", "SECP256R1"))
                .build());
        ClientTls client128 = ClientTls.create(client().pin(only128.certificateFingerprint())
                .cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
                .groups(List.of("P-256", "P-384"))
                .build());
        try (EchoServer server = loopback.server(only128)) {
            Outcome client = loopback.connect(server.port(), client128);
            assertThat(client.failure()).isNull();
            assertThat(client.cipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
        }
    }

    @Test
    void unapprovedSuitesAndGroupsAreRefusedByName() throws Exception {
        PemPair files = TestPki.selfSigned().written(dir, "server");
        fipsMode(true);

        assertThatThrownBy(() -> ServerTls.create(server(files)
                        .cipherSuites(List.of("TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"))
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS cipher suite TLS_CHACHA20_POLY1305_SHA256 is not available in FIPS mode")
                .hasMessageContaining("ChaCha20-Poly1305 is not a FIPS-approved cipher")
                .hasMessageContaining("TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256");
        assertThatThrownBy(() -> ClientTls.create(
                        client().cipherSuites(List.of("TLS_AES_128_CCM_SHA256")).build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS cipher suite TLS_AES_128_CCM_SHA256")
                .hasMessageContaining("FIPS mode offers only TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256")
                .hasMessageNotContaining("ChaCha20");

        assertThatThrownBy(() -> ClientTls.create(
                        client().groups(List.of("X25519MLKEM768", "P-256")).build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS key-exchange group X25519MLKEM768")
                .hasMessageContaining("the FIPS module has no ML-KEM")
                .hasMessageContaining("ECDH over P-256 and P-384");
        assertThatThrownBy(() ->
                        ServerTls.create(server(files).groups(List.of("x25519")).build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining("TLS key-exchange group x25519")
                .hasMessageNotContaining("ML-KEM")
                .hasMessageContaining("ECDH over P-256 and P-384");
        // The groups are set for the whole process: a narrower choice is refused, not silently widened.
        assertThatThrownBy(() ->
                        ServerTls.create(server(files).groups(List.of("P-256")).build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("choosing among them per server or client is not supported (got [P-256])");
    }

    @Test
    void mlDsaIsRefusedInFipsMode() throws Exception {
        Issued mlDsa = TestPki.selfSigned(TestPki.KeyType.ML_DSA_44);
        PemPair files = mlDsa.written(dir, "ml-dsa");
        fipsMode(true);

        assertThatThrownBy(() -> ServerTls.create(server(files).build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("the private key in " + files.key() + " is an ML-DSA-44 key")
                .hasMessageContaining("FIPS mode does not use ML-DSA certificates");
        assertThatThrownBy(() -> CertificateKeyType.ML_DSA_87.generateKeyPair())
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("ML-DSA-87 keys are not available in VSTP's FIPS mode");
        assertThatThrownBy(() -> CertificateKeyType.certificateSigner(mlDsa.key()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("ML-DSA-44 keys are not available in VSTP's FIPS mode");
        // A key already in memory (read before FIPS mode was on) is refused where the provider takes it.
        CertifiedKey inMemory = new CertifiedKey(List.of(mlDsa.certificate()), mlDsa.key());
        assertThatThrownBy(() -> TlsProvider.FIPS.requireUsable(inMemory, "the server certificate x.pem"))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("the server certificate x.pem (" + mlDsa.fingerprint() + ") has an ML-DSA-44 key")
                .hasMessageContaining("use an EC P-256 certificate");
    }
}
