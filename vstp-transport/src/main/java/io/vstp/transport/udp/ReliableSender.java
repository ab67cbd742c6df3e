package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.transport.SessionException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The sending half of reliable delivery towards one peer (docs/spec/udp.md §5-6): messages wait in a bounded
 * queue, their fragments go out as the congestion window allows, acknowledgements (the crate's ACK msg-id for
 * single datagrams, SACK for fragmented messages) retire them, loss found by SACK or by the retransmission
 * timeout sends only the missing fragments again, and a fragment retransmitted too often fails its message.
 *
 * <p>Not thread-safe: runs on the endpoint's event loop.
 */
final class ReliableSender {
    private static final byte UNSENT = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte ACKED = 2;
    private static final byte LOST = 3;

    /** Where datagrams go. Both send methods take over their argument. */
    interface Output {
        /** False while the link cannot take more datagrams without dropping them. */
        boolean writable();

        /** Encodes {@code frame} into one datagram and sends it. */
        void sendFrame(InetSocketAddress peer, Frame frame);

        /** Sends bytes that already are one encoded frame. */
        void sendEncoded(InetSocketAddress peer, ByteBuf datagram);
    }

    /** One message being delivered. */
    static final class Outgoing {
        final long id;
        final ByteBuf encoded;
        final int count;
        final int chunkSize;
        final boolean single;
        final CompletableFuture<Void> future;
        final byte[] state;
        final long[] lastSent;
        final byte[] sends;
        final ArrayDeque<Integer> lost = new ArrayDeque<>();
        /**
         * The fragments not acknowledged, so a SACK touches only what it newly acknowledges (plus a word scan):
         * walking every index up to the cumulative point on each SACK made a large message quadratic.
         */
        final BitSet unacked;
        /** The vf-* headers all fragments share; null for a single-datagram message. */
        final UdpFrames.MessageHeaders headers;

        int nextNew;
        int acked;
        /** The receiver's reassembly generation our acknowledgements came from; -1 before the first SACK. */
        long generation = -1;
        /** Times the receiver's generation changed under this message. */
        int resets;

        Outgoing(long id, ByteBuf encoded, int chunkSize, boolean single, CompletableFuture<Void> future) {
            this.id = id;
            this.encoded = encoded;
            this.chunkSize = chunkSize;
            this.single = single;
            this.count = single ? 1 : (encoded.readableBytes() + chunkSize - 1) / chunkSize;
            this.future = future;
            this.state = new byte[count];
            this.lastSent = new long[count];
            this.sends = new byte[count];
            this.unacked = new BitSet(count);
            this.headers = single ? null : UdpFrames.MessageHeaders.of(id, count, encoded.readableBytes());
            unacked.set(0, count);
        }

        int length() {
            return encoded.readableBytes();
        }
    }

    private record Sent(Outgoing message, int index, long atNanos) {}

    private final InetSocketAddress peer;
    private final UdpLimits limits;
    private final Output output;
    private final UdpStats stats;
    private final RttEstimator rtt;
    private final CongestionWindow window;
    private final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
    private final List<Outgoing> active = new ArrayList<>();
    private final Map<Long, Outgoing> byId = new HashMap<>();
    private final ArrayDeque<Sent> sendOrder = new ArrayDeque<>();
    private int inFlight;
    private long queuedBytes;
    /** Bytes queued towards all peers of the endpoint (bounded by {@code maxQueuedBytes}). */
    private final java.util.concurrent.atomic.AtomicLong allQueued;
    /**
     * The peer's address is proven: it acknowledged something only a receiver at that address could know (our
     * random message ids), or DTLS proved it. Until then it may be sent at most {@link #AMPLIFICATION} times what
     * it sent (udp.md §7, as QUIC's RFC 9000 §8), so a spoofed source cannot aim answers at a third party.
     */
    private boolean proven;

    static final int AMPLIFICATION = 3;
    private long receivedBytes;
    private long sentBytes;
    /**
     * One datagram may go past the amplification limit after a retransmission timeout: if the first answers to an
     * unproven peer were lost, it has nothing to acknowledge, and without this probe both sides would wait. The
     * timeout's backoff bounds what probes can send.
     */
    private boolean probe;
    /** Generation resets a message may see before it fails: each one sends what was acknowledged again. */
    static final int MAX_GENERATION_RESETS = 3;
    /** Send time of the most recently sent fragment known to have arrived (RACK, RFC 8985). */
    private long latestDeliveredSend = Long.MIN_VALUE;

