package io.vstp.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.security.SecurityOptions;
import io.vstp.security.SecurityPolicy;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.SessionException;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS identities end to end: a server with a client CA and {@code auth.mtls.*} settings; the certificate TLS
 * verified becomes the principal its rules apply to, without any token.
 */
class MutualTlsServerTest {
    @TempDir
    Path dir;

    private record Issued(X509Certificate certificate, KeyPair keys) {}

    private static Issued issue(String subject, Issued issuer, boolean ca) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name(subject);
        X500Name issuerName = issuer == null
                ? name
                : X500Name.getInstance(
                        issuer.certificate().getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuerName,
                BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minus(Duration.ofHours(1))),
                Date.from(Instant.now().plus(Duration.ofDays(1))),
                name,
                keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!ca) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        }
        X509Certificate c = new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                        .build((issuer == null ? keys : issuer.keys()).getPrivate())));
        return new Issued(c, keys);
    }

    private Path[] written(Issued issued, String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        Files.writeString(cert, PemFiles.certificatePem(issued.certificate()));
        Files.writeString(key, PemFiles.privateKeyPem(issued.keys().getPrivate()));
        return new Path[] {cert, key};
    }

    @Test
    void theVerifiedCertificateIsThePrincipalAndRulesApply() throws Exception {
        Issued ca = issue("CN=device CA", null, true);
        Path caFile = written(ca, "ca")[0];
        Path[] sensor = written(issue("O=Example, CN=sensor-7", ca, false), "sensor");
        Path[] camera = written(issue("O=Example, CN=camera-2", ca, false), "camera");
        Path audit = dir.resolve("audit.log");
        try (SecurityPolicy policy = new SecurityOptions(
                                Map.of(
                                        "auth.mtls.subject", "cn",
                                        "auth.mtls.default-roles", "device",
                                        "auth.mtls.role.sensor-7", "uploader",
                                        "auth.role.device", "echo",
                                        "auth.role.uploader", "files:write:telemetry",
                                        "auth.audit", audit.toString()),
                                dir,
                                Map.of())
                        .build();
                VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .accessControl(policy)
                        .tls(TlsServerOptions.builder()
                                .home(dir.resolve("server"))
                                .clientCaFile(caFile)
                                .build())
                        .handler(RequestHandler.of((request, session) -> Frame.builder(FrameType.DATA)
                                .payload(session.principal().subject() + " "
                                        + session.principal().method() + " "
                                        + session.principal().roles())
                                .build()))
                        .start()) {
            for (Path[] device : new Path[][] {sensor, camera}) {
                try (VstpClient client = VstpClient.builder()
                        .threads(1)
                        .tls(TlsClientOptions.builder()
                                .home(dir.resolve("client"))
                                .trustOnFirstUse(true)
                                .certificateChainFile(device[0])
                                .privateKeyFile(device[1])
                                .build())
                        .build()) {
                    VstpConnection conn =
                            client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
                    Frame echo = conn.request(
                                    Frame.builder(FrameType.DATA).payload("hi").build())
                            .get(5, TimeUnit.SECONDS);
                    String who = echo.payloadAsString();
                    echo.release();
                    Frame upload = Frame.builder(FrameType.DATA)
                            .header("service", "files")
                            .header("op", "put-begin")
                            .header("path", "telemetry/t.csv")
                            .build();
                    if (device == sensor) {
                        assertThat(who).isEqualTo("sensor-7 mtls [device, uploader]");
                        Frame ok = conn.request(upload).get(5, TimeUnit.SECONDS);
                        ok.release(); // the handler here answers anything it is allowed to see
                    } else {
                        assertThat(who).isEqualTo("camera-2 mtls [device]");
                        ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                                ExecutionException.class,
                                () -> conn.request(upload).get(5, TimeUnit.SECONDS));
                        assertThat(((SessionException) e.getCause()).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
                    }
                    conn.close();
                }
            }
        }
        String log = Files.readString(audit);
        assertThat(log)
                .contains("\"credentials\":\"certificate\"")
                .contains("\"subject\":\"camera-2\"")
                .contains("\"certificate\":\"CN=sensor-7,O=Example\"");
    }
}
