package io.vstp.bench.suite;

import io.aeron.Aeron;
import io.aeron.AeronVersion;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron over UDP unicast on 127.0.0.1: what a Java team would pick for low-latency messaging. An embedded {@link
 * MediaDriver} in {@link ThreadingMode#SHARED} mode (conductor, sender and receiver on one thread, which serves
 * both sides here, since both are in this process) in a temporary Aeron directory (under /dev/shm when there is
 * one), deleted on close. Messages are Aeron's (32-byte data frame header) around the suite's payload; no headers
 * of ours, no sessions or request ids, no encryption. Unlike VSTP over UDP, one datagram is not one message: the
 * driver packs as many messages as fit the MTU (1408 bytes) into each datagram it sends, so small messages cost
 * little per message; a message above the MTU goes out in fragments.
 *
 * <p>Measured:
 * <ul>
 *   <li>{@code send}: {@link Publication#offer} on one {@link ExclusivePublication} per connection (its own Aeron
 *       session, so its own image at the server), retried while the publication is back-pressured: Aeron's flow
 *       control holds it back once it is a receiver window ahead of what the server's subscription consumed, so
 *       backpressure is real, end to end. The sender idles (spin, yield, then park up to 1 ms) between tries.
 *   <li>{@code received}: one {@link Subscription} on the channel, polled by one thread, counting whole messages
 *       (a {@link FragmentAssembler} joins the fragments of payloads above the MTU; below it, one fragment is one
 *       message).
 *   <li>{@code request}: a second channel back. The server thread echoes every message on the response
 *       publication of the connection it came from (matched by session id); one client thread polls the
 *       responses and completes requests first in, first out per connection (Aeron delivers a publication's
 *       messages in order). A request that cannot be offered at once (back-pressured) is left to the client thread,
 *       which offers it when it can, so no caller ever blocks and the two directions cannot deadlock.
 * </ul>
 *
 * <p>Threads: the driver's one shared thread, the Aeron client's conductor, the server's poll thread and, for
 * request/response, the client's poll thread, each idling with a backoff strategy when there is no work. UDP
 * means no kernel TCP stack, and the driver and client share memory-mapped log buffers: the cost shifts from
 * system calls per write to busy threads, which on 2 cores compete with the senders.
 */
final class AeronPeer implements Peer {
    private static final int REQUEST_STREAM = 1001;
    private static final int RESPONSE_STREAM = 1002;
    private static final int FRAGMENT_LIMIT = 256;
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final List<Connection> connections = new ArrayList<>();
    private final Int2IntHashMap requestSessions = new Int2IntHashMap(-1);
    private final Int2IntHashMap responseSessions = new Int2IntHashMap(-1);
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running = true;
    private Path directory;
    private MediaDriver driver;
    private Aeron aeron;
    private UnsafeBuffer payload;
    private int size;
    private Thread serverThread;
    private Thread clientThread;
    private volatile Throwable threadFailure;

