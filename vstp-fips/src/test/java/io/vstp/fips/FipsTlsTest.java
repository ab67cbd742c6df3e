package io.vstp.fips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.testing.Resources;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.fips.NotFipsApprovedException;
import io.vstp.transport.tls.ClientTls;
import io.vstp.transport.tls.ServerTls;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsProtocols;
import io.vstp.transport.tls.TlsProvider;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.fips.FipsStatus;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In FIPS mode a real VSTP server and client on 127.0.0.1 run TLS 1.3 on BCJSSE over the BouncyCastle FIPS module
 * (approved-only), with an AES-GCM suite and a NIST group as the server's own ServerHello shows them; what FIPS
 * mode does not have is refused by name.
 */
class FipsTlsTest {
    private static final String CHACHA20 = "TLS_CHACHA20_POLY1305_SHA256";

    @TempDir
    Path dir;

    private final Resources resources = new Resources();

    @BeforeAll
    static void fipsMode() {
        FipsBootstrap.install();
    }

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private VstpServer server(TlsServerOptions.Builder tls) throws Exception {
        return resources.use(VstpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .threads(1)
                .tls(tls.home(dir.resolve("server")).build())
                .start());
    }

    private VstpConnection connect(int port, TlsClientOptions.Builder tls) throws Exception {
        VstpClient client = resources.use(VstpClient.builder()
                .threads(1)
                .tls(tls.home(dir.resolve("client")).trustOnFirstUse(true).build())
                .build());
        return resources.use(client.connect("127.0.0.1", port).get(20, TimeUnit.SECONDS));
    }

