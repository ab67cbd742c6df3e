package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.SessionException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The UDP endpoint over real sockets on 127.0.0.1, with and without injected faults. */
class UdpEndpointTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private VstpUdpEndpoint endpoint(VstpUdpEndpoint.Handler handler) throws InterruptedException {
        VstpUdpEndpoint e = VstpUdpEndpoint.builder().plain().handler(handler).start();
        resources.add(e);
        return e;
    }

    private VstpUdpEndpoint lossyEndpoint(
            long seed, double drop, double dup, double reorder, VstpUdpEndpoint.Handler handler)
            throws InterruptedException {
        NettyDatagramLink real = NettyDatagramLink.bind(new InetSocketAddress("127.0.0.1", 0), null, 1200);
        VstpUdpEndpoint e = VstpUdpEndpoint.builder()
                .plain()
                .link(new LossyDatagramLink(real, seed, drop, dup, reorder, 20))
                .handler(handler)
                .start();
        resources.add(e);
        return e;
    }

    @Test
    void smallReliableFrameIsAcknowledgedAndDeliveredOnce() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        VstpUdpEndpoint server = endpoint((peer, f) -> got.add(f));
        VstpUdpEndpoint client = endpoint((peer, f) -> f.release());

        client.sendReliable(
                        server.localAddress(),
                        Frame.builder(FrameType.DATA)
                                .header("k", "v")
                                .payload("hello")
                                .build())
                .get(5, TimeUnit.SECONDS);
        Frame f = got.poll(5, TimeUnit.SECONDS);
        try {
            assertThat(f.payloadAsString()).isEqualTo("hello");
            assertThat(f.headers().value("k")).isEqualTo("v");
            // Delivered as the application sent it: the msg-id and REQ_ACK of reliable delivery are gone.
            assertThat(f.headers().value("msg-id")).isNull();
            assertThat(f.flags().has(io.vstp.core.frame.Flags.REQ_ACK)).isFalse();
        } finally {
            f.release();
        }
        assertThat(server.stats().acksSent()).isEqualTo(1);
        assertThat(got).isEmpty();
    }

    @Test
    void bestEffortLargeFrameIsFragmentedAndReassembled() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        VstpUdpEndpoint server = endpoint((peer, f) -> got.add(f));
        VstpUdpEndpoint client = endpoint((peer, f) -> f.release());
        byte[] body = new byte[20_000];
        new java.util.Random(1).nextBytes(body);
        client.send(
                        server.localAddress(),
                        Frame.builder(FrameType.DATA).payload(body).build())
                .get(5, TimeUnit.SECONDS);
        Frame f = got.poll(5, TimeUnit.SECONDS);
        try {
            assertThat(f.payloadBytes()).isEqualTo(body);
        } finally {
            f.release();
        }
    }

    @Test
    void hundredMebibyteFrameGoesThrough() throws Exception {
        CompletableFuture<byte[]> digest = new CompletableFuture<>();
        VstpUdpEndpoint server = endpoint((peer, f) -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(f.payload().nioBuffer());
                digest.complete(md.digest());
            } catch (Exception e) {
                digest.completeExceptionally(e);
            } finally {
                f.release();
            }
        });
        VstpUdpEndpoint client = endpoint((peer, f) -> f.release());
        byte[] body = new byte[100 * 1024 * 1024];
        new java.util.Random(7).nextBytes(body);
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(body);
        client.sendReliable(
                        server.localAddress(),
                        new Frame(
                                FrameType.DATA,
                                io.vstp.core.frame.Flags.NONE,
                                io.vstp.core.frame.Headers.EMPTY,
                                Unpooled.wrappedBuffer(body)))
                .get(120, TimeUnit.SECONDS);
        assertThat(digest.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(server.reassemblyBytes()).isZero();
    }

    /** 50 MiB in 1 MiB messages over a path that loses 5%, duplicates 1% and reorders 5% of datagrams. */
    @Test
    void fiftyMebibytesOverALossyPathArriveIntactAndExactlyOnce() throws Exception {
        int messages = 50;
        int size = 1024 * 1024;
        Map<Integer, byte[]> received = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        VstpUdpEndpoint server = lossyEndpoint(42, 0.05, 0.01, 0.05, (peer, f) -> {
            try {
                int seq = Integer.parseInt(f.headers().value("seq"));
                assertThat(received.put(seq, f.payloadBytes()))
                        .as("message %d delivered twice", seq)
                        .isNull();
                if (deliveries.incrementAndGet() == messages) {
                    all.complete(null);
                }
            } catch (Throwable t) {
                all.completeExceptionally(t);
            } finally {
                f.release();
            }
        });
        VstpUdpEndpoint client = lossyEndpoint(43, 0.05, 0.01, 0.05, (peer, f) -> f.release());

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        java.util.Random random = new java.util.Random(99);
        Semaphore window = new Semaphore(4);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            sent.update(body);
            window.acquire();
            CompletableFuture<Void> ack = client.sendReliable(
                    server.localAddress(),
                    Frame.builder(FrameType.DATA)
                            .header("seq", Integer.toString(i))
                            .payload(Unpooled.wrappedBuffer(body))
                            .build());
            ack.whenComplete((v, e) -> window.release());
            acks.add(ack);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        all.get(10, TimeUnit.SECONDS);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < messages; i++) {
            got.update(received.get(i));
        }
        assertThat(got.digest()).isEqualTo(sent.digest());
        assertThat(deliveries.get()).isEqualTo(messages);
        assertThat(client.stats().retransmitted()).as("losses were repaired").isPositive();
        System.out.printf("50 MiB over 5%% loss: %.1f s, %s%n", (System.nanoTime() - start) / 1e9, client.stats());
    }

    /**
     * A message larger than the receiver's per-peer reassembly budget: the receiver keeps evicting what it had
     * acknowledged, the generation in its SACKs tells the sender, and the send fails in bounded time instead of
     * reporting a success that never reached the application.
     */
    @Test
    void messageTheReceiverCannotHoldFailsInsteadOfSucceedingSilently() throws Exception {
        List<Frame> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                .plain()
                .limits(UdpLimits.DEFAULT.withReassembly(8, 64, 256 * 1024, 1024 * 1024, Duration.ofSeconds(30)))
                .handler((p, f) -> delivered.add(f))
                .start();
        resources.add(server);
        VstpUdpEndpoint client = VstpUdpEndpoint.builder()
                .plain()
                .limits(UdpLimits.DEFAULT.withRetransmission(Duration.ofMillis(20), Duration.ofMillis(100), 4))
                .start();
        resources.add(client);
        CompletableFuture<Void> ack = client.sendReliable(
                server.localAddress(),
                Frame.builder(FrameType.DATA).payload(new byte[400 * 1024]).build());
        assertThatThrownBy(() -> ack.get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
        assertThat(delivered).isEmpty();
        assertThat(server.stats().dropped(UdpStats.Drop.REASSEMBLY_FULL)).isPositive();
    }

    @Test
    void unreachablePeerFailsWithATimeoutAfterBoundedRetries() throws Exception {
        VstpUdpEndpoint client = VstpUdpEndpoint.builder()
                .plain()
                .limits(UdpLimits.DEFAULT.withRetransmission(Duration.ofMillis(20), Duration.ofMillis(80), 3))
                .start();
        resources.add(client);
        int deadPort;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0)) {
            deadPort = s.getLocalPort();
        }
        CompletableFuture<Void> ack = client.sendReliable(
                new InetSocketAddress("127.0.0.1", deadPort),
                Frame.builder(FrameType.DATA).payload("anyone?").build());
        assertThatThrownBy(() -> ack.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
    }
}