    @Override
    public void start(PeerSetup setup) throws Exception {
        if (!setup.variant().isEmpty() || setup.loss() > 0) {
            throw new IllegalArgumentException("aeron has no variants and no loss injection");
        }
        size = setup.size();
        payload = new UnsafeBuffer(setup.payload());
        Path shm = Path.of("/dev/shm");
        directory = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "vstp-suite-aeron-")
                : Files.createTempDirectory("vstp-suite-aeron-");
        driver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(directory.toString())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .warnIfDirectoryExists(false)); // ours, made just now
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory.toString()));

        // Term length sized to the payload: Aeron's 16 MiB default makes each publication, and each image of it at
        // the subscriber, a 48 MiB log in /dev/shm, which 64 connections (both ways) could not afford here. The
        // flow-control window (the smaller of half a term and the 128 KiB socket receive buffer) is the same.
        int termLength = termLength(size);
        String requestChannel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "|term-length=" + termLength;
        Subscription requests = aeron.addSubscription(requestChannel, REQUEST_STREAM);
        boolean echo = setup.mode() == PeerSetup.Mode.ECHO;
        Subscription responses = null;
        String responseChannel =
                echo ? "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "|term-length=" + termLength : null;
        if (echo) {
            responses = aeron.addSubscription(responseChannel, RESPONSE_STREAM);
        }
        for (int i = 0; i < setup.connections(); i++) {
            ExclusivePublication out = aeron.addExclusivePublication(requestChannel, REQUEST_STREAM);
            ExclusivePublication back = echo ? aeron.addExclusivePublication(responseChannel, RESPONSE_STREAM) : null;
            connections.add(new Connection(out, back));
            requestSessions.put(out.sessionId(), i);
            if (echo) {
                responseSessions.put(back.sessionId(), i);
            }
        }
        long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        for (Connection c : connections) {
            awaitConnected(c.out, deadline);
            if (echo) {
                awaitConnected(c.back, deadline);
            }
        }

        FragmentHandler serverHandler = echo
                ? this::echo
                : (buffer, offset, length, header) ->
                        received.setRelease(received.getPlain() + 1); // the server thread is the only writer
        serverThread = pollThread("aeron-peer-server", requests, new FragmentAssembler(serverHandler), null);
        if (echo) {
            clientThread = pollThread(
                    "aeron-peer-client", responses, new FragmentAssembler(this::response), this::offerBacklogs);
        }
    }

    /** 8 x the payload (Aeron's largest message is an eighth of a term), as a power of two, 1-16 MiB. */
    static int termLength(int size) {
        long wanted = Math.max(1L << 20, 8L * size);
        long pow2 = Long.highestOneBit(wanted - 1) << 1;
        return (int) Math.min(pow2, 16L << 20);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitConnected(Publication p, long deadline) throws InterruptedException {
        while (!p.isConnected()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Aeron publication " + p.channel() + " not connected after 5 s");
            }
            Thread.sleep(1);
        }
    }

    /** A daemon thread polling {@code subscription} (and doing {@code extraWork}) until close. */
    private Thread pollThread(
            String name, Subscription subscription, FragmentHandler handler, java.util.function.IntSupplier extraWork) {
        Thread t = new Thread(
                () -> {
                    IdleStrategy idle = new BackoffIdleStrategy();
                    try {
                        while (running) {
                            int work = subscription.poll(handler, FRAGMENT_LIMIT);
                            if (extraWork != null) {
                                work += extraWork.getAsInt();
                            }
                            idle.idle(work);
                        }
                    } catch (Throwable e) {
                        threadFailure = e;
                        failAll(e);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Server thread: the message back on its connection's response publication, retried while back-pressured. */
    private void echo(org.agrona.DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        int c = requestSessions.get(header.sessionId());
        if (c < 0) {
            return;
        }
        ExclusivePublication back = connections.get(c).back;
        IdleStrategy idle = null;
        long r;
        // Only the client thread consumes responses, and it never blocks: this wait ends.
        while ((r = back.offer(buffer, offset, length)) < 0 && running) {
            if (r == Publication.CLOSED || r == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("echo offer failed: " + Publication.errorString(r));
            }
            if (idle == null) {
                idle = new BackoffIdleStrategy();
            }
            idle.idle();
        }
    }

    /** Client thread: completes the oldest request of the connection the response came back on. */
    private void response(org.agrona.DirectBuffer buffer, int offset, int length, io.aeron.logbuffer.Header header) {
        int c = responseSessions.get(header.sessionId());
        if (c >= 0) {
            connections.get(c).answered();
        }
    }

    private int offerBacklogs() {
        int work = 0;
        for (Connection c : connections) {
            work += c.offerBacklog(payload, size);
        }
        return work;
    }

    private void failAll(Throwable e) {
        for (Connection c : connections) {
            c.failAll(e);
        }
    }

    @Override
    public void send(int connection) throws Exception {
        Connection c = connections.get(connection);
        ExclusivePublication out = c.out;
        long notConnectedSince = 0;
        long r;
        while ((r = out.offer(payload, 0, size)) < 0) {
            if (r == Publication.NOT_CONNECTED) {
                long now = System.nanoTime();
                if (notConnectedSince == 0) {
                    notConnectedSince = now;
                } else if (now - notConnectedSince > CONNECT_TIMEOUT_NANOS) {
                    throw new IllegalStateException("Aeron publication not connected for 5 s");
                }
            } else if (r != Publication.BACK_PRESSURED && r != Publication.ADMIN_ACTION) {
                throw new IllegalStateException("offer failed: " + Publication.errorString(r));
            }
            if (threadFailure != null) {
                throw new IllegalStateException("server thread failed: " + threadFailure, threadFailure);
            }
            c.senderIdle.idle(); // this connection's sender thread only
        }
        c.senderIdle.reset();
    }

    @Override
    public long received() {
        return received.get();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        connections.get(connection).request(f, payload, size);
        return f;
    }

    @Override
    public String detail() {
        return "Aeron " + AeronVersion.VERSION + ", embedded media driver (SHARED threading), UDP unicast on "
                + "127.0.0.1, term length " + (termLength(size) >> 10) + " KiB, one exclusive publication per "
                + "connection, backoff idle strategies, "
                + (directory != null && directory.startsWith("/dev/shm") ? "/dev/shm" : "tmp") + " directory, "
                + "rr as an echo on a second channel (FIFO per publication), no encryption";
    }

    @Override
    public void close() throws Exception {
        running = false;
        for (Thread t : new Thread[] {clientThread, serverThread}) {
            if (t != null) {
                t.join(2000);
            }
        }
        failAll(new IllegalStateException("Aeron peer closed"));
        if (aeron != null) {
            aeron.close(); // closes its publications and subscriptions
        }
        if (driver != null) {
            driver.close(); // deletes the directory (dirDeleteOnShutdown)
        }
        PeerSetup.deleteTree(directory);
    }

    /**
     * One client connection: its request publication and the server's response publication for it. Requests
     * are offered and queued under this object's lock, so the FIFO of pending requests is in publication order.
     */
    private static final class Connection {
        final ExclusivePublication out;
        final ExclusivePublication back;
        final IdleStrategy senderIdle = new BackoffIdleStrategy();
        private final ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        /** Requests queued but not yet offered (all carry the same payload, so a count is enough). */
        private int backlog;

        private Throwable failure;

        Connection(ExclusivePublication out, ExclusivePublication back) {
            this.out = out;
            this.back = back;
        }

        void request(CompletableFuture<Void> f, UnsafeBuffer payload, int size) {
            synchronized (this) {
                if (failure == null) {
                    pending.add(f);
                    if (backlog > 0) {
                        backlog++; // behind others waiting: keep the order
                        return;
                    }
                    long r = out.offer(payload, 0, size);
                    if (r > 0 || retryable(r)) {
                        if (r < 0) {
                            backlog++;
                        }
                        return;
                    }
                    pending.pollLast();
                    failure = new IllegalStateException("offer failed: " + Publication.errorString(r));
                }
            }
            f.completeExceptionally(failure);
        }

        /** Client thread: offers what request() could not; returns how many went out. */
        int offerBacklog(UnsafeBuffer payload, int size) {
            int sent = 0;
            synchronized (this) {
                while (backlog > 0 && failure == null) {
                    long r = out.offer(payload, 0, size);
                    if (r < 0) {
                        if (!retryable(r)) {
                            failure = new IllegalStateException("offer failed: " + Publication.errorString(r));
                        }
                        break;
                    }
                    backlog--;
                    sent++;
                }
            }
            if (failure != null) {
                failAll(failure);
            }
            return sent;
        }

        private static boolean retryable(long r) {
            return r == Publication.BACK_PRESSURED || r == Publication.ADMIN_ACTION || r == Publication.NOT_CONNECTED;
        }

        void answered() {
            CompletableFuture<Void> f;
            synchronized (this) {
                f = pending.poll();
            }
            if (f != null) {
                f.complete(null);
            }
        }

        void failAll(Throwable e) {
            List<CompletableFuture<Void>> failed;
            synchronized (this) {
                if (failure == null) {
                    failure = e;
                }
                failed = new ArrayList<>(pending);
                pending.clear();
                backlog = 0;
            }
            failed.forEach(f -> f.completeExceptionally(e));
        }
    }
}
