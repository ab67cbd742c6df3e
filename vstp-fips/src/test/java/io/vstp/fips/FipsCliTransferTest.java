package io.vstp.fips;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.cli.VstpCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FIPS build's command end to end: {@code vstp serve} as its own process through the FIPS main class
 * ({@link VstpFips}), and {@code vstp put} and {@code get} in this JVM, also in FIPS mode, over real sockets on
 * 127.0.0.1 through the files service.
 */
class FipsCliTransferTest {
    private static final Pattern LISTENING = Pattern.compile(
            "listening on tcp 127\\.0\\.0\\.1:(\\d+), TLS 1\\.3 in FIPS mode \\(BCJSSE FIPS\\), certificate "
                    + "(sha256:[0-9a-f]{64})");

    @TempDir
    static Path tmp;

    private static Process server;
    private static final List<String> serverOutput = new ArrayList<>();
    private static int port;
    private static String fingerprint;
    private static Path served;

    @BeforeAll
    static void startServer() throws Exception {
        FipsBootstrap.install();
        served = tmp.resolve("served");
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VstpFips.class.getName(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                served.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("VSTP_HOME", tmp.resolve("server-home").toString());
        server = builder.start();
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Matcher listening = null;
        for (String line; (line = lines.readLine()) != null; ) {
            serverOutput.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                listening = m;
                break;
            }
        }
        assertThat(listening)
                .as("serve printed its FIPS listening line: %s", serverOutput)
                .isNotNull();
        port = Integer.parseInt(listening.group(1));
        fingerprint = listening.group(2);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.destroy();
            assertThat(server.waitFor(15, TimeUnit.SECONDS))
                    .as("serve stops on SIGTERM")
                    .isTrue();
        }
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        List<String> given = java.util.Arrays.asList(args);
        if ((given.contains("put") || given.contains("get")) && !given.contains("--udp")) {
            // The server's access token (vstp serve is safe by default: docs/decisions/009-safe-by-default-server.md).
            String[] all = java.util.Arrays.copyOf(args, args.length + 2);
            all[args.length] = "--token-file";
            all[args.length + 1] =
                    tmp.resolve("server-home").resolve("access-token").toString();
            args = all;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VstpCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static String address(String path) {
        return "127.0.0.1:" + port + "/" + path;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static Path randomFile(String name, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void theServerLeavesOutUdpAndSaysSo() {
        assertThat(serverOutput).anyMatch(line -> line.contains("FIPS mode: serving TCP only"));
    }

    @Test
    void putThenGetRoundTripsInFipsMode() throws Exception {
        Path file = randomFile("fips.bin", 3 * 1024 * 1024 + 17);
        Run put = run("--fips", "put", file.toString(), address("fips.bin"), "--pin", fingerprint);
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out())
                .containsPattern("TLSv1\\.3 TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)")
                .contains(sha256(file));
        assertThat(sha256(served.resolve("fips.bin"))).isEqualTo(sha256(file));

        Path back = tmp.resolve("fips-back.bin");
        Run get = run("get", address("fips.bin"), back.toString(), "--pin", fingerprint, "--fips");
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(get.out()).contains("TLSv1.3 TLS_AES_");
        assertThat(sha256(back)).isEqualTo(sha256(file));
    }

    @Test
    void dtlsIsRefusedWithAUsageError() throws Exception {
        Path file = randomFile("udp.bin", 1000);
        Run put = run("put", file.toString(), address("udp.bin"), "--udp", "--pin", fingerprint);
        assertThat(put.code()).isEqualTo(2);
        assertThat(put.err().strip())
                .isEqualTo("vstp: DTLS (UDP) is not available in FIPS mode: VSTP's DTLS runs "
                        + "on BouncyCastle's lightweight TLS crypto, outside the FIPS module; use TCP, which runs TLS "
                        + "1.3 on "
                        + "the FIPS module");
    }

    @Test
    void endToEndEncryptionAndSigningAreRefusedBeforeAnyUpload() throws Exception {
        Path file = randomFile("secret.bin", 5000);
        Run encrypt = run("put", file.toString(), address("secret.bin"), "--to", "bob", "--pin", fingerprint);
        assertThat(encrypt.code()).isEqualTo(2);
        assertThat(encrypt.err().strip())
                .isEqualTo("vstp: end-to-end encryption (--to: X25519 + ML-KEM-768 and "
                        + "ChaCha20-Poly1305) is not available in FIPS mode: X25519 and ChaCha20-Poly1305 are not "
                        + "FIPS-approved, and VSTP's ML-KEM runs on BouncyCastle's regular API, outside the FIPS "
                        + "module (which "
                        + "has no ML-KEM); in FIPS mode files are protected in transit by TLS 1.3");
        Run sign = run("put", file.toString(), address("signed.bin"), "--sign", "alice", "--pin", fingerprint);
        assertThat(sign.code()).isEqualTo(2);
        assertThat(sign.err())
                .startsWith(
                        "vstp: signing the manifest (--sign: Ed25519 or ML-DSA-65) is not " + "available in FIPS mode");
        assertThat(served.resolve("secret.bin")).doesNotExist();
        assertThat(served.resolve("signed.bin")).doesNotExist();
        Run keys = run("keys", "list");
        assertThat(keys.code()).isEqualTo(2);
        assertThat(keys.err())
                .startsWith("vstp: the key ring (end-to-end and signing keys) is not available in FIPS " + "mode");
    }

    /** What the regular build would decrypt or verify after a get is refused, and the download not kept. */
    @Test
    void decryptingAndVerifyingDownloadsAreRefused() throws Exception {
        Files.createDirectories(served);
        // Starts like an end-to-end encrypted file (its magic), which is all get looks at before decrypting.
        Files.write(served.resolve("sealed.vse"), new byte[] {'V', 'S', 'T', 'P', 'E', '2', 'E', 1, 0, 0, 0});
        Path sealed = tmp.resolve("sealed-back.vse");
        Run decrypt = run("get", address("sealed.vse"), sealed.toString(), "--pin", fingerprint);
        assertThat(decrypt.code()).isEqualTo(2);
        assertThat(decrypt.err())
                .startsWith("vstp: end-to-end decryption (X25519 + ML-KEM-768 and "
                        + "ChaCha20-Poly1305) is not available in FIPS mode")
                .contains("--keep-encrypted");
        assertThat(sealed).doesNotExist();
        Run keep = run("get", address("sealed.vse"), sealed.toString(), "--keep-encrypted", "--pin", fingerprint);
        assertThat(keep.code()).as(keep.err()).isZero();
        assertThat(keep.out()).contains("kept end-to-end encrypted");

        Files.write(served.resolve("plain.txt"), "signed text".getBytes(StandardCharsets.UTF_8));
        Files.write(served.resolve("plain.txt.vstp-sig"), "not checked anyway".getBytes(StandardCharsets.UTF_8));
        Path plain = tmp.resolve("plain-back.txt");
        Run verify = run("get", address("plain.txt"), plain.toString(), "--pin", fingerprint);
        assertThat(verify.code()).isEqualTo(2);
        assertThat(verify.err())
                .startsWith("vstp: checking the signature plain.txt.vstp-sig (Ed25519 or ML-DSA-65) "
                        + "is not available in FIPS mode")
                .contains("the download was not kept");
        assertThat(plain).doesNotExist();
    }

    @Test
    void theDemoRunsOverTlsAndSkipsDtlsAndEndToEnd() {
        Run demo = run("demo", "--size", "2");
        assertThat(demo.code()).as(demo.err()).isZero();
        assertThat(demo.out())
                .contains("TLS 1.3 in FIPS mode (BCJSSE FIPS)")
                .contains("TLS_AES_")
                .contains("dtls     skipped: DTLS is not available in FIPS mode")
                .contains("e2e      skipped: end-to-end encryption is not available in FIPS mode")
                .contains("auth     access token required to write")
                .contains("OK: 2 MiB moved over TLS 1.3 (FIPS mode: no DTLS, no end-to-end encryption), with the "
                        + "access token a default server requires, every copy verified");
    }

    @Test
    void versionNamesTheFipsModule() {
        Run version = run("--fips", "--version");
        assertThat(version.code()).isZero();
        assertThat(version.out())
                .contains("FIPS mode: BouncyCastle Security Provider (FIPS edition) v")
                .contains("approved-only")
                .contains("Bouncy Castle JSSE Provider");
    }
}
