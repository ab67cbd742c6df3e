package io.vstp.transport;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One accounting of the bytes a server holds for its peers (docs/spec/session.md §8.1), in the manner of Envoy's
 * overload manager: each connection reports what it holds (a frame being received, requests in the handler,
 * messages waiting behind their stream, answers its peer has not read), and the budget answers with graduated
 * actions as it fills, for the whole server and for each remote address:
 *
 * <ol>
 *   <li>at {@link #REFUSE_AT} of the total (or of an address's share): new requests are refused with
 *       TOO_MANY_IN_FLIGHT and the connections that hold most stop reading, until it falls below again;</li>
 *   <li>past the total (or an address past its share): the connection holding the most is closed, with ERR
 *       TOO_MANY_IN_FLIGHT, until it fits again.</li>
 * </ol>
 *
 * A connection's figure is refreshed by its own event loop; the sums are atomic, so the budget is read anywhere.
 */
public final class MemoryBudget {
    /** The fraction of a limit past which new work is refused and reading pauses. */
    public static final double REFUSE_AT = 0.8;

    private final long maxBytes;
    private final long maxBytesPerAddress;
    private final AtomicLong total = new AtomicLong();
    private final Map<InetAddress, Account> byAddress = new ConcurrentHashMap<>();
    private final Set<Share> shares = ConcurrentHashMap.newKeySet();
    private final AtomicLong closed = new AtomicLong();

    /** What the budget asks of one connection. */
    public enum Pressure {
        /** Go on. */
        NONE,
        /** Refuse new requests and stop reading until the pressure eases. */
        REFUSE,
        /** This connection holds the most of an exhausted budget: close it. */
        SHED
    }

    /**
     * @param maxBytes           bytes all connections together may hold
     * @param maxBytesPerAddress bytes the connections of one remote address may hold
     */
    public MemoryBudget(long maxBytes, long maxBytesPerAddress) {
        if (maxBytes <= 0 || maxBytesPerAddress <= 0 || maxBytesPerAddress > maxBytes) {
            throw new IllegalArgumentException("memory budget " + maxBytes + " / " + maxBytesPerAddress
                    + " per address: both positive, the share at most the whole");
        }
        this.maxBytes = maxBytes;
        this.maxBytesPerAddress = maxBytesPerAddress;
    }

    /**
     * A quarter of the heap, at least 256 MiB; half of that per address, at least 128 MiB: one address must be able
     * to send the largest v2 message (64 MiB) and be answered with as much.
     */
    public static MemoryBudget defaults() {
        long total = Math.max(256L << 20, Runtime.getRuntime().maxMemory() / 4);
        return new MemoryBudget(total, Math.max(128L << 20, total / 2));
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long maxBytesPerAddress() {
        return maxBytesPerAddress;
    }

    /** Bytes held by all connections now. */
    public long heldBytes() {
        return total.get();
    }

    /** Connections closed so far for holding the most of an exhausted budget. */
    public long shed() {
        return closed.get();
    }

    /** What the connections of one address hold, and how many they are (the account goes with the last). */
    private static final class Account {
        final AtomicLong held = new AtomicLong();
        int connections;
    }

    /**
     * The account of one connection, opened when it starts and {@link Share#close() closed} when it ends.
     *
     * @param close closes the connection, from any thread, when it must go to free the budget
     */
    public Share open(InetAddress peer, Runnable close) {
        InetAddress address = shareKey(peer);
        Account account = byAddress.compute(address, (a, existing) -> {
            Account acc = existing != null ? existing : new Account();
            acc.connections++;
            return acc;
        });
        Share s = new Share(address, account.held, close);
        shares.add(s);
        return s;
    }

    /** One connection's part of the budget. */
    public final class Share implements AutoCloseable {
        private final InetAddress address;
        private final AtomicLong addressHeld;
        private final Runnable close;
        private volatile long held;
        private volatile boolean open = true;
        /** Chosen to be closed: not chosen again while it goes. */
        private volatile boolean shedding;

        private Share(InetAddress address, AtomicLong addressHeld, Runnable close) {
            this.address = address;
            this.addressHeld = addressHeld;
            this.close = close;
        }

        /**
         * The connection holds {@code bytes} now; answers what it should do. When the budget is exhausted, the
         * connection holding the most (this one or another) is closed.
         */
        public Pressure update(long bytes) {
            if (!open) {
                return Pressure.NONE;
            }
            long delta = bytes - held;
            if (delta == 0) {
                return pressure(); // most updates (a request answered at once) change nothing: no atomic writes
            }
            held = bytes;
            long all = total.addAndGet(delta);
            long mine = addressHeld.addAndGet(delta);
            if (delta > 0 && (all > maxBytes || mine > maxBytesPerAddress)) {
                Share heaviest = heaviest(all > maxBytes ? null : address);
                if (heaviest == this) {
                    shed();
                    return Pressure.SHED;
                }
                if (heaviest != null) {
                    heaviest.shedNow();
                }
            }
            return pressure();
        }

        /**
         * What the budget asks now, without a new figure: refuse when this connection's address is at 80 % of its
         * share, or when the whole is at 80 % and this connection holds at least its even part of it (the light
         * ones go on: a few heavy peers must not make the server refuse everyone).
         */
        public Pressure pressure() {
            if (addressHeld.get() >= REFUSE_AT * maxBytesPerAddress) {
                return Pressure.REFUSE;
            }
            long all = total.get();
            return all >= REFUSE_AT * maxBytes && held > 0 && held >= all / Math.max(1, shares.size())
                    ? Pressure.REFUSE
                    : Pressure.NONE;
        }

        public long held() {
            return held;
        }

        private void shedNow() {
            shed();
            close.run();
        }

        /**
         * Chosen to go: what it holds counts as freed at once (its connection closes within a moment), so the
         * next update does not pick yet another connection for the same excess.
         */
        private void shed() {
            shedding = true;
            closed.incrementAndGet();
            close();
        }

        /** The connection ended: what it held is free. */
        @Override
        public void close() {
            if (open) {
                open = false;
                shares.remove(this);
                total.addAndGet(-held);
                addressHeld.addAndGet(-held);
                held = 0;
                byAddress.computeIfPresent(address, (a, acc) -> --acc.connections == 0 ? null : acc);
            }
        }
    }

    /**
     * Whose share a peer uses: its IPv4 address, or its IPv6 /64 (one host usually has a whole /64, and must not
     * get a share per address in it).
     */
    static InetAddress shareKey(InetAddress peer) {
        if (peer instanceof java.net.Inet6Address v6) {
            byte[] prefix = java.util.Arrays.copyOf(v6.getAddress(), 16);
            java.util.Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (java.net.UnknownHostException e) {
                return peer; // 16 bytes are always an address
            }
        }
        return peer;
    }

    /** The open share holding the most, among all or those of {@code address}. */
    private Share heaviest(InetAddress address) {
        Share best = null;
        for (Share s : shares) {
            if (!s.shedding && (address == null || s.address.equals(address)) && (best == null || s.held > best.held)) {
                best = s;
            }
        }
        return best;
    }
}
