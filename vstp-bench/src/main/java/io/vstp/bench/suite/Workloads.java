package io.vstp.bench.suite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The suite's workloads, each over any {@link Peer} that has the operations it needs. Every one warms up first
 * (not measured), then measures a window; results are maps that {@link SuiteCommand} prints as one JSON line.
 * Frames counted are whole frames delivered: received by the server (one-way), answered (request/response),
 * or messages delivered (transfer).
 */
final class Workloads {
    /** Above this many requests outstanding a fixed rate is not being sustained: the run stops, overloaded. */
    static final int MAX_OUTSTANDING = 10_000;
    /** Requests in flight per connection while warming up a fixed-rate run. */
    static final int WARMUP_CONCURRENCY = 16;

    private Workloads() {}

    /** One-way streaming: a sender thread per connection sends as fast as the peer takes frames. */
    static Map<String, Object> stream(Peer peer, PeerSetup setup, Timing timing) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < setup.connections(); c++) {
            int connection = c;
            Thread t = new Thread(
                    () -> {
                        try {
                            while (!stop.get()) {
                                peer.send(connection);
                                sent.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "sender-" + c);
            t.setDaemon(true);
            senders.add(t);
            t.start();
        }
        Thread.sleep(timing.warmup().toMillis());
        long r0 = peer.received();
        ProcessMeters.Reading m0 = ProcessMeters.read();
        Thread.sleep(timing.measure().toMillis());
        long r1 = peer.received();
        ProcessMeters.Reading window = ProcessMeters.read().minus(m0);
        stop.set(true);
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(10));
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not stop within 10 s: the peer blocks a sender");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("sending failed: " + failure.get(), failure.get());
        }
        Map<String, Object> r = totals(setup, r1 - r0, window);
        r.put("sent", sent.get());
        return r;
    }

    /** Request/response, closed loop: {@code concurrency} requests in flight on each connection. */
    static Map<String, Object> closedLoop(Peer peer, PeerSetup setup, int concurrency, Timing timing)
            throws InterruptedException {
        Histogram latency = new ConcurrentHistogram(3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong answered = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong outstanding = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        for (int c = 0; c < setup.connections(); c++) {
            for (int i = 0; i < concurrency; i++) {
                int connection = c;
                Runnable[] next = new Runnable[1];
                next[0] = () -> {
                    if (stop.get()) {
                        return;
                    }
                    outstanding.incrementAndGet();
                    long t0 = System.nanoTime();
                    call(peer, connection).whenComplete((v, e) -> {
                        outstanding.decrementAndGet();
                        if (e != null) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e);
                            return; // this slot stops: a failing peer must not spin
                        }
                        if (measuring.get()) {
                            latency.recordValue((System.nanoTime() - t0) / 1000);
                            answered.incrementAndGet();
                        }
                        next[0].run();
                    });
                };
                next[0].run();
            }
        }
        Thread.sleep(timing.warmup().toMillis());
        measuring.set(true);
        ProcessMeters.Reading m0 = ProcessMeters.read();
        Thread.sleep(timing.measure().toMillis());
        measuring.set(false);
        long frames = answered.get();
        ProcessMeters.Reading window = ProcessMeters.read().minus(m0);
        stop.set(true);
        awaitZero(outstanding, 10);
        Map<String, Object> r = totals(setup, frames, window);
        r.put("concurrency", concurrency);
        r.put("latency_us", percentiles(latency));
        r.put("errors", errors.get());
        if (firstError.get() != null) {
            r.put("first_error", String.valueOf(firstError.get()));
        }
        return r;
    }

    /**
     * Request/response at a fixed offered rate, open loop, corrected for coordinated omission: request {@code i}
     * is due at {@code start + i / rate} and its latency runs from when it was due, so a stall that delays
     * sending is charged to every request it delayed (as a user arriving at that time would see it).
     */
    static Map<String, Object> fixedRate(Peer peer, PeerSetup setup, double rate, Timing timing)
            throws InterruptedException {
        // Warm up closed-loop first: cold code at a fixed rate builds a backlog that the window would inherit.
        closedLoop(peer, setup, WARMUP_CONCURRENCY, new Timing(timing.warmup(), java.time.Duration.ZERO));
        Histogram latency = new ConcurrentHistogram(3);
        AtomicLong outstanding = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + timing.warmup().toNanos();
        long end = measureFrom + timing.measure().toNanos();
        double interval = 1e9 / rate;
        long i = 0;
        long sent = 0;
        boolean overloaded = false;
        ProcessMeters.Reading m0 = null;
        while (true) {
            long due = start + (long) (i * interval);
            if (due - end >= 0) {
                break;
            }
            if (m0 == null && due - measureFrom >= 0) {
                m0 = ProcessMeters.read();
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (outstanding.get() >= MAX_OUTSTANDING) {
                overloaded = true;
                break;
            }
            boolean measured = due - measureFrom >= 0;
            outstanding.incrementAndGet();
            call(peer, connectionOf(setup, (int) (i % Math.max(1, setup.connections()))))
                    .whenComplete((v, e) -> {
                        outstanding.decrementAndGet();
                        if (e != null) {
                            // Only the window counts: a hiccup while warming up (the session's in-flight limit) is not
                            // the sustained behaviour being measured.
                            if (measured) {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, e);
                            }
                        } else if (measured) {
                            latency.recordValue(Math.max(0, System.nanoTime() - due) / 1000);
                            answered.incrementAndGet();
                        }
                    });
            i++;
            if (measured) {
                sent++;
            }
        }
        // Requests sent in the window count once answered; waiting for them is part of the window.
        awaitZero(outstanding, 10);
        ProcessMeters.Reading window = ProcessMeters.read().minus(m0 == null ? ProcessMeters.read() : m0);
        double seconds = timing.measure().toNanos() / 1e9;
        Map<String, Object> r = totals(setup, answered.get(), window);
        r.put("seconds", seconds);
        r.put("frames_per_second", answered.get() / seconds);
        r.put("offered_rate", rate);
        r.put("achieved_rate", answered.get() / seconds);
        r.put("sent", sent);
        r.put("overloaded", overloaded);
        r.put("latency_us", percentiles(latency));
        r.put("errors", errors.get());
        if (firstError.get() != null) {
            r.put("first_error", String.valueOf(firstError.get()));
        }
        return r;
    }

    /** Reliable messages of {@code setup.size()} bytes, one after another, for the window (at least one). */
    static Map<String, Object> transfer(Peer peer, PeerSetup setup, Timing timing) throws Exception {
        peer.transfer().get(60, TimeUnit.SECONDS); // warm-up: one message
        ProcessMeters.Reading m0 = ProcessMeters.read();
        long deadline = m0.nanos() + timing.measure().toNanos();
        Histogram latency = new ConcurrentHistogram(3);
        long messages = 0;
        do {
            long t0 = System.nanoTime();
            peer.transfer().get(120, TimeUnit.SECONDS);
            latency.recordValue((System.nanoTime() - t0) / 1000);
            messages++;
        } while (System.nanoTime() - deadline < 0);
        ProcessMeters.Reading window = ProcessMeters.read().minus(m0);
        Map<String, Object> r = totals(setup, messages, window);
        r.put("latency_us", percentiles(latency));
        return r;
    }

    private static int connectionOf(PeerSetup setup, int c) {
        return c % Math.max(1, setup.connections());
    }

    private static CompletableFuture<?> call(Peer peer, int connection) {
        try {
            return peer.request(connection);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void awaitZero(AtomicLong outstanding, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (outstanding.get() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        if (outstanding.get() > 0) {
            throw new IllegalStateException(outstanding.get() + " requests still unanswered " + seconds
                    + " s after the window: the peer lost them");
        }
    }

    private static Map<String, Object> totals(PeerSetup setup, long frames, ProcessMeters.Reading window) {
        double seconds = window.nanos() / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("frames", frames);
        r.put("seconds", seconds);
        r.put("frames_per_second", frames / seconds);
        r.put("bytes_per_second", frames * (double) setup.size() / seconds);
        r.put("cpu_seconds", window.cpuNanos() / 1e9);
        r.put("cpu_seconds_per_million_frames", frames == 0 ? null : window.cpuNanos() / 1e9 * 1e6 / frames);
        r.put("allocated_bytes_per_frame", frames == 0 ? null : window.allocatedBytes() / (double) frames);
        return r;
    }

    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("p50", h.getValueAtPercentile(50));
        p.put("p90", h.getValueAtPercentile(90));
        p.put("p99", h.getValueAtPercentile(99));
        p.put("p999", h.getValueAtPercentile(99.9));
        p.put("max", h.getMaxValue());
        return p;
    }
}
