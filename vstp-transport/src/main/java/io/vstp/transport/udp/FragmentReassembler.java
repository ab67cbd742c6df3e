package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts fragmented messages back together (docs/spec/udp.md §4) under hard limits: how many messages and how many
 * bytes are half-received per peer and in total, and how long one may sit without progress. Memory is counted
 * from the bytes actually held, never from a total a peer declares, so a spoofed "first fragment of 100 MiB"
 * costs one fragment. When a limit would be exceeded, reassemblies holding a single fragment are evicted first,
 * least recently active first: a flood of spoofed first fragments is what goes, a transfer that has made
 * progress stays.
 *
 * <p>Not thread-safe: the endpoint calls it on its event loop.
 */
final class FragmentReassembler {
    /** What happened to a fragment. */
    enum Outcome {
        PENDING,
        COMPLETE,
        DUPLICATE,
        INCONSISTENT,
        TOO_LARGE,
        REFUSED
    }

    /** The result of {@link #add}: an outcome, and for COMPLETE the message (the caller releases it). */
    record Result(Outcome outcome, ByteBuf message, Reassembly reassembly) {}

    /** One half-received message. */
    static final class Reassembly {
        final InetSocketAddress peer;
        final long messageId;
        final int count;
        final long length;
        /** Chunks by index. A map, not an array sized by the declared count: memory follows what arrived. */
        final Map<Integer, ByteBuf> chunks = new HashMap<>();

        final BitSet received = new BitSet();
        long bytes;
        long lastActivityNanos;
        /** Index of the first fragment not yet received: everything below it is here. */
        int cumulative;
        /** Fragments received since the last SACK (the endpoint's delayed acknowledgement). */
        int unacknowledged;
        /** Evicted, expired, dropped or completed: no longer worth a SACK. */
        boolean finished;
        /**
         * Distinguishes this reassembly from an earlier one of the same message that was evicted: SACKs carry it,
         * so a sender whose acknowledged fragments were thrown away learns to send them again.
         */
        final long generation;

        Reassembly(InetSocketAddress peer, long messageId, int count, long length, long now, long generation) {
            this.generation = generation;
            this.peer = peer;
            this.messageId = messageId;
            this.count = count;
            this.length = length;
            this.lastActivityNanos = now;
            // The received-bitmap can grow to count bits; charge it up front so the caps cover it.
            this.bytes = BOOKKEEPING + count / 8;
        }
    }

    private record Key(InetSocketAddress peer, long messageId) {}

    /** Bytes charged per reassembly for its objects, besides chunks and bitmap. */
    static final int BOOKKEEPING = 256;

    private final UdpLimits limits;
    private final int chunkSize;
    /**
     * Reassemblies holding one fragment, and those that have made progress. Both access-ordered, so iteration
     * starts with the least recently active. Eviction takes from {@code fresh} first: a flood of spoofed first
     * fragments then only ever evicts itself, while transfers that progress survive it.
     */
    private final LinkedHashMap<Key, Reassembly> fresh = new LinkedHashMap<>(64, 0.75f, true);

    private final LinkedHashMap<Key, Reassembly> progressed = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<InetSocketAddress, long[]> perPeer = new HashMap<>(); // {count, bytes}
    private long totalBytes;
    private long evictions;
    private long generations;
    // Bytes are charged to peers and the total as {chunks + bookkeeping}; see Reassembly.bytes.

    FragmentReassembler(UdpLimits limits, int chunkSize) {
        this.limits = limits;
        this.chunkSize = chunkSize;
    }

    /**
     * Adds one fragment; takes over {@code chunk} (copied into a right-sized buffer by the caller, so that it does
     * not pin a large receive buffer).
     */
    Result add(InetSocketAddress peer, long messageId, int index, int count, long length, ByteBuf chunk, long now) {
        Key key = new Key(peer, messageId);
        Reassembly r = progressed.get(key);
        if (r == null) {
            r = fresh.get(key);
        }
        if (r == null) {
            String problem = checkShape(index, count, length, chunk.readableBytes());
            if (problem != null) {
                chunk.release();
                return new Result(problem.equals("size") ? Outcome.TOO_LARGE : Outcome.INCONSISTENT, null, null);
            }
            long overhead = BOOKKEEPING + count / 8;
            if (!makeRoom(peer, chunk.readableBytes() + overhead, true)) {
                chunk.release();
                return new Result(Outcome.REFUSED, null, null);
            }
            r = new Reassembly(peer, messageId, count, length, now, ++generations);
            fresh.put(key, r);
            long[] mine = peer(peer);
            mine[0]++;
            mine[1] += r.bytes;
            totalBytes += r.bytes;
        } else if (r.count != count
                || r.length != length
                || index >= count
                || chunk.readableBytes() != expectedChunk(r, index)) {
            chunk.release();
            drop(key, r);
            return new Result(Outcome.INCONSISTENT, null, null);
        }
        if (r.received.get(index)) {
            chunk.release();
            r.lastActivityNanos = now;
            return new Result(Outcome.DUPLICATE, null, r);
        }
        if (!makeRoom(peer, chunk.readableBytes(), false) || !contains(key)) {
            // No room, or making room evicted this very message (it was the peer's oldest).
            chunk.release();
            return new Result(Outcome.REFUSED, null, null);
        }
        r.chunks.put(index, chunk);
        r.received.set(index);
        if (r.chunks.size() == 2) { // the second fragment: no longer a one-fragment reassembly
            fresh.remove(key);
            progressed.put(key, r);
        }
        r.bytes += chunk.readableBytes();
        r.lastActivityNanos = now;
        peer(peer)[1] += chunk.readableBytes();
        totalBytes += chunk.readableBytes();
        while (r.cumulative < r.count && r.received.get(r.cumulative)) {
            r.cumulative++;
        }
        if (r.cumulative < r.count) {
            return new Result(Outcome.PENDING, null, r);
        }
        CompositeByteBuf whole = ByteBufAllocator.DEFAULT.compositeBuffer(r.count);
        for (int i = 0; i < r.count; i++) {
            whole.addComponent(true, r.chunks.remove(i));
        }
        forget(key, r);
        return new Result(Outcome.COMPLETE, whole, r);
    }

