package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.cli.CliEndToEndTest.Run;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vstp serve --dev-auth} as a real process, tokens from {@code vstp token}, and the client commands with
 * {@code --token-file}: who may do what, exit status 6 for refusals, an audit log without tokens.
 */
class CliAuthTest {
    @TempDir
    static Path tmp;

    private static Process server;
    private static Path home;
    private static Path served;
    private static int port;
    private static String fingerprint;

    @BeforeAll
    static void startServer() throws Exception {
        home = tmp.resolve("home");
        served = tmp.resolve("served");
        Files.createDirectories(served.resolve("public"));
        Files.writeString(served.resolve("public/hello.txt"), "hello, reader");
        Files.writeString(served.resolve("secret.txt"), "for writers");
        server = CliEndToEndTest.vstp(
                home,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                served.toString(),
                "--dev-auth",
                "--auth",
                "auth.role.reader=echo, files:read:public",
                "--auth",
                "auth.role.writer=echo, files:read, files:write",
                "--auth",
                "auth.role.inbox=files:read:inbox, files:write:inbox");
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        Matcher m = null;
        while ((line = lines.readLine()) != null) {
            seen.append(line).append('\n');
            m = Pattern.compile("listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), .*certificate (sha256:[0-9a-f]{64})"
                            + ".*authentication required")
                    .matcher(line);
            if (m.find()) {
                break;
            }
        }
        assertThat(line)
                .as("serve printed its listening line; it said:\n" + seen)
                .isNotNull();
        port = Integer.parseInt(m.group(1));
        fingerprint = m.group(2);
        assertThat(seen.toString()).contains("WARNING --dev-auth").contains("authentication required; roles");
        // Drain the rest, so the server never blocks on a full pipe.
        Thread drain = new Thread(() -> lines.lines().forEach(l -> {}));
        drain.setDaemon(true);
        drain.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.destroy();
        assertThat(server.waitFor(15, TimeUnit.SECONDS)).isTrue();
    }

