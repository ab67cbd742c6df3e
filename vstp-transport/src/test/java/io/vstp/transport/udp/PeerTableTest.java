package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.SessionException;
import io.vstp.transport.testing.DatagramPeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The table of peers with reliability state is bounded (docs/spec/udp.md §7): at {@code maxPeers}, a new peer takes
 * the place of one with nothing in flight, and when every peer owes acknowledgements the newcomer is refused and
 * counted, never queued. And what cannot be sent or delivered fails with a clear error.
 */
class PeerTableTest {
    private static final byte[] ONE_MIB = new byte[1 << 20];

    private static Frame reliableAsk(long msgId) {
        return new Frame(FrameType.DATA, Flags.REQ_ACK, Headers.of(UdpFrames.MSG_ID, Long.toString(msgId)),
                Unpooled.wrappedBuffer("ask".getBytes()));
    }

    /** Waits for the first fragment of the server's answer (the ACK of the peer's own request may come first). */
    private static void awaitAnswerStarted(DatagramPeer peer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            boolean fragment = false;
            for (Frame f : peer.frames(50)) {
                fragment |= f.type() == FrameType.DATA && f.headers().value("vf-msg") != null;
                f.release();
            }
            if (fragment) {
                return;
            }
        }
        throw new AssertionError("no fragment of the answer within 5 s");
    }

    @Test
    void aFullTableOfBusyPeersRefusesNewcomersAndAnIdleOneMakesRoom() throws Exception {
        UdpLimits limits = UdpLimits.DEFAULT.withPeers(2, Duration.ofMinutes(5));
        BlockingQueue<InetSocketAddress> asked = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder().plain().limits(limits)
                .handler((peer, frame) -> {
                    frame.release();
                    asked.add(peer);
                }).start();
             DatagramPeer idle = DatagramPeer.plain(server.localAddress());
             DatagramPeer busy = DatagramPeer.plain(server.localAddress());
             DatagramPeer newcomer = DatagramPeer.plain(server.localAddress())) {
            // Two peers in the table: one that the server owes nothing, one it is sending 1 MiB that it never acks.
            idle.send(reliableAsk(1));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(idle.localAddress());
            busy.send(reliableAsk(1));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(busy.localAddress());
            server.sendReliable(busy.localAddress(), new Frame(FrameType.DATA, Flags.NONE, Headers.EMPTY,
                    Unpooled.wrappedBuffer(ONE_MIB)));
            awaitAnswerStarted(busy); // so it owes acknowledgements

            // The newcomer takes the idle peer's place.
            newcomer.send(reliableAsk(7));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(newcomer.localAddress());
            server.sendReliable(newcomer.localAddress(), new Frame(FrameType.DATA, Flags.NONE, Headers.EMPTY,
                    Unpooled.wrappedBuffer(ONE_MIB)));
            awaitAnswerStarted(newcomer);

            // Now both owe acknowledgements: the evicted peer cannot come back, nor be sent to reliably.
            idle.send(reliableAsk(2));
            assertThat(asked.poll(500, TimeUnit.MILLISECONDS)).as("refused, not delivered").isNull();
            assertThat(server.stats().dropped(UdpStats.Drop.TOO_MANY_PEERS)).isEqualTo(1);
            assertThatThrownBy(() -> server.sendReliable(idle.localAddress(), Frame.builder(FrameType.DATA)
                    .payload("hello").build()).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SessionException.class)
                    .hasMessageContaining("peer table full")
                    .extracting(e -> ((SessionException) e).code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
        }
    }

    @Test
    void aClosedEndpointRefusesToSend() throws Exception {
        VstpUdpEndpoint endpoint = VstpUdpEndpoint.builder().plain().start();
        InetSocketAddress somewhere = endpoint.localAddress();
        endpoint.close();
        assertThatThrownBy(() -> endpoint.sendReliable(somewhere, Frame.builder(FrameType.DATA).payload("late")
                .build()).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(SessionException.class).hasMessageContaining("endpoint closed");
    }

    /** Fragments that reassemble into something that is not one frame: acknowledged, then dropped and counted. */
    @Test
    void aReassembledMessageThatIsNotAFrameIsDroppedAndCounted() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder().plain().handler((p, f) -> got.add(f)).start();
             DatagramPeer peer = DatagramPeer.plain(server.localAddress())) {
            byte[] garbage = new byte[1500];
            java.util.Arrays.fill(garbage, (byte) 0x41);
            int chunk = UdpFrames.chunkSize(peer.maxDatagramSize());
            int count = (garbage.length + chunk - 1) / chunk;
            UdpFrames.MessageHeaders headers = UdpFrames.MessageHeaders.of(42, count, garbage.length);
            for (int i = 0; i < count; i++) {
                int from = i * chunk;
                peer.send(UdpFrames.fragment(headers, i, true, Unpooled.wrappedBuffer(garbage, from,
                        Math.min(chunk, garbage.length - from))));
            }
            boolean wholeAcknowledged = false;
            for (Frame f : peer.frames(1500)) {
                wholeAcknowledged |= f.type() == FrameType.ACK && "42".equals(f.headers().value("vf-msg"))
                        && Integer.toString(count).equals(f.headers().value("vf-cum"));
                f.release();
            }
            assertThat(wholeAcknowledged).as("the whole message acknowledged").isTrue();
            assertThat(server.stats().dropped(UdpStats.Drop.BAD_MESSAGE)).isEqualTo(1);
            assertThat(got).isEmpty();
        }
    }
}
