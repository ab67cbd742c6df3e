package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.SessionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Receive-window auto-tuning (StreamMultiplexer): a lone stream whose consumer keeps up gets a larger window, a stuck
 * consumer or a second stream keeps it at the announced size, and the process-wide budget bounds the sum. The
 * multiplexer is the receiving side here; the test plays the sender, within the credit the updates grant.
 */
class WindowTuningTest {
    private static final int STREAM_WINDOW = 256 * 1024;
    private static final int CONNECTION_WINDOW = 1024 * 1024;
    private static final int FRAME = 64 * 1024;

    /** One receiving multiplexer, with the credit its WINDOW_UPDATEs gave the sender (the test). */
    private static final class Receiver implements StreamMultiplexer.Listener {
        final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        final StreamMultiplexer mux;
        final boolean consume;
        final List<String> violations = new ArrayList<>();
        long streamCredit;
        long connectionCredit = CONNECTION_WINDOW;
        long heldBytes;

        Receiver(boolean consume) {
            this.consume = consume;
            ChannelHandlerContext ctx = channel.pipeline().firstContext();
            this.mux = new StreamMultiplexer(
                    ctx,
                    new StreamMultiplexer.Parameters(
                            STREAM_WINDOW,
                            CONNECTION_WINDOW,
                            STREAM_WINDOW,
                            CONNECTION_WINDOW,
                            64,
                            64 * 1024 * 1024,
                            16 * 1024,
                            FRAME,
                            256 * 1024),
                    false,
                    this,
                    null,
                    null);
        }

        /** Sends one frame on {@code stream} as the peer would (it must have the credit) and reads the updates. */
        void receive(long stream, boolean first) {
            receive(stream, first, false);
        }

        /** As {@link #receive(long, boolean)}; {@code last} ends the peer's side of the stream. */
        void receive(long stream, boolean first, boolean last) {
            if (first) {
                streamCredit = STREAM_WINDOW;
            }
            assertThat(Math.min(streamCredit, connectionCredit))
                    .as("the sender's credit")
                    .isGreaterThanOrEqualTo(FRAME);
            streamCredit -= FRAME;
            connectionCredit -= FRAME;
            mux.onFrame(new Frame(
                    stream,
                    FrameType.DATA,
                    last ? Flags.END_STREAM : Flags.NONE,
                    Headers.EMPTY,
                    Unpooled.wrappedBuffer(new byte[FRAME])));
            readUpdates(stream);
        }

        void readUpdates(long stream) {
            for (Object o; (o = channel.readOutbound()) != null; ) {
                Frame f = (Frame) o;
                if (f.type().equals(FrameType.WINDOW_UPDATE)) {
                    long increment = VarInt.get(f.payload(), f.payload().readerIndex());
                    if (f.streamId() == 0) {
                        connectionCredit += increment;
                    } else if (f.streamId() == stream) {
                        streamCredit += increment;
                    }
                }
                f.release();
            }
        }

        @Override
        public void onMessage(Frame message, boolean endStream, int credit) {
            long id = message.streamId();
            message.release();
            if (consume) {
                mux.consumed(id, credit);
            } else {
                heldBytes += credit;
            }
        }

        @Override
        public void onStreamFailed(long id, SessionException error) {
            violations.add(error.getMessage());
        }

        @Override
        public void onViolation(ErrorCode code, String message) {
            violations.add(code + ": " + message);
        }

        @Override
        public void onDrained() {}

        void close() {
            mux.close(new SessionException(ErrorCode.CONNECTION_CLOSED, SessionException.Scope.CONNECTION, "end"));
            channel.finishAndReleaseAll();
        }
    }

    private final List<Receiver> receivers = new ArrayList<>();

    private Receiver receiver(boolean consume) {
        Receiver r = new Receiver(consume);
        receivers.add(r);
        return r;
    }

    @AfterEach
    void closeAll() {
        receivers.forEach(Receiver::close);
    }

    /** Waits out the calm period after the connection last had two streams (100 ms). */
    private static void calm() throws InterruptedException {
        Thread.sleep(150);
    }

    @Test
    void aLoneStreamWhoseConsumerKeepsUpGrowsToTheLimit() throws Exception {
        Receiver r = receiver(true);
        long before = StreamMultiplexer.tunedBytes();
        calm();
        r.receive(1, true);
        for (int i = 0; i < 200; i++) {
            r.receive(1, false);
        }
        assertThat(r.violations).isEmpty();
        assertThat(r.streamCredit)
                .as("stream credit once the consumer returned everything")
                .isGreaterThan(StreamMultiplexer.TUNED_WINDOW_LIMIT / 2)
                .isLessThanOrEqualTo(StreamMultiplexer.TUNED_WINDOW_LIMIT);
        assertThat(r.connectionCredit)
                .as("the connection window grew with it")
                .isGreaterThan(CONNECTION_WINDOW + (long) StreamMultiplexer.TUNED_WINDOW_LIMIT / 2 - STREAM_WINDOW);
        assertThat(StreamMultiplexer.tunedBytes() - before)
                .isEqualTo(StreamMultiplexer.TUNED_WINDOW_LIMIT - STREAM_WINDOW);

        r.close();
        receivers.remove(r);
        assertThat(StreamMultiplexer.tunedBytes())
                .as("closing gives the budget back")
                .isEqualTo(before);
    }

