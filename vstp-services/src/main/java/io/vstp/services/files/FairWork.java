package io.vstp.services.files;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * Blocking work (file I/O, hashing) shared fairly among clients: a few threads take one task at a time from each
 * client with work, in turn, so a client that queues many slow tasks delays its own, not everyone's. A client's
 * tasks run one after another in the order given, which keeps the chunks of an upload in order. When a client
 * leaves, its queued tasks are dropped and their futures fail with {@link #cancelled}.
 */
final class FairWork implements AutoCloseable {
    /** Tasks one client may have waiting; beyond it, new ones fail at once with {@link #overflow}. */
    static final int MAX_QUEUED_PER_CLIENT = 1024;

    private final Map<Object, Client> clients = new ConcurrentHashMap<>();
    /** Clients with waiting work and no task running: each appears at most once. */
    private final BlockingQueue<Client> ready = new LinkedBlockingQueue<>();

    private final Thread[] workers;
    private final Supplier<RuntimeException> cancelled;
    private final Supplier<RuntimeException> overflow;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    /** One client's tasks; guarded by its own monitor. */
    private static final class Client {
        final Object key;
        final ArrayDeque<Task<?>> tasks = new ArrayDeque<>();
        /** In {@link #ready} or running: not to be queued again until its task finishes. */
        boolean scheduled;
        /** Out of {@link #clients} (idle, or cancelled): a submit that still holds it makes a new one. */
        boolean retired;

        Client(Object key) {
            this.key = key;
        }
    }

    private record Task<T>(Callable<T> work, CompletableFuture<T> result) {
        void run() {
            if (result.isDone()) {
                return;
            }
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * @param cancelled the failure of a task dropped because its client left (or the work was closed)
     * @param overflow  the failure of a task refused because its client already has too many waiting
     */
    FairWork(int threads, String name, Supplier<RuntimeException> cancelled, Supplier<RuntimeException> overflow) {
        this.cancelled = cancelled;
        this.overflow = overflow;
        this.workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(this::work, name + "-" + i);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** Runs {@code work} for {@code client}, after the client's earlier tasks, in turn with other clients. */
    <T> CompletableFuture<T> submit(Object client, Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        while (true) {
            Client c = clients.computeIfAbsent(client, Client::new);
            synchronized (c) {
                if (c.retired) {
                    continue; // it just left the map: the next computeIfAbsent makes the one to use
                }
                if (closed) {
                    result.completeExceptionally(cancelled.get());
                } else if (c.tasks.size() >= MAX_QUEUED_PER_CLIENT) {
                    result.completeExceptionally(overflow.get());
                } else {
                    c.tasks.add(new Task<>(work, result));
                    if (!c.scheduled) {
                        c.scheduled = true;
                        ready.add(c);
                    }
                }
                return result;
            }
        }
    }

    /** As {@link #submit}, for work without a result. */
    CompletableFuture<Void> execute(Object client, Runnable work) {
        return submit(client, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The client left: its waiting tasks are dropped (their futures fail), the one running finishes, and the client
     * is forgotten.
     */
    void cancel(Object client) {
        Client c = clients.get(client);
        if (c == null) {
            return;
        }
        ArrayDeque<Task<?>> dropped;
        synchronized (c) {
            c.retired = true;
            clients.remove(client, c);
            dropped = new ArrayDeque<>(c.tasks);
            c.tasks.clear();
        }
        this.dropped.addAndGet(dropped.size());
        for (Task<?> t : dropped) {
            t.result().completeExceptionally(cancelled.get());
        }
    }

    /** Tasks dropped so far because their client left. */
    long dropped() {
        return dropped.get();
    }

    /** Tasks waiting, of all clients (not counting those running). */
    int waiting() {
        int n = 0;
        for (Client c : clients.values()) {
            synchronized (c) {
                n += c.tasks.size();
            }
        }
        return n;
    }

    /** Tasks waiting for {@code client} (not counting one running). */
    int queued(Object client) {
        Client c = clients.get(client);
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return c.tasks.size();
        }
    }

    private void work() {
        while (!closed) {
            Client c;
            try {
                c = ready.take();
            } catch (InterruptedException e) {
                return;
            }
            Task<?> task;
            synchronized (c) {
                task = c.tasks.poll();
                if (task == null) {
                    c.scheduled = false;
                    continue;
                }
            }
            task.run();
            synchronized (c) {
                if (c.tasks.isEmpty()) {
                    c.scheduled = false;
                    c.retired = true;
                    clients.remove(c.key, c); // idle clients cost nothing; the next submit makes a new one
                } else {
                    ready.add(c); // to the back: every other client with work goes first
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Object key : clients.keySet().toArray()) {
            cancel(key);
        }
        for (Thread t : workers) {
            t.interrupt();
        }
    }
}
