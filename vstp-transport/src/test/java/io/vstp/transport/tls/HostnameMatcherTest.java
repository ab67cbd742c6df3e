package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.testkit.TestPki;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

class HostnameMatcherTest {
    private static final TestPki.Issued CA = TestPki.ca("test CA");

    private static X509Certificate certificateFor(String... names) {
        return TestPki.server(CA, names).certificate();
    }

    @Test
    void matchesIpAddressesByValue() {
        X509Certificate certificate = certificateFor("127.0.0.1", "::1");

        assertThat(HostnameMatcher.matches(certificate, "127.0.0.1")).isTrue();
        assertThat(HostnameMatcher.matches(certificate, "0:0:0:0:0:0:0:1")).isTrue();
        assertThat(HostnameMatcher.matches(certificate, "[::1]")).isTrue();
        assertThat(HostnameMatcher.matches(certificate, "127.0.0.2")).isFalse();
        assertThat(HostnameMatcher.matches(certificate, "localhost")).isFalse();
    }

    @Test
    void matchesDnsNamesIgnoringCaseAndTrailingDot() {
        X509Certificate certificate = certificateFor("vstp.example.com");

        assertThat(HostnameMatcher.matches(certificate, "VSTP.example.com.")).isTrue();
        assertThat(HostnameMatcher.matches(certificate, "example.com")).isFalse();
        assertThat(HostnameMatcher.matches(certificate, "a.vstp.example.com")).isFalse();
    }

    @Test
    void wildcardStandsForExactlyOneLeftmostLabel() {
        X509Certificate certificate = certificateFor("*.example.com");

        assertThat(HostnameMatcher.matches(certificate, "a.example.com")).isTrue();
        assertThat(HostnameMatcher.matches(certificate, "example.com")).isFalse();
        assertThat(HostnameMatcher.matches(certificate, "a.b.example.com")).isFalse();
        assertThat(HostnameMatcher.matches(certificateFor("*.com"), "example.com"))
                .isFalse();
    }

    @Test
    void describesNamesForErrorMessages() {
        assertThat(HostnameMatcher.describe(certificateFor("vstp.example.com", "10.0.0.1")))
                .isEqualTo("DNS:vstp.example.com, IP:10.0.0.1");
    }
}
