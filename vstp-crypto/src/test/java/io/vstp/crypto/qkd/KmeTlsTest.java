package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.qkd.KmeSimulator;
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
    private static final String SAE_A = "SAE_A";
    private static final String SAE_B = "SAE_B";
    private static final Issued CA = TestPki.ca("VSTP QKD test CA");
    /** The KME's side: a server certificate for 127.0.0.1, trusting SAE certificates from {@link #CA}. */
    private static final SSLContext KME_TLS = TestPki.server(CA, "127.0.0.1").tlsContext(CA);

    private static KmeSimulator kme;
    private static final Issued SAE = TestPki.client(CA, SAE_A);

    @TempDir
    Path dir;

    @BeforeAll
    static void startKme() throws Exception {
        kme = KmeSimulator.builder(KME_TLS).sae(SAE_A, SAE_B).build().start();
    }

    @AfterAll
    static void stopKme() {
        kme.close();
    }

    private static void assertWorks(SSLContext tls) throws QkdException {
        assertThat(Etsi014Client.builder(kme.url(), tls).build().status(SAE_B).masterSaeId())
                .isEqualTo(SAE_A);
    }

    @Test
    void pkcs12File() throws Exception {
        char[] password = "changeit".toCharArray();
        assertWorks(KmeTls.fromPkcs12(
                SAE.writePkcs12(dir.resolve("sae.p12"), password), password, List.of(CA.certificate())));
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
        PrivateKey otherKey = TestPki.client(CA, SAE_A).key();

        assertThatThrownBy(() -> KmeTls.context(otherKey, List.of(SAE.certificate()), List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("does not belong to the certificate CN=SAE_A");
    }

    /** The files an operator may give by mistake: a trust store, a file of two identities, a huge or missing file. */
    @Test
    void aPkcs12FileOfOtherThanOneKeyOrAnUnreadableFileIsRefusedNamingIt() throws Exception {
        char[] password = "changeit".toCharArray();
        java.security.KeyStore trustStore = java.security.KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", CA.certificate());
        Path noKey = store(trustStore, dir.resolve("truststore.p12"), password);
        assertThatThrownBy(() -> KmeTls.fromPkcs12(noKey, password, List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessage(noKey + " holds 0 private keys; it must hold exactly one, the SAE's (or the KME's)");

        Issued other = TestPki.client(CA, SAE_B);
        java.security.KeyStore two = java.security.KeyStore.getInstance("PKCS12");
        two.load(null, null);
        two.setKeyEntry("a", SAE.key(), password, new java.security.cert.Certificate[] {SAE.certificate()});
        two.setKeyEntry("b", other.key(), password, new java.security.cert.Certificate[] {other.certificate()});
        Path twoKeys = store(two, dir.resolve("both.p12"), password);
        assertThatThrownBy(() -> KmeTls.fromPkcs12(twoKeys, password, List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessage(twoKeys + " holds 2 private keys; it must hold exactly one, the SAE's (or the KME's)");

        Path huge = java.nio.file.Files.write(dir.resolve("huge.p12"), new byte[(1 << 20) + 1]);
        assertThatThrownBy(() -> KmeTls.fromPkcs12(huge, password, List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessage(huge + " is larger than 1048576 bytes; is it the right file?");

        Path missing = dir.resolve("missing.p12");
        assertThatThrownBy(() -> KmeTls.fromPkcs12(missing, password, List.of(CA.certificate())))
                .isInstanceOf(QkdException.class)
                .hasMessage("cannot read " + missing + ": java.nio.file.NoSuchFileException: " + missing);
    }

    @Test
    void aContextNeedsACertificateAndCasToTrust() {
        assertThatThrownBy(() -> KmeTls.context(SAE.key(), List.of(), List.of(CA.certificate())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty certificate chain");
        assertThatThrownBy(() -> KmeTls.context(SAE.key(), List.of(SAE.certificate()), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no trusted CA certificates");
    }

    private static Path store(java.security.KeyStore store, Path file, char[] password) throws Exception {
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            store.store(out, password);
        }
        return file;
    }
}