    private String checkShape(int index, int count, long length, int chunkLength) {
        if (length > limits.maxMessageSize() || length < 1) {
            return "size";
        }
        long expectedCount = (length + chunkSize - 1) / chunkSize;
        if (count < 2 || count != expectedCount || index < 0 || index >= count) {
            return "shape";
        }
        long expected = index < count - 1 ? chunkSize : length - (long) chunkSize * (count - 1);
        return chunkLength == expected ? null : "shape";
    }

    private int expectedChunk(Reassembly r, int index) {
        return index < r.count - 1 ? chunkSize : (int) (r.length - (long) chunkSize * (r.count - 1));
    }

    /** Evicts least recently active reassemblies until {@code bytes} more (and maybe one more message) fit. */
    private boolean makeRoom(InetSocketAddress peer, long bytes, boolean newMessage) {
        long[] mine = perPeer.get(peer);
        if (bytes > limits.maxReassemblyBytesPerPeer()) {
            return false;
        }
        // Per peer: evict that peer's own oldest first; a peer cannot push out someone else for its own limit.
        while (mine != null
                && (mine[1] + bytes > limits.maxReassemblyBytesPerPeer()
                        || newMessage && mine[0] + 1 > limits.maxReassembliesPerPeer())) {
            if (!evictOldest(peer)) {
                return false;
            }
            mine = perPeer.get(peer);
        }
        while (totalBytes + bytes > limits.maxReassemblyBytes()
                || newMessage && activeCount() + 1 > limits.maxReassemblies()) {
            if (!evictOldest(null)) {
                return false;
            }
        }
        return true;
    }

    private boolean evictOldest(InetSocketAddress onlyPeer) {
        return evictOldest(fresh, onlyPeer) || evictOldest(progressed, onlyPeer);
    }

    private boolean evictOldest(LinkedHashMap<Key, Reassembly> from, InetSocketAddress onlyPeer) {
        Iterator<Map.Entry<Key, Reassembly>> it = from.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Reassembly> e = it.next();
            if (onlyPeer == null || e.getKey().peer().equals(onlyPeer)) {
                it.remove();
                releaseChunks(e.getKey(), e.getValue());
                evictions++;
                return true;
            }
        }
        return false;
    }

    private boolean contains(Key key) {
        return fresh.containsKey(key) || progressed.containsKey(key);
    }

    /** Drops reassemblies idle for longer than the timeout; returns how many. */
    int expire(long now) {
        return expire(fresh, now) + expire(progressed, now);
    }

    private int expire(LinkedHashMap<Key, Reassembly> from, long now) {
        int n = 0;
        Iterator<Map.Entry<Key, Reassembly>> it = from.entrySet().iterator();
        long timeout = limits.reassemblyTimeout().toNanos();
        while (it.hasNext()) {
            Map.Entry<Key, Reassembly> e = it.next();
            if (now - e.getValue().lastActivityNanos > timeout) {
                it.remove();
                releaseChunks(e.getKey(), e.getValue());
                n++;
            }
        }
        return n;
    }

    private void drop(Key key, Reassembly r) {
        fresh.remove(key);
        progressed.remove(key);
        releaseChunks(key, r);
    }

    private void forget(Key key, Reassembly r) {
        fresh.remove(key);
        progressed.remove(key);
        account(key.peer(), r);
    }

    private void releaseChunks(Key key, Reassembly r) {
        r.chunks.values().forEach(ByteBuf::release);
        r.chunks.clear();
        account(key.peer(), r);
    }

    private void account(InetSocketAddress peer, Reassembly r) {
        long[] p = perPeer.get(peer);
        if (p != null) {
            p[0]--;
            p[1] -= r.bytes;
            if (p[0] <= 0) {
                perPeer.remove(peer);
            }
        }
        totalBytes -= r.bytes;
        r.bytes = 0;
        r.finished = true;
    }

    private long[] peer(InetSocketAddress peer) {
        return perPeer.computeIfAbsent(peer, p -> new long[2]);
    }

    long bufferedBytes() {
        return totalBytes;
    }

    int activeCount() {
        return fresh.size() + progressed.size();
    }

    long evictions() {
        return evictions;
    }

    /** Releases everything (endpoint shutdown). */
    void clear() {
        for (LinkedHashMap<Key, Reassembly> m : java.util.List.of(fresh, progressed)) {
            for (Map.Entry<Key, Reassembly> e : m.entrySet()) {
                releaseChunks(e.getKey(), e.getValue());
            }
            m.clear();
        }
        perPeer.clear();
    }
}
