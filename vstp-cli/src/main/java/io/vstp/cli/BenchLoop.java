package io.vstp.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * The closed loop of {@code vstp bench}: keeps {@code concurrency} frames in flight on a {@link BenchLink}, sending
 * the next one as soon as one completes, until {@code --count} frames were sent or {@code --duration} has passed;
 * then waits for those still in flight.
 *
 * <h2>What is measured</h2>
 * Latency: from just before a frame is handed to the link until its completion (response received, or
 * acknowledgement received), in nanoseconds into an HdrHistogram with 3 significant digits. Warm-up: with a
 * count, the first {@code count / 10} frames to complete successfully; with a duration, the frames completing in
 * its first tenth, at most 1 s. Warm-up frames are counted but not recorded. Throughput: measured frames divided
 * by the measurement window, from the end of the warm-up (the warm-up's last completion, or the warm-up deadline)
 * to the last measured completion. Failed frames are counted as errors and never recorded; so
 * {@code sent = warmup + measured + errors} once the run has finished.
 *
 * <h2>Threads</h2>
 * Completions arrive on the link's event loop; the one that frees a slot also sends the next frame. A drain counter
 * makes sure only one thread sends at a time and that a frame completing synchronously (failing at once) does not
 * recurse.
 */
final class BenchLoop {
    /** Warm-up with --duration: a tenth of it, but never more than this. */
    static final Duration MAX_WARMUP = Duration.ofSeconds(1);

    /** When to stop: after a number of frames, or after a time. */
    record Plan(long count, Duration duration) {
        static Plan ofCount(long count) {
            return new Plan(count, null);
        }

        static Plan ofDuration(Duration duration) {
            return new Plan(-1, duration);
        }

        long warmupCount() {
            return count / 10;
        }

        long warmupNanos() {
            return Math.min(duration.toNanos() / 10, MAX_WARMUP.toNanos());
        }
    }

    /** What one run produced. Latencies in nanoseconds. */
    record Result(
            long sent,
            long warmup,
            long measured,
            long errors,
            String firstError,
            long measuredNanos,
            Histogram latency) {}

    private final BenchLink link;
    private final ByteBuf payload;
    private final int concurrency;
    private final Plan plan;
    private final Histogram histogram = new Histogram(3);
    private final AtomicInteger drain = new AtomicInteger();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    // Guarded by this.
    private long startNanos;
    private long deadlineNanos;
    private long warmupEndNanos;
    private long sent;
    private int inFlight;
    private long warmup;
    private long measured;
    private long errors;
    private String firstError;
    private Throwable fatal;
    private boolean stopped;
    private long measureStartNanos;
    private long lastCompletionNanos;

    BenchLoop(BenchLink link, int size, int concurrency, Plan plan) {
        this.link = link;
        this.concurrency = concurrency;
        this.plan = plan;
        // One payload for every frame: each frame carries a retained duplicate (shared bytes, own indexes).
        this.payload = Unpooled.directBuffer(size, size);
        for (int i = 0; i < size; i++) {
            payload.writeByte('a' + i % 26);
        }
    }

    /** Runs to the end; the result, or a {@link CliException} if the link broke or the peer stopped answering. */
    Result run() throws InterruptedException {
        try {
            synchronized (this) {
                startNanos = System.nanoTime();
                if (plan.count() < 0) {
                    deadlineNanos = startNanos + plan.duration().toNanos();
                    warmupEndNanos = startNanos + plan.warmupNanos();
                    measureStartNanos = warmupEndNanos;
                } else if (plan.warmupCount() == 0) {
                    measureStartNanos = startNanos;
                }
                lastCompletionNanos = measureStartNanos;
            }
            pump();
            try {
                done.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            synchronized (this) {
                if (fatal != null) {
                    throw new CliException(
                            ExitCodes.UNREACHABLE,
                            "run stopped after " + (warmup + measured) + " of " + sent + " frames: " + message(fatal),
                            fatal);
                }
                return new Result(
                        sent,
                        warmup,
                        measured,
                        errors,
                        firstError,
                        measured == 0 ? 0 : lastCompletionNanos - measureStartNanos,
                        histogram.copy());
            }
        } finally {
            synchronized (this) {
                stopped = true;
            }
            payload.release();
        }
    }

    /** Sends frames while there is room and reason to; only one thread at a time, never recursively. */
    private void pump() {
        if (drain.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (sendOne()) {
                // keep the window full
            }
            missed = drain.addAndGet(-missed);
        } while (missed != 0);
        finishIfIdle();
    }

    private boolean sendOne() {
        synchronized (this) {
            if (stopped || inFlight >= concurrency) {
                return false;
            }
            if (plan.count() >= 0 ? sent >= plan.count() : System.nanoTime() - deadlineNanos >= 0) {
                stopped = true;
                return false;
            }
            sent++;
            inFlight++;
        }
        Frame frame = Frame.builder(FrameType.DATA)
                .payload(payload.retainedDuplicate())
                .build();
        long t0 = System.nanoTime();
        CompletableFuture<Void> f;
        try {
            f = link.exchange(frame);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> completed(t0, e));
        return true;
    }

    private void completed(long t0, Throwable failure) {
        long now = System.nanoTime();
        synchronized (this) {
            inFlight--;
            if (failure != null) {
                Throwable cause = VstpCommand.unwrap(failure);
                errors++;
                if (firstError == null) {
                    firstError = message(cause);
                }
                if (fatal == null && (link.broken() || BenchLink.endsRun(cause))) {
                    fatal = cause;
                    stopped = true;
                }
            } else if (plan.count() >= 0 ? warmup < plan.warmupCount() : now - warmupEndNanos < 0) {
                warmup++;
                if (plan.count() >= 0 && warmup == plan.warmupCount()) {
                    measureStartNanos = now;
                }
            } else {
                measured++;
                histogram.recordValue(Math.max(0, now - t0));
                lastCompletionNanos = now;
            }
        }
        pump();
    }

    private synchronized void finishIfIdle() {
        if (stopped && inFlight == 0) {
            done.complete(null);
        }
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m != null && !m.isBlank() ? m : t.getClass().getSimpleName();
    }
}
