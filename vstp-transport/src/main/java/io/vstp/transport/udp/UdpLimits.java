package io.vstp.transport.udp;

import java.time.Duration;

/**
 * Everything a UDP peer could otherwise make unbounded (docs/spec/udp.md §7), with defaults that let a 100 MiB
 * message through while keeping a flood of spoofed first fragments under {@code maxReassemblyBytes}.
 *
 * @param maxDatagramSize           the largest datagram this endpoint sends; 1200 like the crate
 * @param maxMessageSize            the largest message (encoded frame) sent or reassembled
 * @param maxReassembliesPerPeer    messages one peer address may have half-received at once
 * @param maxReassemblies           half-received messages in total
 * @param maxReassemblyBytesPerPeer fragment bytes buffered for one peer address
 * @param maxReassemblyBytes        fragment bytes buffered in total (the hard memory cap of reassembly)
 * @param reassemblyTimeout         a half-received message with no new fragment for this long is dropped
 * @param maxPeers                  peer addresses with reliability state (RTT, windows, duplicate filters)
 * @param peerIdleTimeout           state of a peer that sent and received nothing for this long is dropped
 * @param maxQueuedBytesPerPeer     bytes of reliable messages waiting to be sent or acknowledged, per peer (one
 *                                  message alone is always taken, up to {@code maxMessageSize})
 * @param maxQueuedBytes            the same, for all peers together: the hard cap of what silent peers can hold
 * @param peerSilenceTimeout        a peer with messages to acknowledge that sends nothing for this long is given
 *                                  up: its messages fail and its state goes
 * @param minRetransmitTimeout      lower bound of the retransmission timeout (RFC 6298 says 1 s; LANs want less)
 * @param maxRetransmitTimeout      upper bound of the retransmission timeout after backoff
 * @param maxRetransmissions        retransmissions of one fragment before the message fails
 */
public record UdpLimits(
        int maxDatagramSize,
        int maxMessageSize,
        int maxReassembliesPerPeer,
        int maxReassemblies,
        long maxReassemblyBytesPerPeer,
        long maxReassemblyBytes,
        Duration reassemblyTimeout,
        int maxPeers,
        Duration peerIdleTimeout,
        long maxQueuedBytesPerPeer,
        long maxQueuedBytes,
        Duration peerSilenceTimeout,
        Duration minRetransmitTimeout,
        Duration maxRetransmitTimeout,
        int maxRetransmissions) {

    public static final UdpLimits DEFAULT = new UdpLimits(
            1200,
            128 * 1024 * 1024,
            64,
            4096,
            160L * 1024 * 1024,
            512L * 1024 * 1024,
            Duration.ofSeconds(30),
            65_536,
            Duration.ofMinutes(5),
            32L * 1024 * 1024,
            512L * 1024 * 1024,
            Duration.ofSeconds(30),
            Duration.ofMillis(50),
            Duration.ofSeconds(10),
            12);

    public UdpLimits {
        if (maxDatagramSize < 256 || maxDatagramSize > NettyDatagramLink.MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be 256.." + NettyDatagramLink.MAX_UDP_PAYLOAD);
        }
        if (maxMessageSize < maxDatagramSize
                || maxReassembliesPerPeer < 1
                || maxReassemblies < 1
                || maxReassemblyBytesPerPeer < maxDatagramSize
                || maxReassemblyBytes < maxReassemblyBytesPerPeer
                || maxPeers < 1
                || maxQueuedBytesPerPeer < maxDatagramSize
                || maxQueuedBytes < maxQueuedBytesPerPeer
                || maxRetransmissions < 1) {
            throw new IllegalArgumentException("inconsistent UDP limits: " + this);
        }
        for (Duration d : new Duration[] {
            reassemblyTimeout, peerIdleTimeout, peerSilenceTimeout, minRetransmitTimeout, maxRetransmitTimeout
        }) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
    }

    public UdpLimits withMaxDatagramSize(int value) {
        return new UdpLimits(
                value,
                maxMessageSize,
                maxReassembliesPerPeer,
                maxReassemblies,
                maxReassemblyBytesPerPeer,
                maxReassemblyBytes,
                reassemblyTimeout,
                maxPeers,
                peerIdleTimeout,
                maxQueuedBytesPerPeer,
                maxQueuedBytes,
                peerSilenceTimeout,
                minRetransmitTimeout,
                maxRetransmitTimeout,
                maxRetransmissions);
    }

    public UdpLimits withReassembly(int perPeer, int total, long bytesPerPeer, long bytesTotal, Duration timeout) {
        return new UdpLimits(
                maxDatagramSize,
                maxMessageSize,
                perPeer,
                total,
                bytesPerPeer,
                bytesTotal,
                timeout,
                maxPeers,
                peerIdleTimeout,
                maxQueuedBytesPerPeer,
                maxQueuedBytes,
                peerSilenceTimeout,
                minRetransmitTimeout,
                maxRetransmitTimeout,
                maxRetransmissions);
    }

    public UdpLimits withRetransmission(Duration min, Duration max, int retransmissions) {
        return new UdpLimits(
                maxDatagramSize,
                maxMessageSize,
                maxReassembliesPerPeer,
                maxReassemblies,
                maxReassemblyBytesPerPeer,
                maxReassemblyBytes,
                reassemblyTimeout,
                maxPeers,
                peerIdleTimeout,
                maxQueuedBytesPerPeer,
                maxQueuedBytes,
                peerSilenceTimeout,
                min,
                max,
                retransmissions);
    }

    public UdpLimits withMaxMessageSize(int value) {
        return new UdpLimits(
                maxDatagramSize,
                value,
                maxReassembliesPerPeer,
                maxReassemblies,
                maxReassemblyBytesPerPeer,
                maxReassemblyBytes,
                reassemblyTimeout,
                maxPeers,
                peerIdleTimeout,
                maxQueuedBytesPerPeer,
                maxQueuedBytes,
                peerSilenceTimeout,
                minRetransmitTimeout,
                maxRetransmitTimeout,
                maxRetransmissions);
    }

    /** Peers with reliability state, and how long an idle one keeps it. */
    public UdpLimits withPeers(int max, Duration idleTimeout) {
        return new UdpLimits(
                maxDatagramSize,
                maxMessageSize,
                maxReassembliesPerPeer,
                maxReassemblies,
                maxReassemblyBytesPerPeer,
                maxReassemblyBytes,
                reassemblyTimeout,
                max,
                idleTimeout,
                maxQueuedBytesPerPeer,
                maxQueuedBytes,
                peerSilenceTimeout,
                minRetransmitTimeout,
                maxRetransmitTimeout,
                maxRetransmissions);
    }

    /** Queued reliable bytes per peer and in total, and how long a peer owing acknowledgements may stay silent. */
    public UdpLimits withQueues(long perPeer, long total, Duration silence) {
        return new UdpLimits(
                maxDatagramSize,
                maxMessageSize,
                maxReassembliesPerPeer,
                maxReassemblies,
                maxReassemblyBytesPerPeer,
                maxReassemblyBytes,
                reassemblyTimeout,
                maxPeers,
                peerIdleTimeout,
                perPeer,
                total,
                silence,
                minRetransmitTimeout,
                maxRetransmitTimeout,
                maxRetransmissions);
    }
}
