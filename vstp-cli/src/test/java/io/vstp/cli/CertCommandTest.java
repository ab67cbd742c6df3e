package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.CertificateFingerprints;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vstp cert}: a CA, the certificates it issues, fingerprints, and a real mutual-TLS handshake with them. */
class CertCommandTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    Path dir;

    private Path ca;
    private Path server;
    private Path client;

    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VstpCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeEach
    void paths() {
        ca = dir.resolve("ca");
        server = dir.resolve("server");
        client = dir.resolve("client");
    }

    private void createAll() {
        assertOk(run("cert", "ca", "--out", ca.toString(), "--name", "Test CA"));
        assertOk(run(
                "cert",
                "server",
                "--ca-dir",
                ca.toString(),
                "--out",
                server.toString(),
                "--name",
                "127.0.0.1",
                "--san",
                "localhost",
                "--san",
                "VSTP.Example.org",
                "--san",
                "[::1]"));
        assertOk(run("cert", "client", "--ca-dir", ca.toString(), "--out", client.toString(), "--name", "alice"));
    }

    private static void assertOk(Result r) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends java.security.cert.Certificate> all =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            assertThat(all).hasSize(1);
            return (X509Certificate) all.iterator().next();
        }
    }

    private static void validate(X509Certificate leaf, X509Certificate root) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(leaf)), parameters);
    }

    private static List<String> subjectAlternativeNames(X509Certificate c) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> entry : c.getSubjectAlternativeNames()) {
            int kind = (Integer) entry.get(0);
            String value = (String) entry.get(1);
            names.add((kind == 7 ? "ip:" : kind == 2 ? "dns:" : kind + ":") + value);
        }
        return names;
    }

    @Test
    void createsCaServerAndClientThatChainToTheCa() throws Exception {
        createAll();
        X509Certificate root = read(ca.resolve("ca-cert.pem"));
        X509Certificate serverCert = read(server.resolve("server-cert.pem"));
        X509Certificate clientCert = read(client.resolve("client-cert.pem"));

        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Test CA");
        assertThat(root.getBasicConstraints()).isEqualTo(0);
        root.verify(root.getPublicKey());
        validate(serverCert, root);
        validate(clientCert, root);
        assertThat(serverCert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(serverCert.getBasicConstraints()).isEqualTo(-1);
        assertThat(serverCert.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        assertThat(clientCert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(clientCert.getSubjectX500Principal().getName()).isEqualTo("CN=alice");
        assertThat(subjectAlternativeNames(serverCert))
                .containsExactly("ip:127.0.0.1", "dns:localhost", "dns:vstp.example.org", "ip:0:0:0:0:0:0:0:1");
    }

    @Test
    void serverCertificateDoesNotChainToAnotherCa() throws Exception {
        createAll();
        Path other = dir.resolve("other-ca");
        assertOk(run("cert", "ca", "--out", other.toString()));

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> validate(read(server.resolve("server-cert.pem")), read(other.resolve("ca-cert.pem"))))
                .isInstanceOf(java.security.cert.CertPathValidatorException.class);
    }

    @Test
    void everyCreatingCommandPrintsTheFingerprintOfWhatItCreated() throws Exception {
        Result caRun = run("cert", "ca", "--out", ca.toString());
        Result serverRun =
                run("cert", "server", "--ca-dir", ca.toString(), "--out", server.toString(), "--name", "localhost");
        Result clientRun =
                run("cert", "client", "--ca-dir", ca.toString(), "--out", client.toString(), "--name", "bob");

        assertThat(caRun.out())
                .contains("fingerprint " + CertificateFingerprints.sha256(read(ca.resolve("ca-cert.pem"))) + "\n");
        assertThat(serverRun.out())
                .contains("fingerprint " + CertificateFingerprints.sha256(read(server.resolve("server-cert.pem")))
                        + "\n");
        assertThat(clientRun.out())
                .contains("fingerprint " + CertificateFingerprints.sha256(read(client.resolve("client-cert.pem")))
                        + "\n");
        for (Result r : List.of(caRun, serverRun, clientRun)) {
            assertThat(r.out()).doesNotContain("PRIVATE KEY").doesNotContain("-----BEGIN");
        }
    }

    @Test
    void fingerprintPrintsExactlyWhatPinsAccept() throws Exception {
        createAll();
        Path certificate = server.resolve("server-cert.pem");

        Result r = run("cert", "fingerprint", certificate.toString());

        assertThat(r.exitCode()).isZero();
        String expected = CertificateFingerprints.sha256(read(certificate));
        assertThat(r.out()).isEqualTo(expected + "\n");
        assertThat(CertificateFingerprints.parse(r.out())).isEqualTo(expected);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void fingerprintOfAMissingOrNonCertificateFileIsAnIoError() throws Exception {
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "hello");

        Result missing = run("cert", "fingerprint", dir.resolve("nope.pem").toString());
        Result wrong = run("cert", "fingerprint", notPem.toString());

        assertThat(missing.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(missing.err()).contains("does not exist");
        assertThat(wrong.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(wrong.err()).contains("no certificate found");
    }

    @Test
    void privateKeysAreOwnerOnly() throws Exception {
        Assumptions.assumeTrue(
                FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        createAll();

        for (Path key :
                List.of(ca.resolve("ca-key.pem"), server.resolve("server-key.pem"), client.resolve("client-key.pem"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .as(key.toString())
                    .isEqualTo("rw-------");
        }
        assertThat(Files.getPosixFilePermissions(server.resolve("server-cert.pem")))
                .doesNotContain(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }

    @Test
    void refusesToOverwriteWithoutForce() throws Exception {
        assertOk(run("cert", "ca", "--out", ca.toString()));
        String before = Files.readString(ca.resolve("ca-key.pem"));

        Result again = run("cert", "ca", "--out", ca.toString());

        assertThat(again.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(again.err()).contains("already exists").contains("--force");
        assertThat(Files.readString(ca.resolve("ca-key.pem"))).isEqualTo(before);

        Result forced = run("cert", "ca", "--out", ca.toString(), "--force");

        assertThat(forced.exitCode()).isZero();
        assertThat(Files.readString(ca.resolve("ca-key.pem"))).isNotEqualTo(before);
    }

    @Test
    void issuingWithoutACaIsAnIoError() {
        Result r = run(
                "cert",
                "server",
                "--ca-dir",
                dir.resolve("none").toString(),
                "--out",
                server.toString(),
                "--name",
                "localhost");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(server).doesNotExist();
    }

    @Test
    void refusesANameThatIsNeitherDnsNorIp() {
        assertOk(run("cert", "ca", "--out", ca.toString()));

        Result r = run("cert", "server", "--ca-dir", ca.toString(), "--out", server.toString(), "--name", "not a host");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("not a DNS name or IP address");
    }

    @Test
    void leafValidityNeverOutlivesTheCa() throws Exception {
        assertOk(run("cert", "ca", "--out", ca.toString(), "--days", "10"));

        Result r = run(
                "cert",
                "server",
                "--ca-dir",
                ca.toString(),
                "--out",
                server.toString(),
                "--name",
                "localhost",
                "--days",
                "825");

        assertThat(r.exitCode()).isZero();
        assertThat(read(server.resolve("server-cert.pem")).getNotAfter())
                .isEqualTo(read(ca.resolve("ca-cert.pem")).getNotAfter());
        assertThat(r.err()).contains("shortened");
    }

    @Test
    void certWithoutSubcommandIsAUsageError() {
        Result r = run("cert");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("ca, server, client or fingerprint");
    }

    @Test
    void mutualTlsHandshakeSucceedsWithTheIssuedCertificates() throws Exception {
        createAll();
        Path home = dir.resolve("home");
        TlsServerOptions serverTls = TlsServerOptions.builder()
                .certificateChainFile(server.resolve("server-cert.pem"))
                .privateKeyFile(server.resolve("server-key.pem"))
                .clientCaFile(ca.resolve("ca-cert.pem"))
                .home(home)
                .build();
        TlsClientOptions clientTls = TlsClientOptions.builder()
                .caFile(ca.resolve("ca-cert.pem"))
                .certificateChainFile(client.resolve("client-cert.pem"))
                .privateKeyFile(client.resolve("client-key.pem"))
                .trustOnFirstUse(false)
                .home(home)
                .build();

        try (VstpServer vstpServer = VstpServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .threads(1)
                        .tls(serverTls)
                        .start();
                VstpClient vstpClient = VstpClient.builder()
                        .threads(1)
                        .tls(clientTls)
                        .requestTimeout(Duration.ofSeconds(10))
                        .build()) {
            VstpConnection connection =
                    vstpClient.connect("127.0.0.1", vstpServer.port()).get(20, TimeUnit.SECONDS);
            try {
                String printed = run(
                                "cert",
                                "fingerprint",
                                server.resolve("server-cert.pem").toString())
                        .out()
                        .strip();
                assertThat(vstpServer.certificateFingerprint()).isEqualTo(printed);
                assertThat(connection.tlsProtocol()).isEqualTo("TLSv1.3");
                Frame response = connection
                        .request(Frame.builder(FrameType.DATA).payload("ping").build())
                        .get(20, TimeUnit.SECONDS);
                try {
                    assertThat(response.payloadAsString()).isEqualTo("ping");
                } finally {
                    response.release();
                }
            } finally {
                connection.close();
            }
        }
    }

    @Test
    void serverRefusesAClientWithoutACertificate() throws Exception {
        createAll();
        Path home = dir.resolve("home");
        TlsServerOptions serverTls = TlsServerOptions.builder()
                .certificateChainFile(server.resolve("server-cert.pem"))
                .privateKeyFile(server.resolve("server-key.pem"))
                .clientCaFile(ca.resolve("ca-cert.pem"))
                .home(home)
                .build();
        TlsClientOptions anonymous = TlsClientOptions.builder()
                .caFile(ca.resolve("ca-cert.pem"))
                .trustOnFirstUse(false)
                .home(home)
                .build();

        try (VstpServer vstpServer = VstpServer.builder()
                        .host(InetAddress.getLoopbackAddress().getHostAddress())
                        .port(0)
                        .threads(1)
                        .tls(serverTls)
                        .start();
                VstpClient vstpClient =
                        VstpClient.builder().threads(1).tls(anonymous).build()) {
            boolean refused;
            try {
                VstpConnection c =
                        vstpClient.connect("127.0.0.1", vstpServer.port()).get(20, TimeUnit.SECONDS);
                // TLS 1.3: the client may finish its side before the server rejects the missing certificate.
                try {
                    Frame response = c.request(
                                    Frame.builder(FrameType.DATA).payload("x").build())
                            .get(20, TimeUnit.SECONDS);
                    response.release();
                    refused = false;
                } catch (ExecutionException e) {
                    refused = true;
                } finally {
                    c.close();
                }
            } catch (ExecutionException e) {
                refused = true;
            }
            assertThat(refused).isTrue();
        }
    }
}
