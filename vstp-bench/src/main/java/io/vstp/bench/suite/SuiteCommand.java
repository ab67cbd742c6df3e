package io.vstp.bench.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One measurement of the loopback suite, in a fresh JVM: starts a {@link Peer}, runs one workload over it, prints
 * one JSON line. {@code vstp-bench/suite/run.py} runs many of these, several times each, and compares them.
 *
 * <pre>
 * java -jar vstp-bench/target/vstp-suite.jar --peer vstp-tcp --workload stream --size 65536 --duration 5s
 * </pre>
 */
@Command(
        name = "vstp-suite",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "One measurement of the loopback benchmark suite; prints one JSON line.")
public final class SuiteCommand implements Callable<Integer> {
    @Option(
            names = "--peer",
            required = true,
            description = "What to measure: ${COMPLETION-CANDIDATES}.",
            completionCandidates = PeerNames.class)
    String peer;

    @Option(
            names = "--workload",
            required = true,
            description = "stream (one-way), rr (closed loop), rr-rate (fixed rate, coordinated omission "
                    + "corrected), transfer (reliable messages). run.py derives the highest sustained rate.")
    String workload;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--connections", defaultValue = "1", description = "Client connections (default 1).")
    int connections;

    @Option(names = "--concurrency", defaultValue = "16", description = "rr: requests in flight per connection.")
    int concurrency;

    @Option(names = "--rate", defaultValue = "10000", description = "rr-rate: requests per second offered.")
    double rate;

    @Option(
            names = "--duration",
            defaultValue = "5",
            description = "Seconds measured (after a warm-up of a " + "tenth, 0.1-1 s); decimals allowed.")
    double seconds;

    @Option(names = "--variant", defaultValue = "", description = "Peer-specific, e.g. a TLS variant of vstp-tls.")
    String variant;

    @Option(names = "--loss", defaultValue = "0", description = "UDP: share of datagrams dropped (0-0.5).")
    double loss;

    @Option(
            names = "--payload",
            defaultValue = "random",
            description = "random (default) or text: what the payload bytes are; text compresses to almost nothing.")
    String payload;

    @Override
    public Integer call() throws Exception {
        if (size < 0
                || connections < 1
                || connections > 64
                || concurrency < 1
                || rate <= 0
                || seconds <= 0
                || loss < 0
                || loss > 0.5) {
            throw new CommandLine.ParameterException(new CommandLine(this), "an option is out of range");
        }
        Timing timing = Timing.of(Duration.ofMillis((long) (seconds * 1000)));
        PeerSetup.Mode mode = workload.equals("stream") ? PeerSetup.Mode.SINK : PeerSetup.Mode.ECHO;
        PeerSetup.Content content = switch (payload) {
            case "random" -> PeerSetup.Content.RANDOM;
            case "text" -> PeerSetup.Content.TEXT;
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--payload is random or text, not " + payload);
        };
        PeerSetup setup = new PeerSetup(mode, size, connections, variant, loss, content);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("peer", peer);
        out.put("workload", workload);
        out.put("size", size);
        out.put("connections", connections);
        out.put("variant", variant);
        out.put("loss", loss);
        out.put("payload", payload);
        try (Peer p = Peers.create(peer)) {
            p.start(setup);
            Map<String, Object> result = switch (workload) {
                case "stream" -> Workloads.stream(p, setup, timing);
                case "rr" -> Workloads.closedLoop(p, setup, concurrency, timing);
                case "rr-rate" -> Workloads.fixedRate(p, setup, rate, timing);
                case "transfer" -> Workloads.transfer(p, setup, timing);
                default -> throw new IllegalArgumentException("unknown workload " + workload);
            };
            out.putAll(result);
            out.put("detail", p.detail());
            long wire = p.serverBytesReceived();
            if (wire >= 0 && p.received() > 0) {
                // Over the whole run, warm-up included, like received(): the bytes one message costs on the wire.
                out.put("serverBytesPerMessage", (double) wire / p.received());
            }
        }
        out.putIfAbsent("errors", 0L);
        System.out.println(new ObjectMapper().writeValueAsString(out));
        // Errors and an empty window are the peer's answer (a fixed rate above capacity meets its in-flight
        // limit): reported, and judged by run.py. A failure of the measurement itself threw before this.
        return 0;
    }

    /** The peer names, for --help. */
    static final class PeerNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Peers.names().iterator();
        }
    }

    public static void main(String[] args) {
        // Self-signed certificate notices are noise here.
        Logger.getLogger("io.vstp.transport").setLevel(Level.WARNING);
        int code = new CommandLine(new SuiteCommand()).execute(args);
        // Event-loop threads of a failed peer must not keep the JVM alive.
        System.exit(code);
    }
}
