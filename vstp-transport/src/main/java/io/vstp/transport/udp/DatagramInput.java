package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.vstp.core.codec.v2.V2Datagrams;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The receiving half of an endpoint: turns each datagram from its link into frames for the handler (docs/spec/udp.md
 * §1, §4, §5). A datagram that does not decode is dropped and counted, never answered. ACKs and SACKs go to the
 * peer's {@link ReliableSender}; a REQ_ACK frame is acknowledged before it is delivered, and delivered once;
 * fragments are reassembled and acknowledged by SACK, at once or after a short delay.
 *
 * <p>Limits: the decoders bound frames by the datagram and message sizes ({@link UdpFrames}), a fragment's shape is
 * checked before its chunk is copied, the {@link PeerTable} bounds peers and the {@link FragmentReassembler} bounds
 * half-received messages.
 *
 * <p>Buffer ownership: {@link #receive} releases its datagram; the handler owns each frame it is given.
 *
 * <p>Not thread-safe: runs on the endpoint's event loop.
 */
final class DatagramInput implements DatagramLink.Receiver {
    /** A receiver acknowledges at least every this many fragments of a message (udp.md §5.2). */
    private static final int ACK_EVERY = 4;

    private final UdpFrames frames;
    private final PeerTable peers;
    private final FragmentReassembler reassembler;
    private final DatagramOutput output;
    private final UdpStats stats;
    private final VstpUdpEndpoint.Handler handler;
    private final boolean wireV2;
    /** Reassemblies with fragments received since their last SACK (delayed acknowledgement). */
    private final Set<FragmentReassembler.Reassembly> unacknowledged = new HashSet<>();

    private boolean closed;

    DatagramInput(
            UdpFrames frames,
            PeerTable peers,
            FragmentReassembler reassembler,
            DatagramOutput output,
            UdpStats stats,
            VstpUdpEndpoint.Handler handler,
            boolean wireV2) {
        this.frames = frames;
        this.peers = peers;
        this.reassembler = reassembler;
        this.output = output;
        this.stats = stats;
        this.handler = handler;
        this.wireV2 = wireV2;
    }

    @Override
    public void receive(InetSocketAddress sender, ByteBuf datagram) {
        if (closed) {
            // The link reads until it closes, after the endpoint released its state: anything kept now would leak.
            datagram.release();
            return;
        }
        stats.countReceived();
        UdpPeer known = peers.get(sender);
        if (known != null) {
            known.sender.received(datagram.readableBytes()); // what it sent raises what it may be sent (§7)
        }
        if (wireV2 && V2Datagrams.isV2(datagram)) {
            receiveV2(sender, datagram);
            return;
        }
        Frame frame;
        try {
            frame = frames.readV1Datagram(datagram);
            if (frame == null) {
                stats.malformed(ErrorCode.TRUNCATED);
                return;
            }
        } catch (FrameException e) {
            stats.malformed(e.code());
            return;
        } finally {
            // Bytes after the first frame are ignored, as the crate does; the frame holds its own reference.
            datagram.release();
        }
        if (wireV2 && UdpFrames.announcesV2(frame)) {
            learnV2(sender);
        }
        try {
            dispatch(sender, frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    /** A v2 datagram: every frame in it, in order; a bad frame drops itself and the rest (wire-v2.md §11). */
    private void receiveV2(InetSocketAddress sender, ByteBuf datagram) {
        V2Datagrams.Decoded d;
        try {
            d = frames.readV2Datagram(datagram);
        } finally {
            datagram.release(); // the frames hold their own references
        }
        if (d.hasError()) {
            stats.malformed(d.error().code());
        }
        List<Frame> decoded = d.frames();
        if (!decoded.isEmpty()) {
            learnV2(sender);
        }
        for (int i = 0; i < decoded.size(); i++) {
            Frame f = decoded.get(i);
            if (!f.type().isKnown()) {
                f.release(); // an ignorable extension type
                continue;
            }
            try {
                dispatch(sender, f);
            } catch (RuntimeException e) {
                for (int j = i + 1; j < decoded.size(); j++) {
                    decoded.get(j).release();
                }
                throw e;
            }
        }
    }

    private void dispatch(InetSocketAddress sender, Frame frame) {
        long now = System.nanoTime();
        if (frame.type().equals(FrameType.ACK)) {
            onAck(sender, frame, now);
            return;
        }
        UdpFrames.Fragment fragment = UdpFrames.Fragment.of(frame);
        if (fragment != null) {
            onFragment(sender, fragment, frame, now);
            return;
        }
        Long id = frame.flags().has(Flags.REQ_ACK) ? UdpFrames.unsignedId(frame, UdpFrames.MSG_ID) : null;
        if (id != null) {
            long msgId = id; // every u64, 2^63 and above included (negative as a Java long)
            UdpPeer p = peers.getOrCreate(sender);
            if (p == null) {
                stats.countDrop(UdpStats.Drop.TOO_MANY_PEERS);
                frame.release();
                return;
            }
            p.lastActivityNanos = now;
            // Acknowledge before delivering, as the crate does: a retransmission means our ACK was lost.
            output.sendAck(sender, UdpFrames.ack(msgId));
            stats.countAck();
            if (!p.seen.firstTime(msgId)) {
                stats.countDrop(UdpStats.Drop.DUPLICATE);
                frame.release();
                return;
            }
            frame = UdpFrames.withoutMessageId(frame);
        }
        deliver(sender, frame);
    }

    private void deliver(InetSocketAddress sender, Frame frame) {
        // The payload may be a slice of a large receive buffer; copy it so a handler that keeps the frame pins
        // only its own bytes.
        Frame own = frame.payload().isReadable()
                ? new Frame(
                        frame.type(),
                        frame.flags(),
                        frame.headers(),
                        frame.payload().copy())
                : frame.retain();
        frame.release();
        stats.countDelivered();
        handler.onFrame(sender, own);
    }

    private void onAck(InetSocketAddress sender, Frame ack, long now) {
        try {
            UdpPeer p = peers.get(sender);
            Long vfMsg = UdpFrames.unsignedId(ack, UdpFrames.VF_MSG);
            Long msgId = vfMsg != null ? null : UdpFrames.unsignedId(ack, UdpFrames.MSG_ID);
            boolean known;
            if (vfMsg != null) {
                long cum = UdpFrames.number(ack, UdpFrames.VF_CUM);
                long gen = Math.max(0, UdpFrames.number(ack, UdpFrames.VF_GEN));
                known = p != null
                        && cum >= 0
                        && p.sender.onSack(
                                vfMsg,
                                gen,
                                (int) Math.min(cum, Integer.MAX_VALUE),
                                UdpFrames.sackRanges(ack, Integer.MAX_VALUE),
                                now);
            } else if (msgId != null) {
                known = p != null && p.sender.onSingleAck(msgId, now);
            } else {
                deliver(sender, ack.retain()); // an application-level ACK
                return;
            }
            if (known) {
                p.lastActivityNanos = now;
            } else if (p == null || !p.sender.knows(vfMsg != null ? vfMsg : msgId)) {
                stats.countDrop(UdpStats.Drop.UNKNOWN_ACK); // (one that is known but impossible counts BOGUS_ACK)
            }
        } finally {
            ack.release();
        }
    }

    private void onFragment(InetSocketAddress sender, UdpFrames.Fragment f, Frame fragment, long now) {
        // Checked before any state is made or the chunk copied: a hostile shape costs nothing (udp.md §4).
        if (!f.wellFormed()) {
            stats.countDrop(UdpStats.Drop.INCONSISTENT_FRAGMENT);
            fragment.release();
            return;
        }
        long id = f.messageId();
        UdpPeer p = peers.getOrCreate(sender);
        if (p == null) {
            stats.countDrop(UdpStats.Drop.TOO_MANY_PEERS);
            fragment.release();
            return;
        }
        p.lastActivityNanos = now;
        if (p.seen.seen(id)) {
            fragment.release();
            stats.countDrop(UdpStats.Drop.DUPLICATE);
            if (f.reliable()) {
                output.sendAck(sender, UdpFrames.sack(id, 0, (int) f.count(), List.of()));
                stats.countAck();
            }
            return;
        }
        ByteBuf chunk = fragment.payload().copy(); // right-sized: never pin a whole receive buffer
        fragment.release();
        FragmentReassembler.Result r =
                reassembler.add(sender, id, (int) f.index(), (int) f.count(), f.length(), chunk, now);
        switch (r.outcome()) {
            case COMPLETE -> {
                unacknowledged.remove(r.reassembly());
                if (f.reliable()) {
                    output.sendAck(sender, UdpFrames.sack(id, 0, r.reassembly().count, List.of()));
                    stats.countAck();
                }
                ByteBuf message = r.message();
                Frame whole;
                try {
                    whole = frames.readMessage(message, wireV2);
                } finally {
                    message.release();
                }
                if (whole == null) {
                    stats.countDrop(UdpStats.Drop.BAD_MESSAGE);
                } else if (p.seen.firstTime(id)) {
                    stats.countDelivered();
                    handler.onFrame(sender, whole);
                } else {
                    whole.release();
                    stats.countDrop(UdpStats.Drop.DUPLICATE);
                }
            }
            case PENDING, DUPLICATE -> {
                if (f.reliable() && !r.reassembly().finished) {
                    FragmentReassembler.Reassembly ra = r.reassembly();
                    int since = ++ra.unacknowledged;
                    boolean outOfOrder = f.index() != ra.cumulative - 1;
                    if (since >= ACK_EVERY || outOfOrder || r.outcome() == FragmentReassembler.Outcome.DUPLICATE) {
                        sendSack(ra);
                    } else {
                        unacknowledged.add(ra);
                    }
                }
            }
            case INCONSISTENT -> stats.countDrop(UdpStats.Drop.INCONSISTENT_FRAGMENT);
            case TOO_LARGE -> stats.countDrop(UdpStats.Drop.TOO_LARGE);
            case REFUSED -> stats.countDrop(UdpStats.Drop.REASSEMBLY_FULL);
            default -> throw new IllegalStateException();
        }
    }

    /**
     * Sends the SACKs held back for the delayed acknowledgement (udp.md §5.2: within 5 ms of an unacknowledged
     * fragment); the endpoint's tick calls it.
     */
    void sendDelayedAcks() {
        for (FragmentReassembler.Reassembly ra : new ArrayList<>(unacknowledged)) {
            if (peers.get(ra.peer) != null && !ra.finished) { // evicted or expired since: nothing to acknowledge
                sendSack(ra);
            }
        }
        unacknowledged.clear();
    }

    /** Drops every later datagram and forgets the acknowledgements held back (the endpoint is closing). */
    void close() {
        closed = true;
        unacknowledged.clear();
    }

    /** SACK: cumulative index, then received ranges above it. */
    private void sendSack(FragmentReassembler.Reassembly ra) {
        ra.unacknowledged = 0;
        unacknowledged.remove(ra);
        output.sendAck(
                ra.peer,
                UdpFrames.sack(
                        ra.messageId,
                        ra.generation,
                        ra.cumulative,
                        UdpFrames.receivedRanges(ra.received, ra.cumulative)));
        stats.countAck();
    }

    private void learnV2(InetSocketAddress peer) {
        UdpPeer p = peers.getOrCreate(peer);
        if (p != null) {
            p.v2 = true;
        }
    }
}
