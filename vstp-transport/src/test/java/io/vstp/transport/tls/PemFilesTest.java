package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files an operator hands the server: every broken form is one clear error naming the file. */
class PemFilesTest {
    @TempDir
    Path dir;

    @Test
    void brokenMissingAndEmptyCertificateFilesAreNamed() throws Exception {
        Path garbage = Files.writeString(
                dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemFiles.readCertificates(garbage))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("cannot read certificates from " + garbage)
                .hasMessageContaining("malformed");
        Path garbageKey = Files.writeString(
                dir.resolve("garbage-key.pem"),
                "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(garbageKey))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("cannot read private key from " + garbageKey);
        Path text = Files.writeString(dir.resolve("text.pem"), "just some text\n");
        assertThatThrownBy(() -> PemFiles.readCertificates(text))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("no certificate found in " + text)
                .hasMessageContaining("BEGIN CERTIFICATE");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> PemFiles.readCertificates(missing))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("cannot read certificates from " + missing);
    }

    @Test
    void keysThatAreMissingAbsentOrEncryptedAreNamed() throws Exception {
        Path text =
                Files.writeString(dir.resolve("nokey.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(dir.resolve("missing.pem")))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("cannot read private key from");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(Files.writeString(dir.resolve("empty.pem"), "")))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("no private key found");
        Path encrypted = dir.resolve("encrypted.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-aes-256-cbc",
                        "-pass",
                        "pass:secret",
                        "-out",
                        encrypted.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(openssl.waitFor()).isZero();
        assertThatThrownBy(() -> PemFiles.readPrivateKey(encrypted))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("is encrypted")
                .hasMessageContaining("openssl pkey");
        Path plain = dir.resolve("plain.pem");
        Process plainKey = new ProcessBuilder(
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-out",
                        plain.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(plainKey.waitFor()).isZero();
        assertThat(PemFiles.readPrivateKey(plain).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.privateKeyPem(PemFiles.readPrivateKey(plain))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(text).exists();
    }
}
