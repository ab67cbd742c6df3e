package io.vstp.crypto.qkd;

import static io.vstp.crypto.qkd.QkdTestPki.CA;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_A;
import static io.vstp.crypto.qkd.QkdTestPki.SAE_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS contexts for the KME connection, each used for a real exchange with the simulator. */
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
    void pkcs12File() throws Exception {
        char[] password = "changeit".toCharArray();
        assertWorks(KmeTls.fromPkcs12(SAE.writePkcs12(dir.resolve("sae.p12"), password), password,
                List.of(CA.certificate())));
    }

    @Test
    void aWrongPkcs12PasswordIsNamed() throws Exception {
        Path p12 = SAE.writePkcs12(dir.resolve("sae.p12"), "right".toCharArray());

        assertThatThrownBy(() -> KmeTls.fromPkcs12(p12, "wrong".toCharArray(), List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("cannot read PKCS#12 file " + p12)
                .hasMessageContaining("wrong password");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsRefused() throws Exception {
        PrivateKey otherKey = QkdTestPki.sae(CA, SAE_A).key();

        assertThatThrownBy(() -> KmeTls.context(otherKey, List.of(SAE.certificate()), List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("does not belong to the certificate CN=SAE_A");
    }
}
