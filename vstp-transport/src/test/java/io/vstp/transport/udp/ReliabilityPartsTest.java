package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 6298 arithmetic, the congestion window and the duplicate filter, in isolation. */
class ReliabilityPartsTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void retransmissionTimeoutFollowsRfc6298() {
        RttEstimator rtt = new RttEstimator(200 * MS, 60_000 * MS, 1000 * MS);
        assertThat(rtt.rtoNanos()).isEqualTo(1000 * MS);
        rtt.sample(100 * MS); // first sample: SRTT=R, RTTVAR=R/2, RTO = R + 4*R/2 = 300 ms
        assertThat(rtt.srttNanos()).isEqualTo(100 * MS);
        assertThat(rtt.rtoNanos()).isEqualTo(300 * MS);
        rtt.sample(200 * MS); // RTTVAR = 3/4*50 + 1/4*100 = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5
        assertThat(rtt.srttNanos()).isEqualTo(112_500_000L);
        assertThat(rtt.rtoNanos()).isEqualTo(112_500_000L + 4 * 62_500_000L);
        rtt.backoff();
        assertThat(rtt.rtoNanos()).isEqualTo(2 * (112_500_000L + 4 * 62_500_000L));
        for (int i = 0; i < 20; i++) {
            rtt.backoff();
        }
        assertThat(rtt.rtoNanos()).isEqualTo(60_000 * MS); // bounded
        RttEstimator fast = new RttEstimator(200 * MS, 60_000 * MS, 1000 * MS);
        fast.sample(MS / 10);
        assertThat(fast.rtoNanos()).isEqualTo(200 * MS); // clamped to the minimum
    }

    @Test
    void congestionWindowSlowStartsThenHalvesOnLossAndCollapsesOnTimeout() {
        CongestionWindow w = new CongestionWindow(1000);
        assertThat(w.size()).isEqualTo(CongestionWindow.INITIAL);
        w.onAcked(10);
        assertThat(w.size()).isEqualTo(20); // slow start: +1 per acknowledged fragment
        w.onLoss(0, 100 * MS);
        assertThat(w.size()).isEqualTo(10);
        w.onLoss(50 * MS, 100 * MS); // same round trip: no second decrease
        assertThat(w.size()).isEqualTo(10);
        w.onAcked(10); // congestion avoidance: about +1 per window
        assertThat(w.size()).isEqualTo(10);
        w.onAcked(10);
        assertThat(w.size()).isEqualTo(11);
        w.onTimeout();
        assertThat(w.size()).isEqualTo(CongestionWindow.MINIMUM);
        CongestionWindow fresh = new CongestionWindow(1000);
        fresh.onAcked(100_000);
        assertThat(fresh.size()).isEqualTo(1000); // bounded
    }

    @Test
    void duplicateFilterDeliversEachIdOnce() {
        DuplicateFilter f = new DuplicateFilter();
        long base = 1L << 40;
        assertThat(f.firstTime(base)).isTrue();
        assertThat(f.firstTime(base)).isFalse();
        assertThat(f.firstTime(base + 5)).isTrue();
        assertThat(f.firstTime(base + 3)).isTrue(); // late but inside the window
        assertThat(f.firstTime(base + 3)).isFalse();
        assertThat(f.seen(base + 4)).isFalse();
        assertThat(f.firstTime(base + 10_000)).isTrue();
        assertThat(f.firstTime(base + 4)).as("older than the window").isFalse();
        // A restarted sender picks a far-away random first id: a fresh start, not a duplicate.
        assertThat(f.firstTime(7)).isTrue();
        assertThat(f.firstTime(8)).isTrue();
        assertThat(f.firstTime(7)).isFalse();
    }

    /** Ids are u64 (udp.md §5.4): the window works the same across 2^63 and up to 2^64 - 1. */
    @Test
    void duplicateFilterCoversTheWholeUnsignedRange() {
        for (long base : new long[] {Long.MAX_VALUE - 2, -10L /* 2^64 - 10 */, Long.MIN_VALUE /* 2^63 */}) {
            DuplicateFilter f = new DuplicateFilter();
            assertThat(f.firstTime(base))
                    .as("first %s", Long.toUnsignedString(base))
                    .isTrue();
            assertThat(f.firstTime(base)).isFalse();
            assertThat(f.firstTime(base + 3)).isTrue();
            assertThat(f.firstTime(base + 1)).as("late, inside the window").isTrue();
            assertThat(f.firstTime(base + 1)).isFalse();
            assertThat(f.seen(base + 2)).isFalse();
            assertThat(f.seen(base + 3)).isTrue();
            assertThat(f.seen(base)).isTrue();
        }
        DuplicateFilter top = new DuplicateFilter();
        assertThat(top.firstTime(-1L)).as("2^64 - 1").isTrue();
        assertThat(top.firstTime(-1L)).isFalse();
        assertThat(top.firstTime(-2L)).isTrue();
        assertThat(top.seen(-1L)).isTrue();
        assertThat(top.firstTime(-1L - DuplicateFilter.WINDOW))
                .as("older than the window")
                .isFalse();
        // Across the wrap from 2^64 - 1 to 0: still one window, so retransmissions stay duplicates.
        DuplicateFilter wrap = new DuplicateFilter();
        assertThat(wrap.firstTime(-2L)).isTrue();
        assertThat(wrap.firstTime(1)).as("2^64 - 2, then 1: three ahead").isTrue();
        assertThat(wrap.firstTime(-2L))
                .as("a retransmission from before the wrap")
                .isFalse();
        assertThat(wrap.firstTime(0)).isTrue();
        assertThat(wrap.firstTime(0)).isFalse();
        assertThat(wrap.seen(-1L)).isFalse();
    }
}
