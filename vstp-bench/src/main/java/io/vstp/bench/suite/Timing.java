package io.vstp.bench.suite;

import java.time.Duration;

/** How long a measurement warms up (not measured) and then measures. */
record Timing(Duration warmup, Duration measure) {
    /**
     * Half the window as warm-up, between 100 ms and 3 s: on 2 cores the JIT compilers take about half the CPU for
     * the first seconds of a fresh JVM (async-profiler shows it), and a shorter warm-up measures them.
     */
    static Timing of(Duration measure) {
        long half = measure.toMillis() / 2;
        return new Timing(Duration.ofMillis(Math.max(100, Math.min(3000, half))), measure);
    }
}
