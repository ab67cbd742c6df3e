package io.vstp.transport.udp;

/**
 * Remembers which message ids from one peer were already delivered, so each message is delivered exactly once
 * however often it is retransmitted (docs/spec/udp.md §5.4). A sliding window like IPsec's anti-replay window:
 * the highest id seen and a bitmap of the {@link #WINDOW} ids below it. An id far below the window means the peer
 * restarted with a new random first id, so the window starts over.
 */
final class DuplicateFilter {
    static final int WINDOW = 8192;
    /** Ids this far below the highest are a new incarnation of the sender, not an old retransmission. */
    private static final long RESTART_DISTANCE = 1L << 32;

    private final long[] bits = new long[WINDOW / 64];
    /** The highest id seen, an unsigned 64-bit value (udp.md §5.4: ids are u64, 2^63 and above included). */
    private long highest;

    private boolean empty = true;

    /**
     * True the first time {@code id} is seen (deliver it), false for a repeat or an id too old to judge. Ids are
     * compared in serial-number arithmetic (RFC 1982) over 64 bits, so the window works across 2^63 and across the
     * wrap from 2^64 - 1 to 0 alike.
     */
    boolean firstTime(long id) {
        long ahead = id - highest; // signed: > 0 newer, < 0 older
        if (empty || ahead >= RESTART_DISTANCE || ahead <= -RESTART_DISTANCE) {
            java.util.Arrays.fill(bits, 0);
            empty = false;
            highest = id;
            set(id);
            return true;
        }
        if (ahead > 0) {
            if (ahead >= WINDOW) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long i = 1; i < ahead; i++) {
                    clear(highest + i);
                }
            }
            highest = id;
            set(id);
            return true;
        }
        if (-ahead >= WINDOW) {
            return false; // older than the window: assume already delivered
        }
        if (isSet(id)) {
            return false;
        }
        set(id);
        return true;
    }

    /** True if {@code id} was already delivered (or is too old to tell). */
    boolean seen(long id) {
        long behind = highest - id;
        if (empty || behind < 0 || behind >= RESTART_DISTANCE) {
            return false;
        }
        return behind >= WINDOW || isSet(id);
    }

    private static int slot(long id) {
        return (int) (id & (WINDOW - 1));
    }

    private void set(long id) {
        int s = slot(id);
        bits[s >>> 6] |= 1L << (s & 63);
    }

    private void clear(long id) {
        int s = slot(id);
        bits[s >>> 6] &= ~(1L << (s & 63));
    }

    private boolean isSet(long id) {
        int s = slot(id);
        return (bits[s >>> 6] & (1L << (s & 63))) != 0;
    }
}
