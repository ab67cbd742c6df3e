package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static io.vstp.transport.testing.Frames.hello;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.ScriptedPeer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A fast producer against a slow consumer, both ways: what is queued in memory stays under the write-buffer
 * high-water mark plus one frame, instead of growing with what the producer wants to send.
 */
class BackpressureTest {
    private static final int FRAME = 64 * 1024;
    private static final int LOW = 128 * 1024;
    private static final int HIGH = 512 * 1024;
    private static final TransportLimits LIMITS =
            TransportLimits.DEFAULT.withWriteBufferWaterMarks(LOW, HIGH).withMaxInFlightRequests(8);

    /** Server pushes up to 64 MiB to a peer that does not read; the producer follows whenWritable(). */
    @Test
    void serverPushToANonReadingPeerStaysBounded() throws Exception {
        int total = 1024; // 64 MiB if nothing held it back
        AtomicInteger sent = new AtomicInteger();
        AtomicLong maxPending = new AtomicLong();
        CompletableFuture<Session> sessionRef = new CompletableFuture<>();
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .limits(LIMITS)
                        .handler((request, session) -> {
                            sessionRef.complete(session);
                            produce(session, total, sent, maxPending);
                            return CompletableFuture.completedFuture(null);
                        })
                        .start();
                ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(hello(), data("start"));
            Session session = sessionRef.get(5, TimeUnit.SECONDS);
            // Let the producer run into the wall: the kernel buffers fill, then Netty's, then it must stop.
            // It has stopped when a poll finds it where the previous one left it.
            AtomicInteger before = new AtomicInteger(-1);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        int now = sent.get();
                        return before.getAndSet(now) == now;
                    });
            assertThat(sent.get()).as("producer must be held back").isLessThan(total);
            assertThat(maxPending.get()).isLessThanOrEqualTo(HIGH + FRAME);
            assertThat(session.isWritable()).isFalse();

            // Now the peer reads everything: the producer resumes and finishes; nothing is lost.
            peer.timeout(Duration.ofSeconds(30)).expect(FrameType.WELCOME);
            for (int i = 0; i < total; i++) {
                peer.expect(
                        FrameType.DATA,
                        f -> assertThat(f.payload().readableBytes()).isEqualTo(FRAME));
            }
            assertThat(sent.get()).isEqualTo(total);
        }
    }

    private static void produce(Session session, int total, AtomicInteger sent, AtomicLong maxPending) {
        while (sent.get() < total && session.isWritable()) {
            session.send(new Frame(
                    FrameType.DATA,
                    io.vstp.core.frame.Flags.NONE,
                    io.vstp.core.frame.Headers.EMPTY,
                    Unpooled.wrappedBuffer(new byte[FRAME])));
            sent.incrementAndGet();
            maxPending.accumulateAndGet(session.pendingWriteBytes(), Math::max);
        }
        if (sent.get() < total) {
            session.whenWritable().thenRun(() -> produce(session, total, sent, maxPending));
        }
    }

    /**
     * A slow handler (10 ms per frame) and a client sending one-way frames as fast as writability allows: the
     * server pauses reading at its in-flight limit, TCP pushes back, and the client's queue stays bounded.
     */
    @Test
    void slowHandlerSlowsTheClient() throws Exception {
        ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .limits(LIMITS)
                        .handler((request, session) -> {
                            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                            CompletableFuture<Frame> done = new CompletableFuture<>();
                            slow.schedule(
                                    () -> {
                                        running.decrementAndGet();
                                        handled.incrementAndGet();
                                        done.complete(null);
                                    },
                                    10,
                                    TimeUnit.MILLISECONDS);
                            return done;
                        })
                        .start();
                VstpClient client =
                        VstpClient.builder().plain().threads(1).limits(LIMITS).build();
                VstpConnection conn = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS)) {
            long maxPending = 0;
            boolean sawUnwritable = false;
            int sentFrames = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline && sentFrames < 100_000) {
                if (!conn.isWritable()) {
                    sawUnwritable = true;
                    conn.whenWritable().get(10, TimeUnit.SECONDS);
                }
                conn.send(new Frame(
                        FrameType.DATA,
                        io.vstp.core.frame.Flags.NONE,
                        io.vstp.core.frame.Headers.EMPTY,
                        Unpooled.wrappedBuffer(new byte[FRAME])));
                sentFrames++;
                maxPending = Math.max(maxPending, conn.pendingWriteBytes());
            }
            assertThat(sawUnwritable)
                    .as("the client must feel the slow handler")
                    .isTrue();
            assertThat(maxPending).isLessThanOrEqualTo(HIGH + 2L * FRAME);
            assertThat(maxRunning.get()).isLessThanOrEqualTo(LIMITS.maxInFlightRequests());
            assertThat(handled.get()).isLessThan(sentFrames);
        } finally {
            slow.shutdownNow();
        }
    }
}
