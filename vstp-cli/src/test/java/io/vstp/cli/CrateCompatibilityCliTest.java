package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Rust crate vstp 0.2.1 against the real command, both ways (docs/spec/session.md §6, udp.md §4): the crate's
 * client against {@code vstp serve --plain} as a separate process, and {@code vstp send} and {@code vstp bench}
 * against the crate's server, through interop/rust, which ./test-all builds before Maven runs.
 */
class CrateCompatibilityCliTest {
    @TempDir
    static Path tmp;

    private static Path binary;
    private static Process server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        binary = Paths.get(System.getProperty("vstp.interop.rust", "interop/rust/target/release/vstp-interop"));
        assumeTrue(Files.isExecutable(binary), "Rust interop program not built (./test-all builds it): " + binary);
        server = CliEndToEndTest.vstp(
                tmp.resolve("home"),
                "serve",
                "--plain",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                tmp.resolve("served").toString());
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = lines.readLine()) != null; ) {
            Matcher m = Pattern.compile("listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), plaintext")
                    .matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                break;
            }
        }
        assertThat(port).as("serve printed its listening line").isPositive();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static String crate(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = binary.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("crate program finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void cratesClientWithItsHelloIsServed() throws Exception {
        assertThat(crate("tcp-client", "127.0.0.1", Integer.toString(port), "50", "--hello", "--session-frames"))
                .contains("51 ok");
    }

    /** A crate client, fragmentation off: its echo comes back as one datagram it can read, up to 2400 bytes. */
    @Test
    void udpEchoesReachTheCrateInOneDatagramOrAsAnErr() throws Exception {
        String p = Integer.toString(port);
        assertThat(crate("udp-echo-check", "127.0.0.1", p, "2029")).contains("echo 2029"); // a 2053-byte frame
        assertThat(crate("udp-echo-check", "127.0.0.1", p, "2385")).contains("echo 2385"); // the echo is 2400 bytes
        assertThat(crate("udp-echo-check", "127.0.0.1", p, "3000"))
                .contains("err FRAME_TOO_LARGE")
                .contains("2400");
    }

    @Test
    void sendAndBenchReachTheCratesServer() throws Exception {
        Process crateServer = new ProcessBuilder(binary.toString(), "tcp-echo-server", "--max-seconds", "60")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(crateServer.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("listening (127\\.0\\.0\\.1:\\d+)").matcher(String.valueOf(lines.readLine()));
            assertThat(m.matches()).isTrue();
            String address = m.group(1);

            CliEndToEndTest.Run legacy =
                    CliEndToEndTest.run("send", "--plain", "--legacy", address, "--data", "to the crate");
            assertThat(legacy.code()).as(legacy.err()).isZero();
            assertThat(legacy.out()).contains("to the crate").contains("legacy peer without sessions");

            // Without --legacy the unanswered HELLO gives the crate away.
            CliEndToEndTest.Run detected = CliEndToEndTest.run("send", "--plain", address, "--data", "found", "--json");
            assertThat(detected.code()).as(detected.err()).isZero();
            assertThat(detected.out()).contains("\"payload\":\"found\"");

            CliEndToEndTest.Run refused = CliEndToEndTest.run(
                    "send", "--plain", "--no-legacy-detect", "--timeout", "1s", address, "--data", "x");
            assertThat(refused.code()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(refused.err()).contains("--legacy");

            CliEndToEndTest.Run bench =
                    CliEndToEndTest.run("bench", "--plain", "--legacy", address, "--count", "300", "--json");
            assertThat(bench.code()).as(bench.err()).isZero();
            assertThat(bench.out()).contains("\"errors\":0").contains("\"count\":300");

            assertThat(CliEndToEndTest.run("send", "--legacy", address, "--data", "x")
                            .code())
                    .as("--legacy without --plain")
                    .isEqualTo(ExitCodes.USAGE);
            CliEndToEndTest.Run withToken =
                    CliEndToEndTest.run("send", "--plain", "--legacy", "--token", "t", address, "--data", "x");
            assertThat(withToken.code()).as("a token is never dropped").isEqualTo(ExitCodes.USAGE);
            assertThat(withToken.err()).contains("no token");
        } finally {
            crateServer.getOutputStream().close();
            if (!crateServer.waitFor(10, TimeUnit.SECONDS)) {
                crateServer.destroyForcibly();
            }
        }
    }

    /** A VSTP server is never mistaken for the crate: send over --plain negotiates wire v2 at once. */
    @Test
    void aVstpServerStillGetsWireV2() {
        CliEndToEndTest.Run r = CliEndToEndTest.run("send", "--plain", "127.0.0.1:" + port, "--data", "v2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wire v2").doesNotContain("legacy");
    }
}
