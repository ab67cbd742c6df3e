package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code vstp bench} in-process, over real sockets on 127.0.0.1. Runs are tiny (a few hundred frames): the numbers
 * mean nothing here (paranoid leak detection), only their shape and the accounting are checked.
 */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        int code =
                VstpCommand.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tcp, 500, TLS_NULL", "tls, 300, TLSv1.3", "udp, 200, TLS_NULL", "dtls, 200, DTLS 1.2"})
    void localRunReportsConsistentJson(String transport, int count, String protocol) throws Exception {
        Run r = run("--local", "--transport", transport, "--count", Integer.toString(count), "--size", "256", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("transport").asText()).isEqualTo(transport);
        assertThat(j.get("local").asBoolean()).isTrue();
        assertThat(j.get("target").asText()).startsWith("127.0.0.1:");
        assertThat(j.get("size").asInt()).isEqualTo(256);
        assertThat(j.get("concurrency").asInt()).isEqualTo(16);
        // count = warm-up (first 10 %) + measured + errors
        assertThat(j.get("count").asLong()).isEqualTo(count);
        assertThat(j.get("warmup").asLong()).isEqualTo(count / 10);
        assertThat(j.get("measured").asLong()).isEqualTo(count - count / 10);
        assertThat(j.get("errors").asLong()).isZero();
        assertThat(j.get("first_error").isNull()).isTrue();
        if (protocol.equals("TLS_NULL")) {
            assertThat(j.get("tls_protocol").isNull()).isTrue();
            assertThat(j.get("tls_cipher").isNull()).isTrue();
        } else {
            assertThat(j.get("tls_protocol").asText()).isEqualTo(protocol);
            assertThat(j.get("tls_cipher").asText()).isNotBlank();
        }
        JsonNode l = j.get("latency_us");
        assertThat(l.get("p50").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(l.get("p90").asDouble());
        assertThat(l.get("p90").asDouble()).isLessThanOrEqualTo(l.get("p99").asDouble());
        assertThat(l.get("p99").asDouble()).isLessThanOrEqualTo(l.get("p99_9").asDouble());
        assertThat(l.get("p99_9").asDouble()).isLessThanOrEqualTo(l.get("max").asDouble());
        assertThat(j.get("frames_per_second").asDouble()).isPositive();
        assertThat(j.get("bytes_per_second").asDouble()).isPositive();
        assertThat(j.get("mib_per_second").asDouble()).isPositive();
        assertThat(j.get("seconds").asDouble()).isPositive();
    }

    @Test
    void rawNettyBaselineRunsTheSameWorkload() throws Exception {
        Run r = run("--local", "--transport", "netty", "--count", "300", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("transport").asText()).isEqualTo("netty");
        assertThat(j.get("local").asBoolean()).isTrue();
        assertThat(j.get("target").asText()).startsWith("127.0.0.1:");
        assertThat(j.get("tls_protocol").isNull()).isTrue();
        assertThat(j.get("size").asInt()).isEqualTo(1024);
        assertThat(j.get("concurrency").asInt()).isEqualTo(16);
        assertThat(j.get("count").asLong()).isEqualTo(300);
        assertThat(j.get("warmup").asLong()).isEqualTo(30);
        assertThat(j.get("measured").asLong()).isEqualTo(270);
        assertThat(j.get("errors").asLong()).isZero();
        JsonNode l = j.get("latency_us");
        assertThat(l.get("p50").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(l.get("p99").asDouble());
        assertThat(l.get("p99").asDouble()).isLessThanOrEqualTo(l.get("max").asDouble());
        assertThat(j.get("frames_per_second").asDouble()).isPositive();
        assertThat(j.has("baseline")).isFalse();
        assertThat(j.has("ratio")).isFalse();
    }

    @Test
    void baselineRunsNettyThenVstpAndReportsRatios() throws Exception {
        Run r = run("--local", "--transport", "tcp", "--baseline", "--count", "300", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("transport").asText()).isEqualTo("tcp");
        assertThat(j.get("measured").asLong()).isEqualTo(270);
        assertThat(j.get("frames_per_second").asDouble()).isPositive();
        JsonNode b = j.get("baseline");
        assertThat(b.get("transport").asText()).isEqualTo("netty");
        assertThat(b.get("target").asText()).startsWith("127.0.0.1:");
        assertThat(b.get("size").asInt()).isEqualTo(j.get("size").asInt());
        assertThat(b.get("concurrency").asInt()).isEqualTo(j.get("concurrency").asInt());
        assertThat(b.get("count").asLong()).isEqualTo(300);
        assertThat(b.get("measured").asLong()).isEqualTo(270);
        assertThat(b.get("errors").asLong()).isZero();
        assertThat(b.get("frames_per_second").asDouble()).isPositive();
        JsonNode ratio = j.get("ratio");
        assertThat(ratio.get("frames_per_second").asDouble()).isPositive();
        assertThat(ratio.get("p50").asDouble()).isPositive();
        assertThat(ratio.get("p99").asDouble()).isPositive();
        assertThat(ratio.get("frames_per_second").asDouble())
                .isCloseTo(
                        j.get("frames_per_second").asDouble()
                                / b.get("frames_per_second").asDouble(),
                        within(0.01));
    }

    @Test
    void baselineTableShowsBothRunsAndRatios() {
        Run r = run("--local", "--transport", "tcp", "--baseline", "--count", "200", "--size", "64");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "transport   tcp (plaintext)",
                        "baseline: raw Netty echo",
                        "transport   netty (raw Netty echo, no VSTP, plaintext)");
        assertThat(r.out())
                .containsPattern("ratio +tcp vs netty: frames/s \\d+\\.\\d+x, p50 \\d+\\.\\d+x, " + "p99 \\d+\\.\\d+x");
    }

    @Test
    void benchesARemoteServerByAddress() throws Exception {
        try (VstpServer server = VstpServer.builder()
                .port(0)
                .plain()
                .handler(RequestHandler.echo())
                .threads(1)
                .start()) {
            Run r = run(
                    "127.0.0.1:" + server.port(),
                    "--plain",
                    "--count",
                    "100",
                    "--concurrency",
                    "4",
                    "--size",
                    "1KiB",
                    "--json");

            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode j = r.json();
            assertThat(j.get("transport").asText()).isEqualTo("tcp");
            assertThat(j.get("local").asBoolean()).isFalse();
            assertThat(j.get("target").asText()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(j.get("size").asInt()).isEqualTo(1024);
            assertThat(j.get("concurrency").asInt()).isEqualTo(4);
            assertThat(j.get("measured").asLong()).isEqualTo(90);
            assertThat(server.stats()).isNotNull();
        }
    }

    @Test
    void tableForPeopleWithDurationMode() {
        Run r = run("--local", "--transport", "tcp", "--duration", "300ms", "--size", "64", "--concurrency", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "transport   tcp (plaintext)",
                        "(local, in-process)",
                        "64 bytes, 2 in flight",
                        "p99.9",
                        "frames/s");
        assertThat(r.out()).containsPattern("frames +\\d+ sent = \\d+ warm-up \\+ \\d+ measured \\+ 0 errors");
    }

    @Test
    void serverGoingAwayMidRunExitsThree() throws Exception {
        VstpServer server = VstpServer.builder()
                .port(0)
                .plain()
                .handler(RequestHandler.echo())
                .threads(1)
                .start();
        Thread stopper = new Thread(() -> {
            // Mid-run: once the server has answered some of the run's requests.
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> server.stats().bytesSent() > 0);
            server.close();
        });
        stopper.start();
        try {
            Run r = run(
                    "127.0.0.1:" + server.port(),
                    "--plain",
                    "--duration",
                    "20s",
                    "--concurrency",
                    "2",
                    "--timeout",
                    "3s");

            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err()).contains("run stopped after");
            assertThat(r.out()).isEmpty();
        } finally {
            stopper.join();
            server.close();
        }
    }

    @Test
    void unreachableServerExitsThree() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = run("127.0.0.1:" + port, "--plain", "--count", "10", "--timeout", "2s");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(run("--local", "--transport", "quic").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--transport", "quic").err()).contains("'quic' is not a transport");
        assertThat(run().exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "127.0.0.1").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--count", "10", "--duration", "1s").exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--count", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--concurrency", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--size", "12XB").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--plain", "--transport", "tls").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--pin", "sha256:00").exitCode()).isEqualTo(ExitCodes.USAGE);
        Run nettyRemote = run("127.0.0.1:1", "--transport", "netty");
        assertThat(nettyRemote.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(nettyRemote.err()).contains("--transport netty is the local baseline");
        assertThat(run("--local", "--transport", "tls", "--baseline").exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("--local", "--transport", "netty", "--baseline").exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("127.0.0.1:1", "--plain", "--baseline").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void sizesAcceptBinarySuffixes() {
        BenchCommand.SizeConverter c = new BenchCommand.SizeConverter();
        assertThat(c.convert("64")).isEqualTo(64);
        assertThat(c.convert("64B")).isEqualTo(64);
        assertThat(c.convert("16KiB")).isEqualTo(16 * 1024);
        assertThat(c.convert("16k")).isEqualTo(16 * 1024);
        assertThat(c.convert("1MiB")).isEqualTo(1024 * 1024);
        assertThat(c.convert("0")).isZero();
    }

    @Test
    void jsonStringsAreEscaped() throws Exception {
        String nasty = "a\"b\\c\nd\u0001e\u2028";
        assertThat(JSON.readTree(Json.quote(nasty)).asText()).isEqualTo(nasty);
    }
}
