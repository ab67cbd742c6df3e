package io.vstp.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connections to one server address, shared by many requests: VSTP multiplexes requests on a connection, so the
 * pool hands each request to the open connection with the fewest in flight, opens another (up to {@code
 * maxConnections}) when all are busy, and otherwise queues the request in arrival order until a slot frees or
 * {@code acquireTimeout} passes. Broken connections leave the pool as soon as they close; old ones retire after
 * {@code maxLifetime}; idle ones above the minimum close after {@code maxIdle}; idle ones are PINGed every
 * {@code healthCheckInterval} and removed if the PING fails.
 *
 * <p>Thread-safe. All pool state is guarded by {@code this}; no I/O happens while holding it.
 */
public final class VstpConnectionPool implements AutoCloseable {
    private final VstpClient client;
    private final String host;
    private final int port;
    private final PoolOptions options;
    private final Duration requestTimeout;
    private final EventExecutor timer;
    private final List<Slot> slots = new ArrayList<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final ScheduledFuture<?> maintenance;
    private int opening;
    private boolean closed;

    private static final class Slot {
        final VstpConnection connection;
        final long createdNanos = System.nanoTime();
        final int capacity;
        long lastUsedNanos = System.nanoTime();
        long lastCheckedNanos = System.nanoTime();
        int inFlight;
        boolean retired;

        Slot(VstpConnection connection, int capacity) {
            this.connection = connection;
            this.capacity = capacity;
        }
    }

    private record Waiter(
            Frame request, Duration timeout, CompletableFuture<Frame> result, ScheduledFuture<?> expiry) {}

    VstpConnectionPool(
            VstpClient client,
            String host,
            int port,
            PoolOptions options,
            Duration requestTimeout,
            EventExecutor timer) {
        this.client = client;
        this.host = host;
        this.port = port;
        this.options = options;
        this.requestTimeout = requestTimeout;
        this.timer = timer;
        long period = Math.max(50, Math.min(options.healthCheckInterval().toMillis(), 1000));
        this.maintenance = timer.scheduleAtFixedRate(this::maintain, period, period, TimeUnit.MILLISECONDS);
        synchronized (this) {
            for (int i = 0; i < options.minConnections(); i++) {
                openOne();
            }
        }
    }

    /** Sends a request on a pooled connection with the client's request timeout. Takes over {@code request}. */
    public CompletableFuture<Frame> request(Frame request) {
        return request(request, requestTimeout);
    }

    /**
     * Sends a request on a pooled connection. Fails with {@code REQUEST_TIMEOUT} when no connection slot frees
     * within {@code acquireTimeout}, or with the connection's error when none can be opened.
     */
    public CompletableFuture<Frame> request(Frame request, Duration timeout) {
        CompletableFuture<Frame> result = new CompletableFuture<>();
        Slot slot;
        synchronized (this) {
            if (closed) {
                request.release();
                result.completeExceptionally(new SessionException(
                        ErrorCode.CONNECTION_CLOSED, VstpException.Scope.REQUEST, "pool is closed"));
                return result;
            }
            slot = leastLoaded();
            if (slot == null) {
                if (waiters.size() >= options.maxQueued()) {
                    request.release();
                    result.completeExceptionally(new SessionException(
                            ErrorCode.TOO_MANY_IN_FLIGHT,
                            VstpException.Scope.REQUEST,
                            options.maxQueued() + " requests already wait for a " + "connection to " + host + ":"
                                    + port));
                    return result;
                }
                ScheduledFuture<?> expiry = timer.schedule(
                        () -> expire(result), options.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS);
                waiters.add(new Waiter(request, timeout, result, expiry));
                // Queue first: a connect that fails at once completes on this thread, and must find the waiter.
                if (slots.size() + opening < options.maxConnections()) {
                    openOne();
                }
                return result;
            }
            slot.inFlight++;
            slot.lastUsedNanos = System.nanoTime();
        }
        dispatch(slot, request, timeout, result);
        return result;
    }

    private void dispatch(Slot slot, Frame request, Duration timeout, CompletableFuture<Frame> result) {
        slot.connection.request(request, timeout).whenComplete((response, error) -> {
            release(slot);
            if (error != null) {
                result.completeExceptionally(error);
            } else if (!result.complete(response)) {
                response.release();
            }
        });
    }

    private void release(Slot slot) {
        List<Runnable> work = new ArrayList<>();
        synchronized (this) {
            slot.inFlight--;
            slot.lastUsedNanos = System.nanoTime();
            drainWaiters(work);
            if (slot.retired && slot.inFlight == 0 && slots.remove(slot)) {
                work.add(() -> slot.connection.close(Duration.ofSeconds(5)));
            }
        }
        work.forEach(Runnable::run);
    }

