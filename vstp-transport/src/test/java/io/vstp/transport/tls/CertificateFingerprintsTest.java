package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CertificateFingerprintsTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void formatsSha256OfDerAsPrefixedLowercaseHex() throws Exception {
        assertThat(CertificateFingerprints.sha256(new byte[0])).isEqualTo("sha256:" + EMPTY_SHA256);

        TestPki.Issued issued = TestPki.selfSigned();
        String expected = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(issued.certificate().getEncoded()));
        assertThat(CertificateFingerprints.sha256(issued.certificate())).isEqualTo("sha256:" + expected);
    }

    @Test
    void parsesUppercaseColonSeparatedAndUnprefixedForms() {
        String colons = EMPTY_SHA256.toUpperCase().replaceAll("(..)(?!$)", "$1:");

        assertThat(CertificateFingerprints.parse("SHA256:" + colons)).isEqualTo("sha256:" + EMPTY_SHA256);
        assertThat(CertificateFingerprints.parse(" " + EMPTY_SHA256 + "\n")).isEqualTo("sha256:" + EMPTY_SHA256);
    }

    @Test
    void rejectsTextThatIsNotASha256Fingerprint() {
        assertThatThrownBy(() -> CertificateFingerprints.parse("sha256:abcd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sha256:abcd");
        assertThatThrownBy(() -> CertificateFingerprints.parse("sha256:" + "zz".repeat(32)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
