package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plaintext TCP interop with the real Rust crate vstp 0.2.1 in both roles (docs/spec/session.md §6), through our
 * program interop/rust, which ./test-all builds before Maven runs.
 */
class RustCrateInteropTest {
    private static Path binary;

    @BeforeAll
    static void findBinary() {
        binary = Paths.get(System.getProperty("vstp.interop.rust", "interop/rust/target/release/vstp-interop"));
        assumeTrue(Files.isExecutable(binary), "Rust interop program not built (./test-all builds it): " + binary);
    }

    /** The server accepts v2 (the default), the crate sends no HELLO: the session is legacy, wire v1. */
    @Test
    void crateClientAgainstJavaServer() throws Exception {
        java.util.Set<Integer> versions = java.util.concurrent.ConcurrentHashMap.newKeySet();
        RequestHandler echo = RequestHandler.echo();
        try (VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .protocol(ProtocolOptions.DEFAULT)
                .handler((req, session) -> {
                    versions.add(session.legacy() ? -session.wireVersion() : session.wireVersion());
                    return echo.handle(req, session);
                })
                .start()) {
            Process p = new ProcessBuilder(
                            binary.toString(), "tcp-client", "127.0.0.1", Integer.toString(server.port()), "100")
                    .redirectErrorStream(true)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS))
                    .as("crate client finished")
                    .isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("101 ok");
            assertThat(server.stats().accepted()).isEqualTo(1);
            assertThat(versions)
                    .as("legacy sessions on wire v1 only (negated when legacy)")
                    .containsExactly(-1);
            for (ErrorCode c : ErrorCode.values()) {
                assertThat(server.stats().errors(c))
                        .as("server error %s; crate said: %s", c, out)
                        .isZero();
            }
        }
    }

    /**
     * The crate's client as its examples use it: send_hello() first, and HELLO, WELCOME and ERR frames halfway
     * through; the server serves it as a legacy peer throughout, hands those frames to its handler and never closes.
     */
    @Test
    void crateClientWithHelloAndSessionFramesAgainstJavaServer() throws Exception {
        List<String> types = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .handler((req, session) -> {
                    types.add((session.legacy() ? "legacy " : "") + req.type().name());
                    // Like vstp serve's echo service: DATA comes back, other types get no answer.
                    return CompletableFuture.completedFuture(
                            req.type().equals(FrameType.DATA)
                                    ? new Frame(
                                            FrameType.DATA,
                                            req.flags(),
                                            req.headers(),
                                            req.payload().retainedSlice())
                                    : null);
                })
                .start()) {
            Process p = new ProcessBuilder(
                            binary.toString(),
                            "tcp-client",
                            "127.0.0.1",
                            Integer.toString(server.port()),
                            "20",
                            "--hello",
                            "--session-frames")
                    .redirectErrorStream(true)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS))
                    .as("crate client finished")
                    .isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("21 ok");
            assertThat(types)
                    .filteredOn(t -> !t.equals("legacy DATA"))
                    .containsExactly("legacy HELLO", "legacy WELCOME", "legacy ERR");
            assertThat(types).filteredOn(t -> t.equals("legacy DATA")).hasSize(21);
            for (ErrorCode c : ErrorCode.values()) {
                assertThat(server.stats().errors(c))
                        .as("server error %s; crate said: %s", c, out)
                        .isZero();
            }
        }
    }

    /** A client that detects legacy peers finds the crate's server by its unanswered HELLO. */
    @Test
    void javaClientDetectsTheCrateServer() throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "tcp-echo-server", "--max-seconds", "60")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (VstpClient client = VstpClient.builder()
                .plain()
                .detectLegacyPeer(java.time.Duration.ofMillis(500))
                .threads(1)
                .build()) {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = Pattern.compile("listening 127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(lines.readLine()));
            assertThat(m.matches()).isTrue();
            VstpConnection conn =
                    client.connect("127.0.0.1", Integer.parseInt(m.group(1))).get(10, TimeUnit.SECONDS);
            assertThat(conn.legacyPeer()).isTrue();
            Frame r = conn.request(
                            Frame.builder(FrameType.DATA).payload("found you").build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.payloadAsString()).isEqualTo("found you");
            r.release();
            conn.close(java.time.Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void javaClientAgainstCrateServer() throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "tcp-echo-server", "--max-seconds", "60")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        // The client would offer v2 (the default) to a server that answers HELLO; to the crate it speaks v1.
        try (VstpClient client = VstpClient.builder()
                .plain()
                .legacyPeer(true)
                .protocol(ProtocolOptions.DEFAULT)
                .threads(1)
                .build()) {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            Matcher m = Pattern.compile("listening 127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(first));
            assertThat(m.matches())
                    .as("first line of the crate server: %s", first)
                    .isTrue();
            VstpConnection conn =
                    client.connect("127.0.0.1", Integer.parseInt(m.group(1))).get(10, TimeUnit.SECONDS);
            assertThat(conn.wireVersion()).isEqualTo(1);

            List<CompletableFuture<Frame>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(conn.request(Frame.builder(FrameType.DATA)
                        .header("n", Integer.toString(i))
                        .payload("message " + i)
                        .build()));
            }
            byte[] big = new byte[1 << 20];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i % 251);
            }
            CompletableFuture<Frame> bigReply = conn.request(Frame.builder(FrameType.DATA)
                    .payload(Unpooled.wrappedBuffer(big))
                    .build());
            for (int i = 0; i < 200; i++) {
                Frame r = replies.get(i).get(10, TimeUnit.SECONDS);
                assertThat(r.payloadAsString()).isEqualTo("message " + i);
                assertThat(r.headers().value("n")).isEqualTo(Integer.toString(i));
                r.release();
            }
            Frame r = bigReply.get(10, TimeUnit.SECONDS);
            assertThat(r.payloadBytes()).isEqualTo(big);
            r.release();
            conn.close(java.time.Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
        } finally {
            p.getOutputStream().close(); // EOF on stdin stops the crate server
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
