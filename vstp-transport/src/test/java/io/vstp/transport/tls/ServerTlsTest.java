package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
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
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls)))
                .isEqualTo("rwx------");
        assertThat(first.certificateFingerprint()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void generatedCertificateIsEcP256ForLoopbackNamesValid825Days() throws Exception {
        X509Certificate certificate = ServerTls.create(
                        options().selfSignedName("vstp.example.com").build())
                .certificateChain()
                .get(0);

        assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(certificate.getPublicKey().toString()).contains("secp256r1");
        List<String> names = new ArrayList<>();
        for (List<?> san : certificate.getSubjectAlternativeNames()) {
            names.add(String.valueOf(san.get(1)));
        }
        assertThat(names).contains("localhost", "127.0.0.1", "vstp.example.com");
        assertThat(names).anyMatch(name -> name.equals("::1") || name.equals("0:0:0:0:0:0:0:1"));
        Duration validity = Duration.between(
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
        assertThat(validity).isEqualTo(Duration.ofDays(825));
        assertThat(HostnameMatcher.matches(certificate, "::1")).isTrue();
    }

    @Test
    void regeneratesExpiredSelfSignedCertificate() throws Exception {
        Issued expired = TestPki.selfSigned(
                Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
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
        assertThat(ServerTls.create(options().build()).certificateFingerprint())
                .isEqualTo(tls.certificateFingerprint());
    }

    @Test
    void regeneratesSelfSignedCertificateNotYetValid() throws Exception {
        Issued early = TestPki.selfSigned(
                Instant.now().plus(Duration.ofDays(2)), Instant.now().plus(Duration.ofDays(9)));
        Files.createDirectories(home.resolve("tls"));
        early.writeTo(home.resolve("tls/server-cert.pem"), home.resolve("tls/server-key.pem"));

        try (CapturedLog log = new CapturedLog()) {
            ServerTls tls = ServerTls.create(options().build());

            assertThat(tls.certificateFingerprint()).isNotEqualTo(early.fingerprint());
            tls.certificateChain().get(0).checkValidity();
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("replaced the self-signed TLS certificate in " + home.resolve("tls/server-cert.pem"))
                    .contains(
                            "the old one " + early.fingerprint() + " is not valid before",
                            "is the clock right?",
                            "the new one is " + tls.certificateFingerprint());
        }
    }

    @Test
    void replacesSelfSignedPairWhoseKeyFileHoldsAKeyOfAnotherType() throws Exception {
        String original = ServerTls.create(options().build()).certificateFingerprint();
        Path keyFile = home.resolve("tls/server-key.pem");
        Files.writeString(
                keyFile,
                PemFiles.privateKeyPem(
                        KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate()));

        try (CapturedLog log = new CapturedLog()) {
            ServerTls tls = ServerTls.create(options().build());

            assertThat(tls.certificateFingerprint()).isNotEqualTo(original);
            assertThat(CertifiedKey.read(home.resolve("tls/server-cert.pem"), keyFile)
                            .fingerprint())
                    .isEqualTo(tls.certificateFingerprint());
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("the private key in " + keyFile + " does not belong to the certificate in "
                            + home.resolve("tls/server-cert.pem") + " (" + original + ")")
                    .contains("Clients that pinned the old one will refuse this server");
        }
    }

    @Test
    void warnsButKeepsASelfSignedKeyOthersCanRead() throws Exception {
        String original = ServerTls.create(options().build()).certificateFingerprint();
        Path keyFile = home.resolve("tls/server-key.pem");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

        try (CapturedLog log = new CapturedLog()) {
            assertThat(ServerTls.create(options().build()).certificateFingerprint())
                    .isEqualTo(original);
            assertThat(log.warnings())
                    .containsExactly(
                            keyFile + " is readable by other users (mode rw-r--r--); " + "run: chmod 600 " + keyFile);
        }
    }

    @Test
    void aTlsDirectoryThatIsAFileIsReportedWithWhatToDo() throws Exception {
        Files.writeString(home.resolve("tls"), "not a directory");

        assertThatThrownBy(() -> ServerTls.create(options().build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(
                        "cannot create or read the self-signed server certificate in " + home.resolve("tls"))
                .hasMessageEndingWith("(set another VSTP home, or configure certificate files)");
        assertThat(Files.readString(home.resolve("tls"))).isEqualTo("not a directory");
    }

    @Test
    void refusesConfiguredKeysOfAnotherType() throws Exception {
        PemPair files = TestPki.selfSigned().written(home, "server");
        for (String algorithm : new String[] {"RSA", "Ed25519"}) {
            Files.writeString(
                    files.key(),
                    PemFiles.privateKeyPem(KeyPairGenerator.getInstance(algorithm)
                            .generateKeyPair()
                            .getPrivate()));
            assertThatThrownBy(() -> ServerTls.create(options()
                            .certificateChainFile(files.certificate())
                            .privateKeyFile(files.key())
                            .build()))
                    .as(algorithm)
                    .isInstanceOf(TlsConfigException.class)
                    .hasMessageContaining("the private key in " + files.key() + " does not belong to the certificate");
        }
    }

    @Test
    void readsSec1EcKeysAsOpenSslWritesThemWithOrWithoutThePublicKey() throws Exception {
        Issued server = TestPki.selfSigned();
        PemPair files = server.written(home, "server");
        // 'openssl ec' writes SEC1 ("EC PRIVATE KEY"); the public key in it is optional (-no_public leaves it out).
        for (List<String> options : List.of(List.<String>of(), List.of("-no_public"))) {
            Path sec1 = home.resolve("sec1" + String.join("", options) + ".pem");
            List<String> command =
                    new ArrayList<>(List.of("openssl", "ec", "-in", files.key().toString(), "-out", sec1.toString()));
            command.addAll(options);
            Process openssl =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            assertThat(openssl.waitFor())
                    .as(new String(openssl.getInputStream().readAllBytes()))
                    .isZero();
            assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

            ServerTls tls = ServerTls.create(options()
                    .certificateChainFile(files.certificate())
                    .privateKeyFile(sec1)
                    .build());
            assertThat(tls.certificateFingerprint()).as(sec1.toString()).isEqualTo(server.fingerprint());
        }
    }

    @Test
    void aBrokenReplacementIsReportedOnceAndForgottenWhenReverted() throws Exception {
        Issued server = TestPki.selfSigned();
        PemPair files = server.written(home, "server");
        TlsServerOptions configured = options()
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .reloadCheckInterval(Duration.ZERO)
                .build();
        ServerTls tls = ServerTls.create(configured);
        assertThat(tls.options()).isSameAs(configured);
        byte[] original = Files.readAllBytes(files.certificate());
        FileTime originalTime = Files.getLastModifiedTime(files.certificate());

        try (CapturedLog log = new CapturedLog()) {
            Files.writeString(files.certificate(), "-----BEGIN CERTIFICATE-----\nhalf written");
            tls.newHandler(ByteBufAllocator.DEFAULT);
            tls.newHandler(ByteBufAllocator.DEFAULT);
            assertThat(tls.lastReloadFailure())
                    .get()
                    .asString()
                    .contains(files.certificate().toString());
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("keeping server TLS certificate " + server.fingerprint());

            // The edit undone in place (same bytes, same time): nothing to reload, nothing failing.
            Files.write(files.certificate(), original);
            Files.setLastModifiedTime(files.certificate(), originalTime);
            tls.newHandler(ByteBufAllocator.DEFAULT);
            assertThat(tls.lastReloadFailure()).isEmpty();
            assertThat(tls.certificateFingerprint()).isEqualTo(server.fingerprint());

            // A key file gone mid-replacement: the running certificate stays, and the failure says which.
            Files.delete(files.key());
            tls.newHandler(ByteBufAllocator.DEFAULT);
            assertThat(tls.lastReloadFailure()).contains("cannot read TLS files: file does not exist");
            assertThat(tls.certificateFingerprint()).isEqualTo(server.fingerprint());
            assertThat(log.warnings()).hasSize(2);
        }
    }

    @Test
    void withTheJdkProviderTicketKeysAreTheJdksOwn() {
        try (CapturedLog log = new CapturedLog()) {
            ServerTls tls = ServerTls.create(
                    options().sessionTicketKeyRotation(Duration.ofMinutes(5)).build());

            assertThat(tls.sessionTicketKeyRotation()).isEmpty();
            assertThat(tls.sessionTicketKeyRotations()).isZero();
            assertThatThrownBy(tls::rotateSessionTicketKeys)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no session ticket keys of our own with JDK");
            assertThat(log.warnings())
                    .containsExactly("session ticket key rotation every PT5M is not applied: the "
                            + "JDK TLS provider keeps its own ticket keys (jdk.tls.server.statelessKeyTimeout)");
        }
    }

    @Test
    void refusesKeyThatDoesNotBelongToCertificateWithoutShowingTheKey() throws Exception {
        PemPair one = TestPki.selfSigned().written(home, "one");
        Issued two = TestPki.selfSigned();
        PemPair twoFiles = two.written(home, "two");

        assertThatThrownBy(() -> ServerTls.create(options()
                        .certificateChainFile(one.certificate())
                        .privateKeyFile(twoFiles.key())
                        .build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining(twoFiles.key().toString())
                .hasMessageNotContaining(Base64.getEncoder()
                        .encodeToString(two.key().getEncoded())
                        .substring(0, 40));
    }

    @Test
    void refusesMissingCertificateFile() {
        Path missing = home.resolve("missing.pem");

        assertThatThrownBy(() -> ServerTls.create(options()
                        .certificateChainFile(missing)
                        .privateKeyFile(missing)
                        .build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void refusesEncryptedPrivateKey() throws Exception {
        Issued server = TestPki.selfSigned();
        PemPair files = server.written(home, "server");
        PemObject encrypted = new JcaPKCS8Generator(
                        server.key(),
                        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                                .setProvider(new BouncyCastleProvider()) // not registered: PKCS7Padding is BC's name
                                .setPassword("secret".toCharArray())
                                .build())
                .generate();
        try (PemWriter writer = new PemWriter(Files.newBufferedWriter(files.key()))) {
            writer.writeObject(encrypted);
        }

        assertThatThrownBy(() -> ServerTls.create(options()
                        .certificateChainFile(files.certificate())
                        .privateKeyFile(files.key())
                        .build()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining(files.key().toString())
                .hasMessageContaining("is encrypted");
    }

    @Test
    void certificateAndKeyFilesMustBeSetTogether() {
        assertThatThrownBy(() ->
                        options().certificateChainFile(home.resolve("cert.pem")).build())
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
    void homeIsDotVstpInTheUsersHomeWhenNothingElseSaysWhere() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("VSTP_HOME") == null, "VSTP_HOME is set");
        String previousHome = System.getProperty("vstp.home");
        String previousUserHome = System.getProperty("user.home");
        System.clearProperty("vstp.home");
        System.setProperty("user.home", home.toString()); // never the real home directory
        try {
            assertThat(TlsServerOptions.defaults().home())
                    .isEqualTo(home.resolve(".vstp").toAbsolutePath());
            assertThat(TlsClientOptions.defaults().knownHostsFile()).isEqualTo(home.resolve(".vstp/known_hosts"));
        } finally {
            restore("vstp.home", previousHome);
            restore("user.home", previousUserHome);
        }
    }

    @Test
    void providerPropertyForcesJdkOrBcjsseAndRejectsUnknownNames() {
        String previous = System.getProperty(TlsProvider.PROPERTY);
        try {
            System.setProperty(TlsProvider.PROPERTY, "jdk");
            TlsServerOptions unforced = TlsServerOptions.builder().home(home).build();
            assertThat(ServerTls.create(unforced).provider()).isEqualTo("JDK");
            assertThat(ClientTls.create(TlsClientOptions.builder().home(home).build())
                            .provider())
                    .isEqualTo("JDK");

            System.setProperty(TlsProvider.PROPERTY, "bc");
            assertThat(ServerTls.create(unforced).provider()).isEqualTo("BCJSSE");
            assertThat(ClientTls.create(TlsClientOptions.builder().home(home).build())
                            .provider())
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
            assertThat(ServerTls.create(TlsServerOptions.builder().home(home).build())
                            .provider())
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
