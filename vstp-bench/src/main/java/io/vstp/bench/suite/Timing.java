package io.vstp.bench.suite;

import java.time.Duration;

/** How long a measurement warms up (not measured) and then measures. */
record Timing(Duration warmup, Duration measure) {
    /**
     * A fifth of the window as warm-up, between 100 ms and 2 s: on 2 cores the JIT compilers compete with the
     * workload for the first second or so, and a shorter warm-up measures them.
     */
    static Timing of(Duration measure) {
        long fifth = measure.toMillis() / 5;
        return new Timing(Duration.ofMillis(Math.max(100, Math.min(2000, fifth))), measure);
    }
}
