package io.vstp.bench.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The memory workload of the suite: a server process and a client process, so the server's memory is its own.
 * {@code run.py} starts {@code server}, asks it to {@code measure} at idle, then starts {@code clients} with 1 and
 * with N idle connections and asks again each time.
 *
 * <pre>
 * java -cp vstp-suite.jar io.vstp.bench.suite.MemoryProbe server tls|plain
 *     prints "listening PORT FINGERPRINT"; each stdin line "measure" prints a JSON line; stdin EOF stops it
 * java -cp vstp-suite.jar io.vstp.bench.suite.MemoryProbe clients tls|plain PORT FINGERPRINT N [RATE]
 *     prints "connected N" once all are open; holds them until stdin EOF; with RATE, sends that many 1 KiB
 *     echo requests per second meanwhile, round-robin over the connections (the soak, soak.py)
 * </pre>
 *
 * The server is a plain {@link VstpServer} with the default limits, except that one address (127.0.0.1) may hold
 * all the connections. Idle connections stay open through keepalive PINGs, as in production.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        Logger.getLogger("io.vstp.transport").setLevel(Level.WARNING);
        boolean tls = args[1].equals("tls");
        if (args[0].equals("server")) {
            server(tls);
        } else {
            clients(
                    tls,
                    Integer.parseInt(args[2]),
                    args[3],
                    Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 0);
        }
        System.exit(0);
    }

    private static void server(boolean tls) throws Exception {
        Path home = Files.createTempDirectory("vstp-memory-");
        TransportLimits limits = TransportLimits.DEFAULT.withMaxConnections(20_000, 20_000);
        VstpServer.Builder b =
                VstpServer.builder().host("127.0.0.1").port(0).limits(limits).handler(RequestHandler.echo());
        try (VstpServer server =
                (tls ? b.tls(TlsServerOptions.builder().home(home).build()) : b.plain()).start()) {
            System.out.println("listening " + server.port() + " " + (tls ? server.certificateFingerprint() : "-"));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.trim().equals("measure")) {
                    System.out.println(new ObjectMapper()
                            .writeValueAsString(measure(server.stats().open())));
                    System.out.flush();
                }
            }
        }
    }

    /** RSS as the kernel counts it, and the heap in use after a full collection (what is really retained). */
    private static Map<String, Object> measure(int open) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("open_connections", open);
        m.put(
                "heap_used_bytes",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        m.put(
                "heap_committed_bytes",
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        m.put(
                "non_heap_used_bytes",
                ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed());
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                m.put("rss_bytes", Long.parseLong(l.replaceAll("\\D", "")) * 1024);
            }
        }
        m.put(
                "direct_pooled_bytes",
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
        return m;
    }

    /**
     * {@code rate} echo requests of 1 KiB per second, spread over {@code open} in turn, paced every 10 ms; at most
     * 1 000 unanswered at once, so a slow server slows the load instead of piling it up. Failures are counted and
     * printed when it stops.
     */
    private static Thread steadyTraffic(List<VstpConnection> open, int rate) {
        Thread t = new Thread(
                () -> {
                    Semaphore inFlight = new Semaphore(1000);
                    byte[] payload = new byte[1024];
                    java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
                    long sent = 0;
                    long start = System.nanoTime();
                    int next = 0;
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                            for (; sent < due; sent++) {
                                inFlight.acquire();
                                VstpConnection c = open.get(next++ % open.size());
                                c.request(io.vstp.core.frame.Frame.builder(io.vstp.core.frame.FrameType.DATA)
                                                .payload(payload)
                                                .build())
                                        .whenComplete((r, e) -> {
                                            inFlight.release();
                                            if (e != null) {
                                                failed.incrementAndGet();
                                            } else {
                                                r.release();
                                            }
                                        });
                            }
                            Thread.sleep(10);
                        }
                    } catch (InterruptedException e) {
                        // stopped
                    }
                    System.err.println("traffic: " + sent + " requests, " + failed.get() + " failed");
                },
                "soak-traffic");
        t.start();
        return t;
    }

    private static void clients(boolean tls, int port, String fingerprint, int n, int rate) throws Exception {
        Path home = Files.createTempDirectory("vstp-memory-client-");
        VstpClient.Builder b = VstpClient.builder().threads(1).requestTimeout(Duration.ofSeconds(30));
        List<VstpConnection> open = new ArrayList<>();
        try (VstpClient client = tls
                ? b.tls(TlsClientOptions.builder()
                                .home(home)
                                .trustSystemCertificates(false)
                                .pin(fingerprint)
                                .build())
                        .build()
                : b.plain().build()) {
            // At most 64 handshakes at once: a burst of thousands would only measure the accept backlog.
            Semaphore window = new Semaphore(64);
            List<CompletableFuture<VstpConnection>> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                window.acquire();
                CompletableFuture<VstpConnection> c = client.connect("127.0.0.1", port);
                c.whenComplete((v, e) -> window.release());
                all.add(c);
            }
            for (CompletableFuture<VstpConnection> c : all) {
                open.add(c.get(60, TimeUnit.SECONDS));
            }
            System.out.println("connected " + open.size());
            System.out.flush();
            Thread traffic = rate > 0 ? steadyTraffic(open, rate) : null;
            while (System.in.read() >= 0) {
                // hold the connections until the parent closes stdin
            }
            if (traffic != null) {
                traffic.interrupt();
                traffic.join(5000);
            }
        }
    }
}
