package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The table of peers with reliability state is bounded (docs/spec/udp.md §7): at {@code maxPeers}, a new peer takes
 * the place of one with nothing in flight, and when every peer owes acknowledgements the newcomer is refused and
 * counted, never queued. And what cannot be sent or delivered fails with a clear error.
 */
class PeerTableTest {
    private static final byte[] ONE_MIB = new byte[1 << 20];

    private static Frame reliableAsk(long msgId) {
        return new Frame(
                FrameType.DATA,
                Flags.REQ_ACK,
                Headers.of(UdpFrames.MSG_ID, Long.toString(msgId)),
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
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .plain()
                        .limits(limits)
                        .handler((peer, frame) -> {
                            frame.release();
                            asked.add(peer);
                        })
                        .start();
                DatagramPeer idle = DatagramPeer.plain(server.localAddress());
                DatagramPeer busy = DatagramPeer.plain(server.localAddress());
                DatagramPeer newcomer = DatagramPeer.plain(server.localAddress())) {
            // Two peers in the table: one that the server owes nothing, one it is sending 1 MiB that it never acks.
            idle.send(reliableAsk(1));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(idle.localAddress());
            busy.send(reliableAsk(1));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(busy.localAddress());
            server.sendReliable(
                    busy.localAddress(),
                    new Frame(FrameType.DATA, Flags.NONE, Headers.EMPTY, Unpooled.wrappedBuffer(ONE_MIB)));
            awaitAnswerStarted(busy); // so it owes acknowledgements

            // The newcomer takes the idle peer's place.
            newcomer.send(reliableAsk(7));
            assertThat(asked.poll(5, TimeUnit.SECONDS)).isEqualTo(newcomer.localAddress());
            server.sendReliable(
                    newcomer.localAddress(),
                    new Frame(FrameType.DATA, Flags.NONE, Headers.EMPTY, Unpooled.wrappedBuffer(ONE_MIB)));
            awaitAnswerStarted(newcomer);

            // Now both owe acknowledgements: the evicted peer cannot come back, nor be sent to reliably.
            idle.send(reliableAsk(2));
            // The count, not a quiet half second, says the server has read it (it lagged behind on a loaded machine).
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.stats().dropped(UdpStats.Drop.TOO_MANY_PEERS) >= 1);
            assertThat(server.stats().dropped(UdpStats.Drop.TOO_MANY_PEERS)).isEqualTo(1);
            assertThat(asked).as("refused, not delivered").isEmpty();
            assertThatThrownBy(() -> server.sendReliable(
                                    idle.localAddress(),
                                    Frame.builder(FrameType.DATA)
                                            .payload("hello")
                                            .build())
                            .get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SessionException.class)
                    .hasMessageContaining("peer table full")
                    .extracting(e -> ((SessionException) e).code())
                    .isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
        }
    }

    @Test
    void aClosedEndpointRefusesToSend() throws Exception {
        VstpUdpEndpoint endpoint = VstpUdpEndpoint.builder().plain().start();
        InetSocketAddress somewhere = endpoint.localAddress();
        endpoint.close();
        assertThatThrownBy(() -> endpoint.sendReliable(
                                somewhere,
                                Frame.builder(FrameType.DATA).payload("late").build())
                        .get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(SessionException.class)
                .hasMessageContaining("endpoint closed");
    }

    /** Fragments that reassemble into something that is not one frame: acknowledged, then dropped and counted. */
    @Test
    void aReassembledMessageThatIsNotAFrameIsDroppedAndCounted() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .plain()
                        .handler((p, f) -> got.add(f))
                        .start();
                DatagramPeer peer = DatagramPeer.plain(server.localAddress())) {
            byte[] garbage = new byte[1500];
            java.util.Arrays.fill(garbage, (byte) 0x41);
            int chunk = UdpFrames.chunkSize(peer.maxDatagramSize());
            int count = (garbage.length + chunk - 1) / chunk;
            UdpFrames.MessageHeaders headers = UdpFrames.MessageHeaders.of(42, count, garbage.length);
            for (int i = 0; i < count; i++) {
                int from = i * chunk;
                peer.send(UdpFrames.fragment(
                        headers,
                        i,
                        true,
                        Unpooled.wrappedBuffer(garbage, from, Math.min(chunk, garbage.length - from))));
            }
            boolean wholeAcknowledged = false;
            for (Frame f : peer.frames(1500)) {
                wholeAcknowledged |= f.type() == FrameType.ACK
                        && "42".equals(f.headers().value("vf-msg"))
                        && Integer.toString(count).equals(f.headers().value("vf-cum"));
                f.release();
            }
            assertThat(wholeAcknowledged).as("the whole message acknowledged").isTrue();
            assertThat(server.stats().dropped(UdpStats.Drop.BAD_MESSAGE)).isEqualTo(1);
            assertThat(got).isEmpty();
        }
    }

    // ---- the table on its own ------------------------------------------------------------------------------

    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 1);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 2);
    private static final InetSocketAddress C = new InetSocketAddress("192.0.2.3", 3);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Senders that hand their datagrams to nobody, so whatever is enqueued stays unacknowledged. */
    private static final class Senders {
        final UdpStats stats = new UdpStats();
        final List<InetSocketAddress> made = new ArrayList<>();
        final UdpLimits limits;

        Senders(UdpLimits limits) {
            this.limits = limits;
        }

        PeerTable table() {
            ReliableSender.Output nowhere = new ReliableSender.Output() {
                @Override
                public boolean writable() {
                    return true;
                }

                @Override
                public void sendFrame(InetSocketAddress peer, Frame frame) {
                    frame.release();
                }

                @Override
                public void sendEncoded(InetSocketAddress peer, ByteBuf datagram) {
                    datagram.release();
                }
            };
            return new PeerTable(limits, stats, address -> {
                made.add(address);
                return new ReliableSender(address, limits, nowhere, stats, new AtomicLong(), true);
            });
        }
    }

    /** Makes {@code peer} owe an acknowledgement; the future fails when the table gives the message up. */
    private static CompletableFuture<Void> owe(UdpPeer peer) {
        return peer.sender.enqueue(peer.takeMessageId(), Unpooled.wrappedBuffer(new byte[100]), 1103, true);
    }

    @Test
    void aNewcomerToAFullTableTakesTheLeastRecentlyActiveIdlePeersPlace() {
        PeerTable table = new Senders(UdpLimits.DEFAULT.withPeers(2, Duration.ofMinutes(5))).table();
        UdpPeer a = table.getOrCreate(A);
        table.getOrCreate(B);
        assertThat(table.get(A)).isSameAs(a); // A is now more recently active than B
        assertThat(table.getOrCreate(C)).isNotNull();
        assertThat(table.get(B)).isNull();
        assertThat(table.get(A)).isSameAs(a);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void aFullTableOfPeersThatOweAcknowledgementsMakesNothingForANewcomer() {
        Senders senders = new Senders(UdpLimits.DEFAULT.withPeers(2, Duration.ofMinutes(5)));
        PeerTable table = senders.table();
        owe(table.getOrCreate(A));
        owe(table.getOrCreate(B));
        assertThat(table.getOrCreate(C)).isNull();
        assertThat(senders.made).as("no sender made for the refused newcomer").containsExactly(A, B);
        assertThat(table.get(A)).isNotNull();
        assertThat(table.get(B)).isNotNull();
    }

    @Test
    void aPeerOwingAcknowledgementsIsGivenUpAfterTheSilenceTimeoutAndAnIdleOneDroppedAfterTheIdleTimeout() {
        UdpLimits limits = UdpLimits.DEFAULT
                .withPeers(16, Duration.ofMinutes(5))
                .withQueues(32 << 20, 512 << 20, Duration.ofSeconds(30));
        Senders senders = new Senders(limits);
        PeerTable table = senders.table();
        UdpPeer busy = table.getOrCreate(A);
        CompletableFuture<Void> owed = owe(busy);
        UdpPeer idle = table.getOrCreate(B);
        long start = Math.max(busy.lastActivityNanos, idle.lastActivityNanos);

        table.sweep(start + 29 * SECOND);
        assertThat(table.get(A)).as("within the silence timeout").isSameAs(busy);
        assertThat(owed).isNotDone();

        table.sweep(start + 31 * SECOND);
        assertThat(table.get(A)).isNull();
        assertThat(owed).isCompletedExceptionally();
        assertThatThrownBy(owed::join)
                .cause()
                .isInstanceOf(SessionException.class)
                .extracting(e -> ((SessionException) e).code())
                .isEqualTo(ErrorCode.CONNECTION_CLOSED);
        assertThat(senders.stats.dropped(UdpStats.Drop.SILENT_PEER)).isEqualTo(1);
        assertThat(table.get(B)).as("idle, not silent: it owes nothing").isSameAs(idle);

        table.sweep(start + 5 * 60 * SECOND + SECOND);
        assertThat(table.get(B)).isNull();
        assertThat(table.size()).isZero();
        assertThat(senders.stats.dropped(UdpStats.Drop.SILENT_PEER)).isEqualTo(1);
    }

    @Test
    void clearingTheTableFailsWhatWasBeingSent() {
        PeerTable table = new Senders(UdpLimits.DEFAULT).table();
        CompletableFuture<Void> owed = owe(table.getOrCreate(A));
        table.clear("endpoint closed");
        assertThat(table.size()).isZero();
        assertThatThrownBy(owed::join)
                .cause()
                .isInstanceOf(SessionException.class)
                .hasMessageContaining("endpoint closed");
    }

    @Test
    void messageIdsTowardsAPeerFollowEachOtherFromARandomStart() {
        PeerTable table = new Senders(UdpLimits.DEFAULT).table();
        UdpPeer a = table.getOrCreate(A);
        long first = a.takeMessageId();
        assertThat(a.takeMessageId()).isEqualTo(first + 1);
        assertThat(first).isPositive().isLessThanOrEqualTo(1L << 62);
    }
}
