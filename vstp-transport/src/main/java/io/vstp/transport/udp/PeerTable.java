package io.vstp.transport.udp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * The peers an endpoint keeps state for, bounded by {@code maxPeers} (udp.md §7). When the table is full a new
 * peer takes the place of the least recently active one with nothing in flight; when every peer owes
 * acknowledgements the newcomer gets nothing, so a flood of source addresses cannot grow it. Idle peers are
 * dropped after {@code peerIdleTimeout}, and peers that owe acknowledgements but stay silent past
 * {@code peerSilenceTimeout} are given up.
 *
 * <p>Not thread-safe: the endpoint calls it on its event loop.
 */
final class PeerTable {
    private final UdpLimits limits;
    private final UdpStats stats;
    private final Function<InetSocketAddress, ReliableSender> senders;
    /** Access-ordered, so iteration meets the least recently active peer first. */
    private final LinkedHashMap<InetSocketAddress, UdpPeer> peers = new LinkedHashMap<>(64, 0.75f, true);

    /** {@code senders} makes the reliable sender of each new peer. */
    PeerTable(UdpLimits limits, UdpStats stats, Function<InetSocketAddress, ReliableSender> senders) {
        this.limits = limits;
        this.stats = stats;
        this.senders = senders;
    }

    /** The peer's state if it has any; counts as activity for the eviction order. */
    UdpPeer get(InetSocketAddress address) {
        return peers.get(address);
    }

    /** The peer's state, created if needed; null if the table is full of peers that owe acknowledgements. */
    UdpPeer getOrCreate(InetSocketAddress address) {
        UdpPeer p = peers.get(address);
        if (p != null) {
            return p;
        }
        // The limit is checked before anything is made for a newcomer: spoofed sources cost no memory past it.
        if (peers.size() >= limits.maxPeers() && !evictIdlest()) {
            return null;
        }
        p = new UdpPeer(senders.apply(address));
        peers.put(address, p);
        return p;
    }

    private boolean evictIdlest() {
        Iterator<UdpPeer> it = peers.values().iterator();
        while (it.hasNext()) {
            if (!it.next().sender.busy()) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    int size() {
        return peers.size();
    }

    /**
     * The periodic pass: drives each busy peer's retransmission timer, drops idle peers, and gives up silent ones
     * (their messages fail with CONNECTION_CLOSED, counted SILENT_PEER).
     */
    void sweep(long now) {
        long idle = limits.peerIdleTimeout().toNanos();
        long silence = limits.peerSilenceTimeout().toNanos();
        List<UdpPeer> silent = new ArrayList<>();
        Iterator<UdpPeer> it = peers.values().iterator();
        while (it.hasNext()) {
            UdpPeer p = it.next();
            if (p.sender.busy() && now - p.lastActivityNanos > silence) {
                // Owes acknowledgements and says nothing: retransmitting to it only holds memory (udp.md §7). Out
                // of the table first: the failures run callbacks, which may use the endpoint again.
                it.remove();
                silent.add(p);
            } else if (p.sender.busy()) {
                p.sender.onTick(now);
            } else if (now - p.lastActivityNanos > idle) {
                it.remove();
            }
        }
        for (UdpPeer p : silent) {
            p.sender.failAll("peer silent for " + limits.peerSilenceTimeout().toMillis() + " ms");
            stats.countDrop(UdpStats.Drop.SILENT_PEER);
        }
    }

    /** Forgets every peer, failing what was being sent to it with CONNECTION_CLOSED and {@code why}. */
    void clear(String why) {
        for (UdpPeer p : peers.values()) {
            p.sender.failAll(why);
        }
        peers.clear();
    }
}
