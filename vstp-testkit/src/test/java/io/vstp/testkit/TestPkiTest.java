package io.vstp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.KeyType;
import io.vstp.testkit.TestPki.PemPair;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestPkiTest {
    private static final Issued CA = TestPki.ca("kit CA");
    /** FIPS 204 / RFC 9881 signature algorithm identifiers. */
    private static final Map<KeyType, String> ML_DSA_OIDS = Map.of(
            KeyType.ML_DSA_44,
            "2.16.840.1.101.3.4.3.17",
            KeyType.ML_DSA_65,
            "2.16.840.1.101.3.4.3.18",
            KeyType.ML_DSA_87,
            "2.16.840.1.101.3.4.3.19");

    @TempDir
    Path dir;

    @Test
    void aCaSignsItselfAndMayIssueCertificates() throws Exception {
        X509Certificate ca = CA.certificate();
        ca.verify(ca.getPublicKey());
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=kit CA");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    }

    @Test
    void aServerCertificateCarriesItsNamesAndIsSignedByItsCa() throws Exception {
        X509Certificate server =
                TestPki.server(CA, "127.0.0.1", "localhost", "::1").certificate();
        server.verify(CA.certificate().getPublicKey());
        assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
        assertThat(server.getIssuerX500Principal()).isEqualTo(CA.certificate().getSubjectX500Principal());
        assertThat(server.getBasicConstraints()).as("an end entity").isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getSubjectAlternativeNames())
                .containsExactly(List.of(7, "127.0.0.1"), List.of(2, "localhost"), List.of(7, "0:0:0:0:0:0:0:1"));
    }

    @Test
    void aClientCertificateIsNamedByItsCommonNameOnly() throws Exception {
        X509Certificate client = TestPki.client(CA, "SAE_A").certificate();
        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=SAE_A");
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(client.getSubjectAlternativeNames()).isNull();
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void everyKeyTypeMakesAChainSignedWithItsOwnKind(KeyType type) throws Exception {
        Issued ca = TestPki.ca("CA " + type, type);
        X509Certificate server = TestPki.server(ca, type, "127.0.0.1").certificate();
        if (type == KeyType.EC_P256) {
            server.verify(ca.certificate().getPublicKey());
            assertThat(server.getSigAlgName()).isEqualTo("SHA256withECDSA");
        } else {
            // The JDK knows ML-DSA keys only as encodings: BouncyCastle verifies.
            BouncyCastleProvider bc = new BouncyCastleProvider();
            server.verify(
                    KeyFactory.getInstance("ML-DSA", bc)
                            .generatePublic(new X509EncodedKeySpec(
                                    ca.certificate().getPublicKey().getEncoded())),
                    bc);
            assertThat(server.getSigAlgOID()).isEqualTo(ML_DSA_OIDS.get(type));
        }
    }

    @Test
    void selfSignedCertificatesMayBeExpiredOrNotYetValid() throws Exception {
        Instant now = Instant.now();
        X509Certificate expired = TestPki.selfSigned(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)))
                .certificate();
        X509Certificate early = TestPki.selfSigned(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)))
                .certificate();
        assertThatThrownBy(expired::checkValidity).isInstanceOf(CertificateExpiredException.class);
        assertThatThrownBy(early::checkValidity).isInstanceOf(CertificateNotYetValidException.class);
        TestPki.selfSigned().certificate().checkValidity();
        assertThat(TestPki.selfSigned(KeyType.ML_DSA_44).certificate().getSigAlgOID())
                .isEqualTo(ML_DSA_OIDS.get(KeyType.ML_DSA_44));
    }

    @Test
    void writesPemFilesTheJdkReads() throws Exception {
        Issued server = TestPki.server(CA, "localhost");
        PemPair files = server.written(dir, "server");
        assertThat(files.certificate()).hasFileName("server-cert.pem");
        assertThat(Files.readString(files.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        try (InputStream in = Files.newInputStream(files.certificate())) {
            assertThat(CertificateFactory.getInstance("X.509").generateCertificate(in))
                    .isEqualTo(server.certificate());
        }
    }

    @Test
    void writesPkcs12WithTheKeyAndItsCertificate() throws Exception {
        Issued client = TestPki.client(CA, "alice");
        char[] password = "changeit".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(client.writePkcs12(dir.resolve("alice.p12"), password))) {
            store.load(in, password);
        }
        assertThat(store.getKey("key", password)).isEqualTo(client.key());
        assertThat(store.getCertificate("key")).isEqualTo(client.certificate());
    }

    @Test
    void theFingerprintIsTheSha256OfTheDerEncoding() {
        Issued one = TestPki.selfSigned();
        assertThat(one.fingerprint())
                .matches("sha256:[0-9a-f]{64}")
                .isEqualTo(one.fingerprint())
                .isNotEqualTo(TestPki.selfSigned().fingerprint());
    }
}
