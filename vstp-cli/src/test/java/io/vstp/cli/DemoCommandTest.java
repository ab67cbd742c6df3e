package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code vstp demo}, the README's first command, really moves and verifies a file over TLS and DTLS. */
class DemoCommandTest {
    @Test
    void demoReportsVerifiedTransfersOverTlsAndDtls() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VstpCommand.execute(
                new String[] {"demo", "--size", "4"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("TLSv1.3")
                .contains("ALPN vstp/1")
                .contains("DTLS 1.2")
                .contains("put/tls")
                .contains("get/tls")
                .contains("put/dtls")
                .contains("get/dtls")
                .contains("p99")
                .contains("OK: 4 MiB moved")
                .contains("with the access token")
                .contains("auth     access token required to write")
                .contains("refused (PERMISSION_DENIED)")
                .contains("e2e      X25519+ML-KEM-768 + ChaCha20-Poly1305: the server stored 4.0 MiB of ciphertext; "
                        + "ML-DSA-65 manifest signature valid; decrypted copy verified");
        assertThat(out.toString()).doesNotContain("MISMATCH");
        if (io.vstp.transport.tls.TlsProvider.OPENSSL.isAvailable()) {
            // The negotiated key exchange is on the tls line: the post-quantum hybrid between two VSTP peers.
            assertThat(out.toString()).containsPattern("(?m)^tls +TLSv1\\.3 \\S+ X25519MLKEM768, ");
        }
    }
}
