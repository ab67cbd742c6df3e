package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.cli.CertCommandTest.Result;
import io.vstp.transport.tls.CertificateKeyType;
import io.vstp.transport.tls.PemFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ML-DSA from the command line: {@code vstp cert ca --key-type ml-dsa-65}, a server certificate issued by it,
 * {@code vstp serve} with that certificate (BCJSSE chosen by itself, TCP only) and {@code vstp send} trusting the
 * CA with {@code --ca}, and by pin with {@code --tls-provider bc}.
 */
class MlDsaCliTest {
    @TempDir
    Path dir;

    private static void assertOk(Result r) {
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    }

    @Test
    void mlDsaCaServerCertificateServeAndSend() throws Exception {
        Path ca = dir.resolve("ca");
        Path server = dir.resolve("server");
        Result caRun = CertCommandTest.run("cert", "ca", "--out", ca.toString(), "--key-type", "ml-dsa-65");
        assertOk(caRun);
        assertThat(caRun.out()).contains("ML-DSA-65 key");
        // No --key-type: the server certificate takes the CA's.
        Result serverRun = CertCommandTest.run(
                "cert", "server", "--ca-dir", ca.toString(), "--out", server.toString(), "--name", "127.0.0.1");
        assertOk(serverRun);
        assertThat(serverRun.out()).contains("ML-DSA-65 key").contains("--tls-provider bc");
        X509Certificate serverCertificate =
                PemFiles.readCertificates(server.resolve("server-cert.pem")).get(0);
        assertThat(CertificateKeyType.of(serverCertificate.getPublicKey())).isEqualTo(CertificateKeyType.ML_DSA_65);
        assertThat(serverCertificate.getSigAlgOID()).isEqualTo("2.16.840.1.101.3.4.3.18"); // signed by the CA's ML-DSA

        Process serve = CliEndToEndTest.vstp(
                dir.resolve("server-home"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                dir.resolve("served").toString(),
                "--cert",
                server.resolve("server-cert.pem").toString(),
                "--key",
                server.resolve("server-key.pem").toString());
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            Matcher listening = null;
            for (String line; (line = lines.readLine()) != null; ) {
                seen.add(line);
                Matcher m = Pattern.compile("listening on tcp 127\\.0\\.0\\.1:(\\d+), TLS 1\\.3 \\(BCJSSE\\), "
                                + "certificate (sha256:[0-9a-f]{64})")
                        .matcher(line);
                if (m.find()) {
                    listening = m;
                    break;
                }
            }
            assertThat(listening).as("serve's output: %s", seen).isNotNull();
            assertThat(seen)
                    .anyMatch(l -> l.contains("ML-DSA-65 certificate: using the BCJSSE TLS provider"))
                    .anyMatch(l -> l.contains("serving TCP only"));
            String address = "127.0.0.1:" + listening.group(1);

            // --ca holding an ML-DSA CA: the client picks BCJSSE by itself.
            Result byCa = CertCommandTest.run(
                    "send", address, "--ca", ca.resolve("ca-cert.pem").toString(), "--data", "signed by ML-DSA");
            assertOk(byCa);
            assertThat(byCa.out()).contains("signed by ML-DSA");

            Result byPin = CertCommandTest.run(
                    "send", address, "--pin", listening.group(2), "--tls-provider", "bc", "--data", "pinned");
            assertOk(byPin);
            assertThat(byPin.out()).contains("pinned");

            // BoringSSL offers no ML-DSA scheme: refused with an exit code, not a hang.
            Result openSsl = CertCommandTest.run(
                    "send",
                    address,
                    "--pin",
                    listening.group(2),
                    "--tls-provider",
                    "openssl",
                    "--timeout",
                    "10s",
                    "--data",
                    "x");
            assertThat(openSsl.exitCode()).isNotZero();
        } finally {
            serve.destroy();
            serve.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void explicitOpenSslWithAnMlDsaKeyIsAConfigurationError() throws Exception {
        Path ca = dir.resolve("ca");
        Path server = dir.resolve("server");
        assertOk(CertCommandTest.run("cert", "ca", "--out", ca.toString(), "--key-type", "ml-dsa-65"));
        assertOk(CertCommandTest.run(
                "cert", "server", "--ca-dir", ca.toString(), "--out", server.toString(), "--name", "127.0.0.1"));
        Result serve = CertCommandTest.run(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-udp",
                "--dir",
                dir.resolve("served").toString(),
                "--cert",
                server.resolve("server-cert.pem").toString(),
                "--key",
                server.resolve("server-key.pem").toString(),
                "--tls-provider",
                "jdk");
        assertThat(serve.exitCode()).isNotZero();
        assertThat(serve.err()).contains("ML-DSA-65 key").contains("BCJSSE");

        Result badType =
                CertCommandTest.run("cert", "ca", "--out", dir.resolve("x").toString(), "--key-type", "rsa");
        assertThat(badType.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badType.err()).contains("ml-dsa-65");
    }
}