    ReliableSender(
            InetSocketAddress peer,
            UdpLimits limits,
            Output output,
            UdpStats stats,
            java.util.concurrent.atomic.AtomicLong allQueued,
            boolean proven) {
        this.allQueued = allQueued;
        this.proven = proven;
        this.peer = peer;
        this.limits = limits;
        this.output = output;
        this.stats = stats;
        this.rtt = new RttEstimator(
                limits.minRetransmitTimeout().toNanos(),
                limits.maxRetransmitTimeout().toNanos(),
                Math.max(limits.minRetransmitTimeout().toNanos(), 1_000_000_000L));
        this.window = new CongestionWindow(4096);
    }

    /** Queues a message; takes over {@code encoded}. Fails at once if the peer's queue is full. */
    CompletableFuture<Void> enqueue(long id, ByteBuf encoded, int chunkSize, boolean single) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        int size = encoded.readableBytes();
        String full = queuedBytes > 0 && queuedBytes + size > limits.maxQueuedBytesPerPeer()
                ? "more than " + limits.maxQueuedBytesPerPeer() + " bytes already queued for " + peer
                : allQueued.get() + size > limits.maxQueuedBytes()
                        ? "more than " + limits.maxQueuedBytes() + " bytes already queued for all peers"
                        : null;
        if (full != null) {
            encoded.release();
            future.completeExceptionally(
                    new SessionException(ErrorCode.TOO_MANY_IN_FLIGHT, VstpException.Scope.REQUEST, full));
            return future;
        }
        Outgoing m = new Outgoing(id, encoded, chunkSize, single, future);
        queuedBytes += m.length();
        allQueued.addAndGet(m.length());
        waiting.add(m);
        byId.put(id, m);
        pump(System.nanoTime());
        return future;
    }

    /** The peer sent {@code bytes} more: an unproven peer may be sent more in turn. */
    void received(int bytes) {
        receivedBytes += bytes;
        if (!proven) {
            pump(System.nanoTime());
        }
    }

    /** Whether a message with this id is being sent to the peer. */
    boolean knows(long id) {
        return byId.containsKey(id);
    }

    /**
     * Whether one more datagram may go: always to a proven peer; to an unproven one while what was sent stays
     * within {@link #AMPLIFICATION} times what it sent, counting at least one full datagram (its request may be
     * small), so its first answer can reach it and be acknowledged.
     */
    private boolean mayAmplify() {
        return proven || sentBytes < AMPLIFICATION * Math.max(receivedBytes, limits.maxDatagramSize());
    }

    /** Sends what the congestion window allows: lost fragments first, then new ones. */
    void pump(long now) {
        while (inFlight < window.size() && output.writable() && (probe || mayAmplify())) {
            Outgoing m = nextWithWork();
            if (m == null) {
                return;
            }
            int index = m.lost.isEmpty() ? m.nextNew++ : m.lost.poll();
            // A fragment can be queued as lost more than once (lost, then acknowledged, then lost again after a
            // generation reset): send only what is really unsent or lost now, so in-flight accounting stays exact.
            if (m.state[index] != UNSENT && m.state[index] != LOST) {
                continue;
            }
            if (m.sends[index] > limits.maxRetransmissions()) {
                fail(m);
                continue;
            }
            transmit(m, index, now);
        }
    }

    private Outgoing nextWithWork() {
        for (Outgoing m : active) {
            if (!m.lost.isEmpty() || m.nextNew < m.count) {
                return m;
            }
        }
        Outgoing next = waiting.poll();
        if (next != null) {
            active.add(next);
        }
        return next;
    }

    private void transmit(Outgoing m, int index, long now) {
        probe = false;
        if (m.sends[index] > 0) {
            stats.countRetransmit();
        }
        m.sends[index] = (byte) Math.min(m.sends[index] + 1, 127);
        m.state[index] = IN_FLIGHT;
        m.lastSent[index] = now;
        inFlight++;
        sendOrder.add(new Sent(m, index, now));
        if (m.single) {
            sentBytes += m.length();
            output.sendEncoded(peer, m.encoded.retainedDuplicate());
        } else {
            sentBytes += Math.min(m.chunkSize, m.length() - index * m.chunkSize) + UdpFrames.FRAGMENT_OVERHEAD;
            output.sendFrame(peer, fragmentFrame(m, index));
        }
    }

    private static Frame fragmentFrame(Outgoing m, int index) {
        int offset = index * m.chunkSize;
        int length = Math.min(m.chunkSize, m.length() - offset);
        ByteBuf chunk = m.encoded.retainedSlice(m.encoded.readerIndex() + offset, length);
        return UdpFrames.fragment(m.headers, index, true, chunk);
    }

    /** The crate-style ACK of a single-datagram message. */
    boolean onSingleAck(long id, long now) {
        Outgoing m = byId.get(id);
        if (m == null || !m.single) {
            return false;
        }
        if (m.state[0] == UNSENT) {
            stats.countDrop(UdpStats.Drop.BOGUS_ACK);
            return false;
        }
        proven = true;
        acknowledge(m, 0, now);
        finishIfDone(m);
        detectLoss(now);
        pump(now);
        return true;
    }

    /** A SACK for a fragmented message. */
    boolean onSack(long id, long generation, int cumulative, List<int[]> ranges, long now) {
        Outgoing m = byId.get(id);
        if (m == null || m.single) {
            return false;
        }
        // Fragments are first sent in index order, so everything from nextNew on was never sent: a receiver
        // cannot have it. Such a SACK, or an impossible range, is forged or broken: ignored whole.
        boolean impossible = cumulative > m.nextNew;
        for (int[] r : ranges) {
            impossible |= r[0] < 0 || r[0] > r[1] || r[1] >= m.nextNew;
        }
        if (impossible) {
            stats.countDrop(UdpStats.Drop.BOGUS_ACK);
            return false;
        }
        proven = true;
        if (cumulative < m.count) {
            if (generation < m.generation) {
                return true; // a late SACK about a reassembly the receiver has since replaced
            }
            if (m.generation >= 0 && generation != m.generation && ++m.resets > MAX_GENERATION_RESETS) {
                // A receiver that keeps losing what it acknowledged (or SACKs forged to look so) would make us send
                // the message again and again: past a few times it fails instead.
                remove(m);
                m.future.completeExceptionally(new SessionException(
                        ErrorCode.REQUEST_TIMEOUT,
                        VstpException.Scope.REQUEST,
                        "message " + Long.toUnsignedString(m.id) + " to " + peer
                                + ": the receiver restarted it more than " + MAX_GENERATION_RESETS + " times"));
                return true;
            }
            if (m.generation >= 0 && generation != m.generation) {
                // The receiver evicted what it had acknowledged: everything not in this SACK goes again.
                for (int i = 0; i < m.count; i++) {
                    if (m.state[i] == ACKED) {
                        m.state[i] = LOST;
                        m.acked--;
                        m.lost.add(i);
                        m.unacked.set(i);
                    }
                }
            }
            m.generation = generation;
        }
        acknowledgeRange(m, 0, Math.min(cumulative, m.count), now);
        for (int[] r : ranges) {
            acknowledgeRange(m, Math.max(r[0], 0), Math.min(r[1] + 1, m.count), now);
        }
        finishIfDone(m);
        detectLoss(now);
        pump(now);
        return true;
    }

    /** Marks one fragment acknowledged; samples the RTT (Karn: only if it was sent once). */
    /** Acknowledges the fragments in [{@code from}, {@code to}) not acknowledged yet. */
    private void acknowledgeRange(Outgoing m, int from, int to, long now) {
        for (int i = m.unacked.nextSetBit(from); i >= 0 && i < to; i = m.unacked.nextSetBit(i + 1)) {
            acknowledge(m, i, now);
        }
    }

    private boolean acknowledge(Outgoing m, int index, long now) {
        byte s = m.state[index];
        if (s == ACKED || s == UNSENT) {
            return false;
        }
        if (s == IN_FLIGHT) {
            inFlight--;
        }
        m.state[index] = ACKED;
        m.unacked.clear(index);
        m.acked++;
        if (m.sends[index] == 1) {
            rtt.sample(now - m.lastSent[index]);
        }
        latestDeliveredSend = Math.max(latestDeliveredSend, m.lastSent[index]);
        window.onAcked(1);
        return true;
    }

    /**
     * Time-based loss detection (RACK, RFC 8985): a fragment still unacknowledged although one sent more than a
     * reordering window after it has arrived is lost. It covers every message to the peer at once, including the
     * last fragments of a message and lost retransmissions, which index-based rules miss until the timeout.
     */
    private void detectLoss(long now) {
        long srtt = Math.max(rtt.srttNanos(), 0);
        long reorderWindow = Math.max(srtt / 4, 1_000_000);
        long threshold = latestDeliveredSend - reorderWindow;
        boolean any = false;
        while (!sendOrder.isEmpty()) {
            Sent s = sendOrder.peek();
            Outgoing m = s.message;
            boolean live = m.state[s.index] == IN_FLIGHT && m.lastSent[s.index] == s.atNanos && byId.containsKey(m.id);
            if (live && s.atNanos >= threshold) {
                break;
            }
            sendOrder.poll();
            if (live) {
                markLost(m, s.index);
                any = true;
            }
        }
        if (any) {
            window.onLoss(now, Math.max(srtt, 1_000_000));
        }
    }

    private void markLost(Outgoing m, int index) {
        m.state[index] = LOST;
        inFlight--;
        m.lost.add(index);
    }

    private void finishIfDone(Outgoing m) {
        if (m.acked == m.count) {
            remove(m);
            m.future.complete(null);
        }
    }

    private void remove(Outgoing m) {
        active.remove(m);
        waiting.remove(m);
        byId.remove(m.id);
        queuedBytes -= m.length();
        allQueued.addAndGet(-m.length());
        for (int i = 0; i < m.count; i++) {
            if (m.state[i] == IN_FLIGHT) {
                inFlight--;
                m.state[i] = ACKED;
            }
        }
        m.encoded.release();
    }

    /** Retransmission timeout check (RFC 6298 §5.4-5.7); fails messages out of retries. */
    void onTick(long now) {
        // Drop stale entries: fragments acknowledged or resent since.
        while (!sendOrder.isEmpty()) {
            Sent head = sendOrder.peek();
            if (head.message.state[head.index] == IN_FLIGHT
                    && head.message.lastSent[head.index] == head.atNanos
                    && byId.containsKey(head.message.id)) {
                break;
            }
            sendOrder.poll();
        }
        Sent head = sendOrder.peek();
        if (head == null || now - head.atNanos < rtt.rtoNanos()) {
            pump(now);
            return;
        }
        long cutoff = now - rtt.rtoNanos();
        List<Outgoing> failed = new ArrayList<>();
        Iterator<Sent> it = sendOrder.iterator();
        while (it.hasNext()) {
            Sent s = it.next();
            if (s.atNanos > cutoff) {
                break;
            }
            it.remove();
            Outgoing m = s.message;
            if (m.state[s.index] != IN_FLIGHT || m.lastSent[s.index] != s.atNanos || !byId.containsKey(m.id)) {
                continue;
            }
            if (m.sends[s.index] > limits.maxRetransmissions()) {
                failed.add(m);
                continue;
            }
            markLost(m, s.index);
        }
        stats.countTimeout();
        rtt.backoff();
        window.onTimeout();
        probe = !mayAmplify();
        failed.forEach(this::fail);
        pump(now);
    }

    private void fail(Outgoing m) {
        if (byId.containsKey(m.id)) {
            remove(m);
            m.future.completeExceptionally(new SessionException(
                    ErrorCode.REQUEST_TIMEOUT,
                    VstpException.Scope.REQUEST,
                    "message " + Long.toUnsignedString(m.id) + " to " + peer + " not acknowledged after "
                            + limits.maxRetransmissions() + " retransmissions"));
        }
    }

    /** True while anything is queued or unacknowledged. */
    boolean busy() {
        return !byId.isEmpty();
    }

    /** Fails everything (endpoint closing). */
    void failAll(String why) {
        for (Outgoing m : new ArrayList<>(byId.values())) {
            remove(m);
            m.future.completeExceptionally(
                    new SessionException(ErrorCode.CONNECTION_CLOSED, VstpException.Scope.REQUEST, why));
        }
        sendOrder.clear();
    }

    /** The in-flight count the window logic uses, and (for tests) the count recomputed from fragment states. */
    int inFlight() {
        return inFlight;
    }

    int inFlightByState() {
        int n = 0;
        for (Outgoing m : byId.values()) {
            for (byte s : m.state) {
                n += s == IN_FLIGHT ? 1 : 0;
            }
        }
        return n;
    }

    int congestionWindow() {
        return window.size();
    }

    long rtoNanos() {
        return rtt.rtoNanos();
    }

    boolean isSingle(long id) {
        Outgoing m = byId.get(id);
        return m != null && m.single;
    }
}
