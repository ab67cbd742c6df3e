package io.vstp.transport.udp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from samples (alpha 1/8, beta 1/4), RTO = SRTT +
 * max(G, 4·RTTVAR) clamped to [min, max], doubled on each timeout (backoff) until a new sample arrives. Callers
 * apply Karn's rule: never sample a retransmitted fragment. Not thread-safe; one per peer on its event loop.
 */
final class RttEstimator {
    /** Clock granularity G: the event loop's timers are not finer than this. */
    private static final long GRANULARITY_NANOS = 1_000_000;

    private final long minRto;
    private final long maxRto;
    private long srtt = -1;
    private long rttvar;
    private long rto;

    RttEstimator(long minRtoNanos, long maxRtoNanos, long initialRtoNanos) {
        this.minRto = minRtoNanos;
        this.maxRto = maxRtoNanos;
        this.rto = clamp(initialRtoNanos);
    }

    void sample(long rttNanos) {
        if (srtt < 0) {
            srtt = rttNanos;
            rttvar = rttNanos / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
            srtt = (7 * srtt + rttNanos) / 8;
        }
        rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar));
    }

    /** A retransmission timer fired: back off (RFC 6298 §5.5). */
    void backoff() {
        rto = clamp(rto * 2);
    }

    long rtoNanos() {
        return rto;
    }

    /** The smoothed RTT, or -1 before the first sample. */
    long srttNanos() {
        return srtt;
    }

    private long clamp(long value) {
        return Math.max(minRto, Math.min(maxRto, value));
    }
}
