package io.vstp.bench.suite;

import java.time.Duration;

/** How long a measurement warms up (not measured) and then measures. */
record Timing(Duration warmup, Duration measure) {
    /** A tenth of the window as warm-up, at most 1 s, at least 100 ms. */
    static Timing of(Duration measure) {
        long tenth = measure.toMillis() / 10;
        return new Timing(Duration.ofMillis(Math.max(100, Math.min(1000, tenth))), measure);
    }

    Timing scaled(double factor) {
        return new Timing(warmup, Duration.ofNanos((long) (measure.toNanos() * factor)));
    }
}
