package io.vstp.transport.udp;

import java.security.SecureRandom;

/**
 * What an endpoint keeps about one peer address: the receiving half of exactly-once delivery (its duplicate
 * filter, udp.md §5.4), the sending half (its {@link ReliableSender}, which holds the RTT and congestion window),
 * the ids of messages sent to it, when it last showed life, and whether it speaks wire v2.
 *
 * <p>Not thread-safe: lives in a {@link PeerTable} on the endpoint's event loop.
 */
final class UdpPeer {
    /** A CSPRNG: nobody learns the ids of messages sent to another address from its own (udp.md §3, §7). */
    private static final SecureRandom IDS = new SecureRandom();

    final DuplicateFilter seen = new DuplicateFilter();
    final ReliableSender sender;
    /**
     * Random at first, so a restarted endpoint is not taken for retransmissions of its predecessor; then in
     * order, which the peer's duplicate filter needs (udp.md §3).
     */
    private long nextMessageId = randomFirstId();
    /** Idle and silence timeouts count from here (udp.md §7). */
    long lastActivityNanos = System.nanoTime();
    /** The peer sent a v2 datagram or announced version 2: frames to it are v2 (wire-v2.md §10). */
    boolean v2;

    UdpPeer(ReliableSender sender) {
        this.sender = sender;
    }

    /** A first message id as udp.md §3 defines it: 1 + (a CSPRNG 64-bit value >>> 2). */
    static long randomFirstId() {
        return 1 + (IDS.nextLong() >>> 2);
    }

    /** The id of the next message to this peer. */
    long takeMessageId() {
        return nextMessageId++;
    }
}
