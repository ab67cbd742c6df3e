package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * UDP interop with the real Rust crate vstp 0.2.1 (docs/spec/udp.md §8) through interop/rust, which ./test-all
 * builds before Maven runs.
 */
class RustCrateUdpInteropTest {
    private static Path binary;

    @BeforeAll
    static void findBinary() {
        binary = Paths.get(System.getProperty("vstp.interop.rust", "interop/rust/target/release/vstp-interop"));
        assumeTrue(Files.isExecutable(binary), "Rust interop program not built (./test-all builds it): " + binary);
    }

    @Test
    void crateClientReqAckFramesAreAcknowledgedAndDeliveredOnce() throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                .plain()
                .handler((peer, f) -> {
                    seen.computeIfAbsent(f.payloadAsString(), k -> new AtomicInteger())
                            .incrementAndGet();
                    f.release();
                })
                .start()) {
            Process p = new ProcessBuilder(
                            binary.toString(),
                            "udp-client",
                            "127.0.0.1",
                            Integer.toString(server.localAddress().getPort()),
                            "50")
                    .redirectErrorStream(true)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("50 acked");
            assertThat(seen).hasSize(50);
            for (int i = 1; i <= 50; i++) {
                assertThat(seen.get("udp message " + i)).as("message %d", i).hasValue(1);
            }
            assertThat(server.stats().acksSent()).isGreaterThanOrEqualTo(50);
            // The crate never announces v2, so it never receives a v2 datagram.
            assertThat(server.stats().v2DatagramsSent()).isZero();
        }
    }

    /** The crate's client sends msg-ids of 2^63 and 2^64 - 1 (built with its Frame API): each is acknowledged. */
    @Test
    void msgIdsAbove2To63FromTheCrateAreAcknowledged() throws Exception {
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                .plain()
                .handler((peer, f) -> f.release())
                .start()) {
            for (String id : new String[] {"9223372036854775808", "18446744073709551615"}) {
                Process p = new ProcessBuilder(
                                binary.toString(),
                                "udp-ack-check",
                                "127.0.0.1",
                                Integer.toString(server.localAddress().getPort()),
                                id)
                        .redirectErrorStream(true)
                        .start();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out).contains("acked " + id);
            }
        }
    }

    @Test
    void javaReliableFramesReachTheCrateServer() throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "udp-echo-server", "--max-seconds", "60")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Map<String, AtomicInteger> echoes = new ConcurrentHashMap<>();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            Matcher m = Pattern.compile("listening 127\\.0\\.0\\.1:(\\d+)").matcher(String.valueOf(first));
            assertThat(m.matches()).as("first line: %s", first).isTrue();
            InetSocketAddress crate = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            try (VstpUdpEndpoint client = VstpUdpEndpoint.builder()
                    .plain()
                    .handler((peer, f) -> {
                        if (f.type().equals(FrameType.DATA)) {
                            echoes.computeIfAbsent(f.payloadAsString(), k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                        f.release();
                    })
                    .start()) {
                List<CompletableFuture<Void>> acks = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    acks.add(client.sendReliable(
                            crate,
                            Frame.builder(FrameType.DATA)
                                    .header("n", Integer.toString(i))
                                    .payload("java message " + i)
                                    .build()));
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(10))
                        .untilAsserted(() -> assertThat(echoes).hasSize(50));
                assertThat(client.stats().v2DatagramsSent()).isZero();
            }
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
