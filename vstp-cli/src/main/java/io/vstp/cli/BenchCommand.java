package io.vstp.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vstp bench}: latency percentiles and throughput of frames to a server, or to an in-process loopback
 * server ({@code --local}). TCP and TLS measure request/response round trips against the server's echo service;
 * UDP and DTLS measure reliable sends until acknowledged. {@code --concurrency} frames are in flight at once, on one
 * connection (TCP/TLS) or one endpoint (UDP/DTLS). {@code --transport netty} and {@code --baseline} measure the same
 * workload over raw Netty ({@link BenchNetty}), to quote VSTP as ratios. See docs/guide/cli.md, section bench.
 *
 * <p>The pieces: {@link BenchLocalServer} (the {@code --local} server and its temporary home), {@link BenchLink}
 * (one transport's "send a frame, complete when done"), {@link BenchLoop} (the closed loop, warm-up and histogram)
 * and {@link BenchReport} (the table and the JSON).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures latency and throughput of frames to a server (HOST[:PORT]) or to an in-process "
                    + "loopback server (--local).",
            "tcp/tls: request/response round trips against the server's echo service; udp/dtls: reliable "
                    + "sends, each until acknowledged. The first 10%% of frames (with --duration: the first 10%% of "
                    + "the time, at most 1 s) are warm-up and not measured."
        },
        footer = {
            "",
            "Examples:",
            "  vstp bench --local --transport tls --count 20000",
            "  vstp bench --local --transport udp --size 64 --duration 10s --json",
            "  vstp bench --local --transport tcp --baseline --duration 10s",
            "  vstp bench server.example:6969 --pin sha256:... --concurrency 64"
        })
final class BenchCommand implements Callable<Integer> {
    static final int DEFAULT_SIZE = 1024;
    static final long DEFAULT_COUNT = 10_000;
    static final int DEFAULT_CONCURRENCY = 16;
    /** The largest payload: UDP's largest message (TCP servers usually accept less and say so in WELCOME). */
    static final int MAX_SIZE = 128 * 1024 * 1024;

    static final int MAX_CONCURRENCY = 65_536;

    /** What to bench. */
    enum Transport {
        TCP(false, false),
        TLS(false, true),
        UDP(true, false),
        DTLS(true, true),
        /** The baseline: raw Netty, length-prefixed echo, no VSTP (see {@link BenchNetty}); --local only. */
        NETTY(false, false);

        final boolean datagram;
        final boolean secure;

        Transport(boolean datagram, boolean secure) {
            this.datagram = datagram;
            this.secure = secure;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "HOST[:PORT]",
            description = "The server to bench (default port " + Target.DEFAULT_PORT + "). Omit with --local.")
    String address;

    @Option(
            names = "--local",
            description = "Start a server on 127.0.0.1 in this process, bench it, stop it "
                    + "(TLS/DTLS with a throw-away self-signed certificate, pinned by the client).")
    boolean local;

    @Option(
            names = "--transport",
            paramLabel = "tcp|tls|udp|dtls|netty",
            converter = TransportConverter.class,
            completionCandidates = TransportCandidates.class,
            description = "tcp and udp are plaintext, tls (TLS 1.3) and dtls (DTLS 1.2) encrypted; netty (with "
                    + "--local) is the baseline: raw Netty echoing length-prefixed payloads, no VSTP. "
                    + "Default: tls, or tcp with --plain.")
    Transport transport;

    @Option(
            names = "--baseline",
            description = "With --local and tcp: first run the same workload over raw "
                    + "Netty (--transport netty), then the VSTP run; print both and the ratios VSTP / Netty.")
    boolean baseline;

    @Option(
            names = "--size",
            paramLabel = "BYTES",
            defaultValue = "1024",
            converter = SizeConverter.class,
            description = "Payload bytes per frame, e.g. 64, 16KiB, 1MiB (default ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = "--count",
            paramLabel = "N",
            description = "Frames to send, warm-up included " + "(default " + DEFAULT_COUNT + ").")
    Long count;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Send for this long instead of a count, warm-up included, e.g. 10s, 2m.")
    Duration duration;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            defaultValue = "16",
            description = "Frames in flight at once (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Mixin
    ClientOptions client;

