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
    private long highest = Long.MIN_VALUE;

    /** True the first time {@code id} is seen (deliver it), false for a repeat or an id too old to judge. */
    boolean firstTime(long id) {
        if (highest == Long.MIN_VALUE || id > highest && id - highest >= RESTART_DISTANCE
                || id < highest && highest - id >= RESTART_DISTANCE) {
            java.util.Arrays.fill(bits, 0);
            highest = id;
            set(id);
            return true;
        }
        if (id > highest) {
            long shift = id - highest;
            if (shift >= WINDOW) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long i = highest + 1; i < id; i++) {
                    clear(i);
                }
            }
            highest = id;
            set(id);
            return true;
        }
        if (highest - id >= WINDOW) {
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
        if (highest == Long.MIN_VALUE || id > highest || highest - id >= RESTART_DISTANCE) {
            return false;
        }
        return highest - id >= WINDOW || isSet(id);
    }

    private int slot(long id) {
        return (int) Math.floorMod(id, (long) WINDOW);
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
