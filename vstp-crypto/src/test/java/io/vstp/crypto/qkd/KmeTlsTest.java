package io.vstp.crypto.qkd;

import static io.vstp.crypto.qkd.QkdTestPki.CA;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_A;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS contexts for the KME connection built from files, each used for a real exchange with the simulator. */
class KmeTlsTest {
    private static KmeSimulator kme;
    private static final QkdTestPki.Issued SAE = QkdTestPki.sae(CA, SAE_A);

    @TempDir
    Path dir;

    @BeforeAll
    static void startKme() throws Exception {
        kme = KmeSimulator.builder(QkdTestPki.kmeContext()).sae(SAE_A, SAE_B).build().start();
    }

    @AfterAll
    static void stopKme() {
        kme.close();
    }

    private static void assertWorks(SSLContext tls) throws QkdException {
        assertThat(Etsi014Client.builder(kme.url(), tls).build().status(SAE_B).masterSaeId()).isEqualTo(SAE_A);
    }

    @Test
    void pemFilesWithPkcs8Key() throws Exception {
        assertWorks(KmeTls.fromPem(SAE.writeCertificate(dir.resolve("sae.pem")),
                SAE.writePkcs8Key(dir.resolve("sae-key.pem")), QkdTestPki.writeCa(dir.resolve("ca.pem"))));
    }

    @Test
    void pemFilesWithSec1Key() throws Exception {
        Path key = SAE.writeSec1Key(dir.resolve("sae-key.pem"));
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        assertWorks(KmeTls.fromPem(SAE.writeCertificate(dir.resolve("sae.pem")), key,
                QkdTestPki.writeCa(dir.resolve("ca.pem"))));
    }

    @Test
    void pkcs12File() throws Exception {
        char[] password = "changeit".toCharArray();
        assertWorks(KmeTls.fromPkcs12(SAE.writePkcs12(dir.resolve("sae.p12"), password), password,
                QkdTestPki.writeCa(dir.resolve("ca.pem"))));
    }

    @Test
    void aWrongPkcs12PasswordIsNamed() throws Exception {
        Path p12 = SAE.writePkcs12(dir.resolve("sae.p12"), "right".toCharArray());

        assertThatThrownBy(() -> KmeTls.fromPkcs12(p12, "wrong".toCharArray(),
                QkdTestPki.writeCa(dir.resolve("ca.pem"))))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("cannot read PKCS#12 file " + p12)
                .hasMessageContaining("wrong password");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefused() throws Exception {
        Path otherKey = QkdTestPki.sae(CA, SAE_A).writePkcs8Key(dir.resolve("other-key.pem"));

        assertThatThrownBy(() -> KmeTls.fromPem(SAE.writeCertificate(dir.resolve("sae.pem")), otherKey,
                QkdTestPki.writeCa(dir.resolve("ca.pem"))))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("does not belong to the certificate CN=SAE_A");
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDo() throws Exception {
        Path key = Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> KmeTls.readPrivateKey(key))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("is encrypted")
                .hasMessageContaining("PKCS#12");
    }

    @Test
    void filesWithoutWhatIsNeededAreNamed() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");

        assertThatThrownBy(() -> KmeTls.readCertificates(empty))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("no PEM certificate")
                .hasMessageContaining(empty.toString());
        assertThatThrownBy(() -> KmeTls.readPrivateKey(empty))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("holds 0 PEM private keys");
        assertThatThrownBy(() -> KmeTls.readCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("cannot read " + dir.resolve("missing.pem"));
    }

    @Test
    void theChainIsReadInFileOrder() throws Exception {
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, Files.readString(SAE.writeCertificate(dir.resolve("leaf.pem")))
                + Files.readString(QkdTestPki.writeCa(dir.resolve("ca.pem"))));

        assertThat(KmeTls.readCertificates(chain)).containsExactly(SAE.certificate(), CA.certificate());
        assertThat(List.of(KmeTls.readPrivateKey(SAE.writeSec1Key(dir.resolve("k.pem"))).getAlgorithm()))
                .containsExactly("EC");
    }
}