    @Mixin
    LegacyPeerOption legacy;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Transport kind = validate();
        BenchLoop.Plan plan = count != null || duration == null
                ? BenchLoop.Plan.ofCount(count != null ? count : DEFAULT_COUNT)
                : BenchLoop.Plan.ofDuration(duration);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The baseline first, on its own server and connection, closed before the VSTP run starts.
        BenchReport base = baseline ? measure(Transport.NETTY, plan, err) : null;
        BenchReport report = measure(kind, plan, err);
        if (base != null) {
            report = report.withBaseline(base);
        }
        out.print(json ? report.json() + System.lineSeparator() : report.table());
        out.flush();
        if (report.allErrors() > 0) {
            BenchReport failed = report.errors() > 0 ? report : base;
            throw new CliException(
                    ExitCodes.FAILED,
                    failed.errors() + " of " + failed.count() + " frames failed"
                            + (failed == base ? " in the baseline" : "")
                            + (failed.firstError() != null ? " (first: " + failed.firstError() + ")" : ""));
        }
        return ExitCodes.OK;
    }

    /** One run of {@code kind}: connect (and start the local server), run the loop, report. */
    private BenchReport measure(Transport kind, BenchLoop.Plan plan, PrintWriter err) throws InterruptedException {
        try (BenchLocalServer server = local ? BenchLocalServer.start(kind) : null) {
            Target target = server != null ? server.target() : Target.parse(address);
            try (BenchLink link = server != null
                    ? BenchLink.openLocal(kind, server, client)
                    : BenchLink.openRemote(kind, target, client)) {
                int inFlight = concurrency;
                if (link.maxInFlight() < inFlight) {
                    inFlight = link.maxInFlight();
                    err.println("vstp: the server allows " + inFlight + " requests in flight; using --concurrency "
                            + inFlight);
                    err.flush();
                }
                BenchLoop loop = new BenchLoop(link, size, inFlight, plan);
                BenchLoop.Result result = loop.run();
                return BenchReport.of(
                        kind.label(),
                        target.toString(),
                        local,
                        link.tlsProtocol(),
                        link.tlsCipher(),
                        size,
                        inFlight,
                        result);
            }
        }
    }

    /** Checks the combination of options; returns the transport to use. */
    private Transport validate() {
        if (local == (address != null)) {
            throw usage(
                    local
                            ? "--local benches its own server: give no HOST[:PORT]"
                            : "missing HOST[:PORT] (or --local for an in-process server)");
        }
        if (address != null && !Target.parse(address).path().isEmpty()) {
            throw usage("bench takes HOST[:PORT], without a path");
        }
        if (count != null && duration != null) {
            throw usage("--count and --duration are mutually exclusive");
        }
        if (count != null && count < 1) {
            throw usage("--count must be at least 1");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw usage("--duration must be positive");
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw usage("--concurrency must be 1.." + MAX_CONCURRENCY);
        }
        if (client.timeout.isNegative() || client.timeout.isZero()) {
            throw usage("--timeout must be positive");
        }
        Transport kind = transport != null ? transport : client.plain ? Transport.TCP : Transport.TLS;
        if (client.plain && kind.secure) {
            throw usage("--plain contradicts --transport " + kind.label() + " (use tcp or udp)");
        }
        if (kind == Transport.NETTY && !local) {
            throw usage("--transport netty is the local baseline: use it with --local");
        }
        if (baseline && (!local || kind != Transport.TCP)) {
            throw usage("--baseline compares local plaintext VSTP with raw Netty: use it with --local and "
                    + "--transport tcp");
        }
        if (local && (client.tofu || client.ca != null || !client.pins.isEmpty())) {
            throw usage("--pin, --ca and --tofu are for a remote server; --local pins its own certificate");
        }
        client.plain = !kind.secure;
        if (!local) {
            // Checks the choice; a local server is ours and always answers HELLO.
            legacy.apply(
                    io.vstp.transport.VstpClient.builder(),
                    client.plain,
                    kind == Transport.UDP,
                    client.timeout,
                    client.tokens() != null);
            client.legacyPeer = legacy;
        }
        return kind;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** {@code tcp}, {@code TLS}, ... to a {@link Transport}. */
    static final class TransportConverter implements CommandLine.ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            for (Transport t : Transport.values()) {
                if (t.label().equalsIgnoreCase(value.trim())) {
                    return t;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a transport (tcp, tls, udp, dtls, " + "netty)");
        }
    }

    /** For completion scripts and the usage message. */
    static final class TransportCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("tcp", "tls", "udp", "dtls", "netty").iterator();
        }
    }

    /** A payload size, at most {@link #MAX_SIZE}: see {@link ByteSizeConverter}. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) ByteSizeConverter.parse(value, MAX_SIZE);
        }
    }
}
