package io.vstp.transport.udp;

import io.vstp.core.error.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one UDP endpoint: what was dropped and why, what was retransmitted. Thread-safe. */
public final class UdpStats {
    /** Why a datagram was dropped without being delivered. */
    public enum Drop {
        /** It did not decode as a v1 frame (see {@link #decodeErrors(ErrorCode)} for the code). */
        MALFORMED,
        /** A fragment whose count, length or size disagrees with the message or the protocol. */
        INCONSISTENT_FRAGMENT,
        /** A fragment of a message larger than {@code maxMessageSize}. */
        TOO_LARGE,
        /** A fragment refused because reassembly was at its limits. */
        REASSEMBLY_FULL,
        /** A repeat of a message already delivered (acknowledged again, not delivered). */
        DUPLICATE,
        /** An ACK for a message this endpoint is not sending. */
        UNKNOWN_ACK,
        /** A datagram from a new peer while the peer table was full of busy peers. */
        TOO_MANY_PEERS,
        /** A reassembled message that is not one valid frame. */
        BAD_MESSAGE,
        /** A peer given up: it owed acknowledgements and sent nothing for {@code peerSilenceTimeout}. */
        SILENT_PEER,
        /** An acknowledgement of a known message that covers fragments never sent, or an impossible range. */
        BOGUS_ACK
    }

    private final Map<Drop, LongAdder> drops = new EnumMap<>(Drop.class);
    private final Map<ErrorCode, LongAdder> decodeErrors = new EnumMap<>(ErrorCode.class);
    private final LongAdder received = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder retransmitted = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder acksSent = new LongAdder();
    private final LongAdder v2Datagrams = new LongAdder();
    private final LongAdder v2Frames = new LongAdder();

    UdpStats() {
        for (Drop d : Drop.values()) {
            drops.put(d, new LongAdder());
        }
        for (ErrorCode c : ErrorCode.values()) {
            decodeErrors.put(c, new LongAdder());
        }
    }

    void countV2Datagram(int frames) {
        v2Datagrams.increment();
        v2Frames.add(frames);
    }

    /** Wire-v2 datagrams sent (docs/spec/wire-v2.md §11). */
    public long v2DatagramsSent() {
        return v2Datagrams.sum();
    }

    /** Frames in the wire-v2 datagrams sent: above {@link #v2DatagramsSent()} when frames shared datagrams. */
    public long v2FramesSent() {
        return v2Frames.sum();
    }

    void countReceived() {
        received.increment();
    }

    void countDelivered() {
        delivered.increment();
    }

    void countDrop(Drop why) {
        drops.get(why).increment();
    }

    void malformed(ErrorCode code) {
        drops.get(Drop.MALFORMED).increment();
        decodeErrors.get(code).increment();
    }

    void countRetransmit() {
        retransmitted.increment();
    }

    void countTimeout() {
        timeouts.increment();
    }

    void countAck() {
        acksSent.increment();
    }

    public long received() {
        return received.sum();
    }

    public long delivered() {
        return delivered.sum();
    }

    public long dropped(Drop why) {
        return drops.get(why).sum();
    }

    public long decodeErrors(ErrorCode code) {
        return decodeErrors.get(code).sum();
    }

    public long retransmitted() {
        return retransmitted.sum();
    }

    /** Retransmission timeouts that fired (each may resend several fragments). */
    public long timeouts() {
        return timeouts.sum();
    }

    public long acksSent() {
        return acksSent.sum();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("UdpStats{received=")
                .append(received())
                .append(", delivered=")
                .append(delivered())
                .append(", retransmitted=")
                .append(retransmitted())
                .append(", timeouts=")
                .append(timeouts())
                .append(", acksSent=")
                .append(acksSent())
                .append(", v2Datagrams=")
                .append(v2DatagramsSent())
                .append(", v2Frames=")
                .append(v2FramesSent());
        drops.forEach((d, n) -> {
            if (n.sum() > 0) {
                b.append(", ").append(d).append('=').append(n.sum());
            }
        });
        return b.append('}').toString();
    }
}