    @Test
    void theJvmRunsOnTheFipsModuleInApprovedOnlyMode() {
        assertThat(FipsMode.active()).isTrue();
        assertThat(FipsStatus.isReady()).isTrue();
        assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).isTrue();
        assertThat(Arrays.stream(Security.getProviders()).map(Provider::getName))
                .containsExactly("BCFIPS", "BCJSSE", "SUN");
        assertThat(((BouncyCastleJsseProvider) Security.getProvider("BCJSSE")).isFipsMode())
                .isTrue();
        // What SunJCE and SunEC would otherwise hand out is not there at all.
        assertThatThrownBy(() -> Cipher.getInstance("ChaCha20-Poly1305")).isInstanceOf(NoSuchAlgorithmException.class);
        assertThatThrownBy(() -> KeyPairGenerator.getInstance("X25519")).isInstanceOf(NoSuchAlgorithmException.class);
        assertThat(FipsMode.describe())
                .contains("FIPS edition")
                .contains("approved-only")
                .contains("JSSE");
    }

    @Test
    void handshakeRunsOnBcjsseWithAesGcmAndANistGroup() throws Exception {
        VstpServer server = server(TlsServerOptions.builder());
        assertThat(server.tlsProvider())
                .isEqualTo(TlsProvider.FIPS.displayName())
                .isEqualTo("BCJSSE FIPS");
        try (RecordingRelay relay = new RecordingRelay(server.port())) {
            VstpConnection connection = connect(relay.port(), TlsClientOptions.builder());
            assertThat(connection.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(connection.tlsCipherSuite()).isIn(TlsProtocols.FIPS_CIPHER_SUITES);
            assertThat(connection.applicationProtocol()).isEqualTo(TlsProtocols.ALPN_VSTP_1);
            assertThat(connection.ping().get(10, TimeUnit.SECONDS)).isPositive();

            ServerHello hello = ServerHello.parse(relay.fromServer());
            assertThat(hello.cipherSuite())
                    .as("TLS_AES_128_GCM_SHA256 or TLS_AES_256_GCM_SHA384")
                    .isIn(0x1301, 0x1302);
            assertThat(hello.keyShareGroup())
                    .as("secp256r1 or secp384r1")
                    .isIn(ServerHello.SECP256R1, ServerHello.SECP384R1);
        }
        assertThat(server.stats().tlsHandshakesByGroup().values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .isEqualTo(1);
    }

    @Test
    void theSelfSignedCertificateIsEcdsaP256() throws Exception {
        server(TlsServerOptions.builder());
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(dir.resolve("server/tls/server-cert.pem"))) {
            certificate =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(certificate.getSigAlgName()).isEqualToIgnoringCase("SHA256withECDSA");
        AlgorithmParameters p256 = AlgorithmParameters.getInstance("EC");
        p256.init(new ECGenParameterSpec("secp256r1"));
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getOrder())
                .isEqualTo(p256.getParameterSpec(ECParameterSpec.class).getOrder());
    }

    @Test
    void anApprovedSuiteAskedForIsTheOneUsed() throws Exception {
        List<String> aes128 = List.of("TLS_AES_128_GCM_SHA256");
        VstpServer server = server(TlsServerOptions.builder().cipherSuites(aes128));
        VstpConnection connection =
                connect(server.port(), TlsClientOptions.builder().cipherSuites(aes128));
        assertThat(connection.tlsCipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
    }

    @Test
    void chaCha20IsRefusedByNameOnBothSides() {
        assertThatThrownBy(() -> ClientTls.create(TlsClientOptions.builder()
                        .home(dir.resolve("client"))
                        .cipherSuites(List.of("TLS_AES_128_GCM_SHA256", CHACHA20))
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessage("TLS cipher suite TLS_CHACHA20_POLY1305_SHA256 is not available in FIPS mode: "
                        + "ChaCha20-Poly1305 is not a FIPS-approved cipher; FIPS mode offers AES-GCM: "
                        + "TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256");
        assertThatThrownBy(() -> ServerTls.create(TlsServerOptions.builder()
                        .home(dir.resolve("server"))
                        .cipherSuites(List.of(CHACHA20))
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageContaining(CHACHA20)
                .hasMessageContaining("not a FIPS-approved cipher");
    }

    @Test
    void nonNistGroupsAreRefusedByName() {
        assertThatThrownBy(() -> ClientTls.create(TlsClientOptions.builder()
                        .home(dir.resolve("client"))
                        .groups(List.of("X25519"))
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageStartingWith("TLS key-exchange group X25519 is not available in FIPS mode")
                .hasMessageContaining("P-256 and P-384");
        assertThatThrownBy(() -> ServerTls.create(TlsServerOptions.builder()
                        .home(dir.resolve("server"))
                        .groups(List.of("X25519MLKEM768", "P-256", "P-384"))
                        .build()))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageStartingWith("TLS key-exchange group X25519MLKEM768 is not available in FIPS mode")
                .hasMessageContaining("ML-KEM");
        // The NIST groups themselves, under either name, are what FIPS mode uses anyway.
        assertThat(ClientTls.create(TlsClientOptions.builder()
                                .home(dir.resolve("client"))
                                .groups(List.of("secp384r1", "P-256"))
                                .build())
                        .provider())
                .isEqualTo("BCJSSE FIPS");
    }

    @Test
    void otherTlsProvidersAreRefused() {
        for (TlsProvider other : List.of(TlsProvider.OPENSSL, TlsProvider.JDK)) {
            assertThatThrownBy(() -> ClientTls.create(TlsClientOptions.builder()
                            .home(dir.resolve("client"))
                            .provider(other)
                            .build()))
                    .isInstanceOf(NotFipsApprovedException.class)
                    .hasMessageContaining("TLS provider " + other.displayName())
                    .hasMessageContaining("FIPS mode runs TLS only on BCJSSE FIPS");
        }
    }

    @Test
    void dtlsIsRefusedBecauseItRunsOutsideTheModule() {
        DtlsClientOptions dtls = DtlsClientOptions.builder()
                .tls(TlsClientOptions.builder().home(dir.resolve("client")).build())
                .build();
        assertThatThrownBy(() -> VstpUdpEndpoint.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .dtlsClient(dtls)
                        .start())
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessageStartingWith("DTLS (UDP) is not available in FIPS mode")
                .hasMessageContaining("use TCP");
    }

    @Test
    void theRefusalOtherModulesCallNamesWhatAndWhy() {
        assertThatThrownBy(() -> FipsMode.refuse(
                        "X25519+ML-KEM-768 end-to-end encryption", "X25519 is not an approved key agreement"))
                .isInstanceOf(NotFipsApprovedException.class)
                .hasMessage("X25519+ML-KEM-768 end-to-end encryption is not available in FIPS mode: "
                        + "X25519 is not an approved key agreement")
                .extracting(e -> ((NotFipsApprovedException) e).algorithm())
                .isEqualTo("X25519+ML-KEM-768 end-to-end encryption");
    }

    /** The parser the handshake test relies on tells a non-FIPS choice (ChaCha20, X25519) apart too. */
    @Test
    void theServerHelloParserReadsSuiteAndGroup() {
        byte[] hello = {
            22, 3, 3, 0, 0, 2, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0x13, 0x03, 0, 0, 14, 0, 43, 0, 2, 3, 4, 0, 51, 0, 4, 0x00, 0x1d, 0, 0
        };
        assertThat(ServerHello.parse(hello)).isEqualTo(new ServerHello(0x1303, ServerHello.X25519));
    }
}