    /** {@code vstp token} in the server's home (so it signs with the key the server trusts), into a file. */
    private static Path token(String subject, String... roles) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("token", "--sub", subject));
        for (String r : roles) {
            args.add("--role");
            args.add(r);
        }
        ProcessBuilder pb = new ProcessBuilder(
                java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java")
                        .toString(),
                "-cp",
                System.getProperty("java.class.path"),
                VstpCommand.class.getName());
        pb.command().addAll(args);
        pb.environment().put("VSTP_HOME", home.toString());
        Path out = tmp.resolve(subject + ".jwt");
        Path err = tmp.resolve(subject + ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        assertThat(Files.readString(err)).contains("DEVELOPMENT ONLY");
        assertThat(Files.readString(out).strip()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        return out;
    }

    private static String addr(String path) {
        return "127.0.0.1:" + port + "/" + path;
    }

    /** A move is authorised on both of its paths: write access to the source alone cannot move a file out. */
    @Test
    void mvNeedsWriteAccessToBothPaths() throws Exception {
        Path inbox = token("ina", "inbox");
        Files.createDirectories(served.resolve("inbox"));
        Files.writeString(served.resolve("inbox/a.txt"), "in the inbox");
        Run out = CliEndToEndTest.run(
                "mv", addr("inbox/a.txt"), "public/a.txt", "--pin", fingerprint, "--token-file", inbox.toString());
        assertThat(out.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(served.resolve("inbox/a.txt")).exists();
        assertThat(served.resolve("public/a.txt")).doesNotExist();
        Run within = CliEndToEndTest.run(
                "mv",
                addr("inbox/a.txt"),
                "inbox/done/a.txt",
                "--pin",
                fingerprint,
                "--token-file",
                inbox.toString(),
                "--json");
        assertThat(within.code()).as(within.err()).isZero();
        assertThat(within.out()).contains("\"to\":\"inbox/done/a.txt\"");
        assertThat(served.resolve("inbox/done/a.txt")).hasContent("in the inbox");
        Files.writeString(served.resolve("inbox/b.txt"), "second");
        Run clash = CliEndToEndTest.run(
                "mv", addr("inbox/b.txt"), "inbox/done/a.txt", "--pin", fingerprint, "--token-file", inbox.toString());
        assertThat(clash.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(clash.err()).contains("ALREADY_EXISTS").contains("--force");
        Run forced = CliEndToEndTest.run(
                "mv",
                addr("inbox/b.txt"),
                "inbox/done/a.txt",
                "--pin",
                fingerprint,
                "--token-file",
                inbox.toString(),
                "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(served.resolve("inbox/done/a.txt")).hasContent("second");
        assertThat(served.resolve("inbox/b.txt")).doesNotExist();
    }

    @Test
    void rolesDecideWhatEachTokenMayDoAndRefusalsExitWithSix() throws Exception {
        Path writer = token("wendy", "writer");
        Path reader = token("rita", "reader");
        Path upload = Files.writeString(tmp.resolve("up.txt"), "uploaded by wendy");

        Run put = CliEndToEndTest.run(
                "put",
                upload.toString(),
                addr("uploads/up.txt"),
                "--pin",
                fingerprint,
                "--token-file",
                writer.toString());
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out()).contains("authenticated as wendy");
        assertThat(Files.readString(served.resolve("uploads/up.txt"))).isEqualTo("uploaded by wendy");

        Path got = tmp.resolve("hello-back.txt");
        Run get = CliEndToEndTest.run(
                "get",
                addr("public/hello.txt"),
                got.toString(),
                "--pin",
                fingerprint,
                "--token-file",
                reader.toString());
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(Files.readString(got)).isEqualTo("hello, reader");

        Run readerPut = CliEndToEndTest.run(
                "put",
                upload.toString(),
                addr("public/evil.txt"),
                "--pin",
                fingerprint,
                "--token-file",
                reader.toString());
        assertThat(readerPut.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(readerPut.err()).contains("PERMISSION_DENIED").contains("permission denied");
        assertThat(served.resolve("public/evil.txt")).doesNotExist();

        Run readerSecret = CliEndToEndTest.run(
                "get",
                addr("secret.txt"),
                tmp.resolve("s").toString(),
                "--pin",
                fingerprint,
                "--token-file",
                reader.toString());
        assertThat(readerSecret.code()).isEqualTo(ExitCodes.DENIED);

        // Over DTLS the same JWT (far longer than a header value) proves the association, and the same rules hold.
        Path gotUdp = tmp.resolve("hello-udp.txt");
        Run udpGet = CliEndToEndTest.run(
                "get",
                addr("public/hello.txt"),
                gotUdp.toString(),
                "--udp",
                "--pin",
                fingerprint,
                "--token-file",
                reader.toString());
        assertThat(udpGet.code()).as(udpGet.err()).isZero();
        assertThat(Files.readString(gotUdp)).isEqualTo("hello, reader");
        Run udpReaderPut = CliEndToEndTest.run(
                "put",
                upload.toString(),
                addr("public/evil.txt"),
                "--udp",
                "--pin",
                fingerprint,
                "--token-file",
                reader.toString());
        assertThat(udpReaderPut.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(udpReaderPut.err()).contains("PERMISSION_DENIED");
        assertThat(served.resolve("public/evil.txt")).doesNotExist();

        Run anonymous = CliEndToEndTest.run("send", addr(""), "--data", "hi", "--pin", fingerprint);
        assertThat(anonymous.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(anonymous.err()).contains("UNAUTHENTICATED").contains("credentials required");

        String real = Files.readString(reader).strip();
        int at = real.length() - 10; // inside the signature: still well-formed, no longer signed
        String forgedToken = real.substring(0, at) + (real.charAt(at) == 'A' ? 'B' : 'A') + real.substring(at + 1);
        Run forged =
                CliEndToEndTest.run("send", addr(""), "--data", "hi", "--pin", fingerprint, "--token", forgedToken);
        assertThat(forged.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(forged.err()).contains("bad signature");

        Run overUdp = CliEndToEndTest.run(
                "send", addr(""), "--data", "hi", "--udp", "--pin", fingerprint, "--timeout", "10s");
        assertThat(overUdp.code()).as(overUdp.err()).isEqualTo(ExitCodes.DENIED);
        assertThat(overUdp.err()).contains("use TCP");

        Path audit = home.resolve("audit.log");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(audit) && Files.readString(audit).contains("evil.txt"));
        String log = Files.readString(audit);
        assertThat(log)
                .contains("\"subject\":\"wendy\"")
                .contains("\"subject\":\"rita\"")
                .contains("\"path\":\"public/evil.txt\"")
                .contains("\"allowed\":false")
                .contains("\"reason\":\"writer → files:write\"");
        for (Path t : new Path[] {writer, reader}) {
            String token = Files.readString(t).strip();
            assertThat(log).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }

    @Test
    void badAuthConfigurationIsAUsageErrorNamingTheKey() throws IOException {
        Run unknown = CliEndToEndTest.run("serve", "--port", "0", "--auth", "auth.jwt.issuerr=x");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown setting auth.jwt.issuerr");
        Run hmac = CliEndToEndTest.run(
                "serve",
                "--port",
                "0",
                "--auth",
                "auth.jwt.issuer=i",
                "--auth",
                "auth.jwt.audience=a",
                "--auth",
                "auth.jwt.jwks-url=https://127.0.0.1:1/jwks",
                "--auth",
                "auth.jwt.algorithms=HS256");
        assertThat(hmac.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(hmac.err()).contains("HS256");
        Run rulesOnly = CliEndToEndTest.run("serve", "--port", "0", "--auth", "auth.role.x=echo");
        assertThat(rulesOnly.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(rulesOnly.err()).contains("nothing authenticates");
    }
}