    @Test
    void aStuckConsumerKeepsTheAnnouncedWindow() throws Exception {
        Receiver r = receiver(false);
        calm();
        r.receive(1, true);
        for (int i = 1; i < STREAM_WINDOW / FRAME; i++) {
            r.receive(1, false);
        }
        assertThat(r.streamCredit).as("nothing consumed, nothing returned").isZero();
        assertThat(r.heldBytes).isEqualTo(STREAM_WINDOW);
        assertThat(r.violations).isEmpty();
    }

    @Test
    void aSecondStreamTakesTheWindowBackToTheAnnouncedSize() throws Exception {
        Receiver r = receiver(true);
        calm();
        r.receive(1, true);
        for (int i = 0; i < 200; i++) {
            r.receive(1, false);
        }
        long grownCredit = r.streamCredit;
        long grownConnection = r.connectionCredit;
        assertThat(grownCredit).isGreaterThan(STREAM_WINDOW);

        // A small request arrives on stream 3 while stream 1 is busy.
        r.mux.onFrame(
                new Frame(3, FrameType.DATA, Flags.END_STREAM, Headers.EMPTY, Unpooled.wrappedBuffer(new byte[10])));
        r.connectionCredit -= 10;
        r.readUpdates(1);
        // The sender spends what it holds; the consumer keeps up, but credit comes back only to the announced size.
        long spend = r.streamCredit / FRAME;
        for (long i = 0; i < spend; i++) {
            r.receive(1, false);
        }
        for (int i = 0; i < 100 && r.streamCredit >= FRAME; i++) {
            r.receive(1, false);
        }
        assertThat(r.streamCredit)
                .as("stream credit after the second stream appeared (was %d)", grownCredit)
                .isLessThanOrEqualTo(STREAM_WINDOW);
        assertThat(r.connectionCredit)
                .as("connection credit (was %d)", grownConnection)
                .isLessThanOrEqualTo(CONNECTION_WINDOW);
        assertThat(r.violations).isEmpty();
    }

    /**
     * Short transfers one after another on one connection, each alone while it runs: each tunes its stream up and
     * gives the growth back when it ends. The connection's credit must stay bounded; it once grew by about half a
     * MiB per transfer, without end, until a well-behaved peer's credit passed 2^31 - 1 (found in review).
     */
    @Test
    void shortTransfersOneAfterAnotherLeaveTheConnectionCreditBounded() throws Exception {
        Receiver r = receiver(true);
        long before = StreamMultiplexer.tunedBytes();
        calm();
        for (int k = 0; k < 400; k++) {
            long id = 1 + 2L * k;
            int frames = 1 + k % 8; // 64 KiB to 512 KiB
            r.receive(id, true, frames == 1);
            for (int i = 1; i < frames; i++) {
                r.receive(id, false, i == frames - 1);
            }
            // The receiver answers and ends its side: the stream is gone.
            r.mux.send(id, Frame.builder(FrameType.DATA).build(), true);
            r.readUpdates(id);
            assertThat(r.mux.isOpen(id)).isFalse();
            assertThat(r.connectionCredit)
                    .as("the peer's connection credit after transfer %d", k)
                    .isLessThanOrEqualTo(CONNECTION_WINDOW + (long) StreamMultiplexer.TUNED_WINDOW_LIMIT);
        }
        assertThat(r.violations).isEmpty();
        assertThat(StreamMultiplexer.tunedBytes() - before)
                .as("budget held while the peer may still use it")
                .isLessThanOrEqualTo(StreamMultiplexer.TUNED_WINDOW_LIMIT - STREAM_WINDOW);
        r.close();
        receivers.remove(r);
        assertThat(StreamMultiplexer.tunedBytes()).isEqualTo(before);
    }

    @Test
    void theProcessWideBudgetBoundsAllTunedWindows() throws Exception {
        long before = StreamMultiplexer.tunedBytes();
        int connections =
                (int) (StreamMultiplexer.TUNED_WINDOWS_BUDGET / (StreamMultiplexer.TUNED_WINDOW_LIMIT - STREAM_WINDOW))
                        + 3;
        List<Receiver> all = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            all.add(receiver(true));
        }
        calm();
        for (Receiver r : all) {
            r.receive(1, true);
            for (int i = 0; i < 200; i++) {
                r.receive(1, false);
            }
            assertThat(r.violations).isEmpty();
        }
        assertThat(StreamMultiplexer.tunedBytes() - before)
                .isLessThanOrEqualTo(StreamMultiplexer.TUNED_WINDOWS_BUDGET)
                .isGreaterThan(StreamMultiplexer.TUNED_WINDOWS_BUDGET / 2);
        long stillAnnounced =
                all.stream().filter(r -> r.streamCredit <= STREAM_WINDOW).count();
        assertThat(stillAnnounced).as("connections that found the budget spent").isPositive();
    }
}