    /** Hands queued requests to free slots, in arrival order. Called with the lock held; runs I/O later. */
    private void drainWaiters(List<Runnable> work) {
        while (!waiters.isEmpty()) {
            Slot slot = leastLoaded();
            if (slot == null) {
                return;
            }
            Waiter w = waiters.poll();
            w.expiry.cancel(false);
            if (w.result.isDone()) {
                w.request.release();
                continue;
            }
            slot.inFlight++;
            slot.lastUsedNanos = System.nanoTime();
            work.add(() -> dispatch(slot, w.request, w.timeout, w.result));
        }
    }

    private Slot leastLoaded() {
        Slot best = null;
        for (Slot s : slots) {
            if (!s.retired && s.inFlight < s.capacity && (best == null || s.inFlight < best.inFlight)) {
                best = s;
            }
        }
        return best;
    }

    private void openOne() {
        opening++;
        client.connect(host, port).whenComplete((conn, error) -> {
            List<Runnable> work = new ArrayList<>();
            synchronized (this) {
                opening--;
                if (error != null) {
                    // Nobody can be served if nothing is open or opening: fail the queue instead of letting it
                    // wait out acquireTimeout against a server that is down.
                    if (slots.isEmpty() && opening == 0) {
                        while (!waiters.isEmpty()) {
                            Waiter w = waiters.poll();
                            w.expiry.cancel(false);
                            w.request.release();
                            w.result.completeExceptionally(error);
                        }
                    }
                    return;
                }
                if (closed) {
                    // Opened after the pool closed: close it without waiting. This runs on the connection's event
                    // loop, and the blocking close() would wait for that same loop forever.
                    work.add(() -> conn.close(Duration.ofSeconds(5)));
                } else {
                    int capacity = Math.min(options.maxRequestsPerConnection(), conn.serverMaxInFlight());
                    Slot slot = new Slot(conn, capacity);
                    slots.add(slot);
                    conn.closeFuture().whenComplete((v, e) -> removeBroken(slot));
                    drainWaiters(work);
                }
            }
            work.forEach(Runnable::run);
        });
    }

    private void removeBroken(Slot slot) {
        synchronized (this) {
            slots.remove(slot);
            if (!closed && !waiters.isEmpty() && slots.size() + opening < options.maxConnections()) {
                openOne();
            }
        }
    }

    private void expire(CompletableFuture<Frame> result) {
        Waiter found = null;
        synchronized (this) {
            for (Waiter w : waiters) {
                if (w.result == result) {
                    found = w;
                    break;
                }
            }
            if (found != null) {
                waiters.remove(found);
            }
        }
        if (found != null) {
            found.request.release();
            result.completeExceptionally(new SessionException(
                    ErrorCode.REQUEST_TIMEOUT,
                    VstpException.Scope.REQUEST,
                    "no pooled connection to " + host + ":" + port + " free within "
                            + options.acquireTimeout().toMillis() + " ms"));
        }
    }

    /** Lifetime, idle and health checks, plus keeping the minimum open. */
    private void maintain() {
        List<Runnable> work = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            int live = 0;
            for (Slot s : new ArrayList<>(slots)) {
                if (!s.retired && now - s.createdNanos > options.maxLifetime().toNanos()) {
                    s.retired = true;
                }
                boolean idle = s.inFlight == 0
                        && now - s.lastUsedNanos > options.maxIdle().toNanos();
                if (s.retired && s.inFlight == 0 || idle && slots.size() > options.minConnections()) {
                    slots.remove(s);
                    work.add(() -> s.connection.close(Duration.ofSeconds(5)));
                    continue;
                }
                live += s.retired ? 0 : 1;
                long interval = options.healthCheckInterval().toNanos();
                if (s.inFlight == 0 && now - s.lastUsedNanos > interval && now - s.lastCheckedNanos > interval) {
                    s.lastCheckedNanos = now;
                    work.add(() -> s.connection
                            .ping()
                            .orTimeout(5, TimeUnit.SECONDS)
                            .whenComplete((rtt, e) -> {
                                if (e != null) {
                                    s.connection.close(Duration.ofMillis(1));
                                }
                            }));
                }
            }
            for (int i = live + opening; i < options.minConnections(); i++) {
                openOne();
            }
        }
        work.forEach(Runnable::run);
    }

    /** Open connections (for tests and metrics). */
    public synchronized int size() {
        return slots.size();
    }

    /** Requests waiting for a free slot. */
    public synchronized int waiting() {
        return waiters.size();
    }

    /** Closes every connection gracefully and fails queued requests. */
    @Override
    public void close() {
        List<Slot> all;
        List<Waiter> queued;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            maintenance.cancel(false);
            all = new ArrayList<>(slots);
            slots.clear();
            queued = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter w : queued) {
            w.expiry.cancel(false);
            w.request.release();
            w.result.completeExceptionally(
                    new SessionException(ErrorCode.CONNECTION_CLOSED, VstpException.Scope.REQUEST, "pool closed"));
        }
        CompletableFuture.allOf(all.stream()
                        .map(s -> s.connection.close(Duration.ofSeconds(5)))
                        .toArray(CompletableFuture[]::new))
                .join();
    }
}
