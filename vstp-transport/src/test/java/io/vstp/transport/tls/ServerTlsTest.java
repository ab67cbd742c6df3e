package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.transport.tls.TestPki.Issued;
import io.vstp.transport.tls.TestPki.PemPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server certificate set-up without sockets: the generated self-signed certificate, PEM files, options. */
class ServerTlsTest {
    @TempDir
    Path home;

    private TlsServerOptions.Builder options() {
        return TlsServerOptions.builder().home(home).provider(TlsProvider.JDK);
    }

    @Test
    void generatesSelfSignedCertificateOnceAndReusesIt() throws Exception {
        ServerTls first = ServerTls.create(options().build());
        ServerTls second = ServerTls.create(options().build());

        assertThat(second.certificateFingerprint()).isEqualTo(first.certificateFingerprint());
        Path tls = home.resolve("tls");
        assertThat(tls.resolve("server-cert.pem")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls))).isEqualTo("rwx------");
        assertThat(first.certificateFingerprint()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void generatedCertificateIsEcP256ForLoopbackNamesValid825Days() throws Exception {
        X509Certificate certificate = ServerTls.create(options().selfSignedName("vstp.example.com").build())
                .certificateChain().get(0);

        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(certificate.getPublicKey().toString()).contains("secp256r1");
        List<String> names = new ArrayList<>();
        for (List<?> san : certificate.getSubjectAlternativeNames()) {
            names.add(String.valueOf(san.get(1)));
        }
        assertThat(names).contains("localhost", "127.0.0.1", "vstp.example.com");
        assertThat(names).anyMatch(name -> name.equals("::1") || name.equals("0:0:0:0:0:0:0:1"));
        Duration validity = Duration.between(certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
        assertThat(validity).isEqualTo(Duration.ofDays(825));
        assertThat(HostnameMatcher.matches(certificate, "::1")).isTrue();
    }

    @Test
    void regeneratesExpiredSelfSignedCertificate() throws Exception {
        Issued expired = TestPki.selfSigned(Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)));
        Files.createDirectories(home.resolve("tls"));
        expired.writeTo(home.resolve("tls/server-cert.pem"), home.resolve("tls/server-key.pem"));

        ServerTls tls = ServerTls.create(options().build());

        assertThat(tls.certificateFingerprint()).isNotEqualTo(expired.fingerprint());
        tls.certificateChain().get(0).checkValidity();
    }

    @Test
    void regeneratesUnreadableSelfSignedCertificate() throws Exception {
        String original = ServerTls.create(options().build()).certificateFingerprint();
        Files.writeString(home.resolve("tls/server-cert.pem"), "garbage");

        ServerTls tls = ServerTls.create(options().build());

        assertThat(tls.certificateFingerprint()).isNotEqualTo(original);
        assertThat(ServerTls.create(options().build()).certificateFingerprint()).isEqualTo(tls.certificateFingerprint());
    }

    @Test
    void refusesKeyThatDoesNotBelongToCertificateWithoutShowingTheKey() throws Exception {
        PemPair one = TestPki.selfSigned().written(home, "one");
        Issued two = TestPki.selfSigned();
        PemPair twoFiles = two.written(home, "two");

        assertThatThrownBy(() -> ServerTls.create(options().certificateChainFile(one.certificate())
                .privateKeyFile(twoFiles.key()).build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining(twoFiles.key().toString())
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(two.key().getEncoded()).substring(0, 40));
    }

    @Test
    void refusesMissingCertificateFile() {
        Path missing = home.resolve("missing.pem");

        assertThatThrownBy(() -> ServerTls.create(options().certificateChainFile(missing)
                .privateKeyFile(missing).build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void refusesEncryptedPrivateKey() throws Exception {
        Issued server = TestPki.selfSigned();
        PemPair files = server.written(home, "server");
        PemObject encrypted = new JcaPKCS8Generator(server.key(),
                new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()) // not registered: PKCS7Padding is BC's name
                        .setPassword("secret".toCharArray()).build()).generate();
        try (PemWriter writer = new PemWriter(Files.newBufferedWriter(files.key()))) {
            writer.writeObject(encrypted);
        }

        assertThatThrownBy(() -> ServerTls.create(options().certificateChainFile(files.certificate())
                .privateKeyFile(files.key()).build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining(files.key().toString())
                .hasMessageContaining("is encrypted");
    }

    @Test
    void certificateAndKeyFilesMustBeSetTogether() {
        assertThatThrownBy(() -> options().certificateChainFile(home.resolve("cert.pem")).build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("both");
    }

    @Test
    void homeComesFromSystemPropertyWhenNotSet() {
        String previous = System.getProperty("vstp.home");
        System.setProperty("vstp.home", home.toString());
        try {
            assertThat(TlsServerOptions.defaults().home()).isEqualTo(home.toAbsolutePath());
            assertThat(TlsClientOptions.defaults().knownHostsFile()).isEqualTo(home.resolve("known_hosts"));
        } finally {
            restore("vstp.home", previous);
        }
    }

    @Test
    void providerPropertyForcesJdkOrBcjsseAndRejectsUnknownNames() {
        String previous = System.getProperty(TlsProvider.PROPERTY);
        try {
            System.setProperty(TlsProvider.PROPERTY, "jdk");
            TlsServerOptions unforced = TlsServerOptions.builder().home(home).build();
            assertThat(ServerTls.create(unforced).provider()).isEqualTo("JDK");
            assertThat(ClientTls.create(TlsClientOptions.builder().home(home).build()).provider()).isEqualTo("JDK");

            System.setProperty(TlsProvider.PROPERTY, "bc");
            assertThat(ServerTls.create(unforced).provider()).isEqualTo("BCJSSE");
            assertThat(ClientTls.create(TlsClientOptions.builder().home(home).build()).provider())
                    .isEqualTo("BCJSSE");

            System.setProperty(TlsProvider.PROPERTY, "wolfssl");
            assertThatThrownBy(() -> ServerTls.create(unforced))
                    .isInstanceOf(TlsConfigException.class)
                    .hasMessageContaining("openssl, jdk or bc");
        } finally {
            restore(TlsProvider.PROPERTY, previous);
        }
    }

    @Test
    void prefersOpenSslWhenItLoads() {
        String previous = System.getProperty(TlsProvider.PROPERTY);
        System.clearProperty(TlsProvider.PROPERTY);
        try {
            String expected = TlsProvider.OPENSSL.isAvailable() ? "OpenSSL" : "JDK";
            assertThat(ServerTls.create(TlsServerOptions.builder().home(home).build()).provider())
                    .isEqualTo(expected);
        } finally {
            restore(TlsProvider.PROPERTY, previous);
        }
    }

    private static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }
}
