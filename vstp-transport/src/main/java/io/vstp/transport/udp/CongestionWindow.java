package io.vstp.transport.udp;

/**
 * How many fragments a sender may have unacknowledged towards one peer: slow start, then AIMD congestion
 * avoidance (docs/spec/udp.md §6), counted in fragments rather than bytes because fragments are near-constant in
 * size. Loss found by selective acknowledgement halves the window once per round trip; a retransmission timeout
 * collapses it to the minimum.
 */
final class CongestionWindow {
    static final int INITIAL = 10;
    static final int MINIMUM = 2;
    private final int maximum;
    private double cwnd = INITIAL;
    private double ssthresh = Double.MAX_VALUE;
    private long recoveryUntilNanos;

    CongestionWindow(int maximum) {
        this.maximum = maximum;
    }

    int size() {
        return (int) cwnd;
    }

    /** {@code count} fragments were newly acknowledged. */
    void onAcked(int count) {
        for (int i = 0; i < count; i++) {
            cwnd += cwnd < ssthresh ? 1 : 1 / cwnd; // slow start, then additive increase
        }
        cwnd = Math.min(cwnd, maximum);
    }

    /** Loss found by SACK: multiplicative decrease, at most once per {@code rttNanos}. */
    void onLoss(long nowNanos, long rttNanos) {
        if (nowNanos < recoveryUntilNanos) {
            return;
        }
        ssthresh = Math.max(cwnd / 2, MINIMUM);
        cwnd = ssthresh;
        recoveryUntilNanos = nowNanos + rttNanos;
    }

    /** A retransmission timeout: the path may be gone; restart from the minimum. */
    void onTimeout() {
        ssthresh = Math.max(cwnd / 2, MINIMUM);
        cwnd = MINIMUM;
    }
}
