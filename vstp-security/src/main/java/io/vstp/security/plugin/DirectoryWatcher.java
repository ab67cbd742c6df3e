package io.vstp.security.plugin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon thread that runs a scan of the plugin directory whenever it may have changed: on a file system event
 * for the directory, and in any case after the wait {@code waitMillis} asks for (the poll interval, less while a jar
 * settles). Events only make a change seen sooner; the poll is what makes sure it is seen, since events can be lost,
 * and a directory that does not exist yet, or a file system without a watch service, cannot be watched at all.
 *
 * <p>What changed is never read from the events: the scan compares the directory with what is loaded.
 */
final class DirectoryWatcher implements AutoCloseable {
    static final String THREAD_NAME = "vstp-plugin-watcher";

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());
    private static final long JOIN_MILLIS = TimeUnit.SECONDS.toMillis(5);

    private final Path directory;
    private final Duration pollInterval;
    private final LongSupplier waitMillis;
    private final Runnable scan;
    private final Thread thread;

    private final Object lock = new Object();
    private boolean closed; // guarded by lock
    private volatile WatchService watchService;
    private volatile boolean watching;

    /**
     * @param pollInterval how long to wait after a scan failed unexpectedly, and how often to poll (for the log)
     * @param waitMillis   how long to wait for an event before scanning anyway, asked before each wait
     * @param scan         runs on the watcher thread; what it throws is logged and the watcher goes on
     */
    DirectoryWatcher(Path directory, Duration pollInterval, LongSupplier waitMillis, Runnable scan) {
        this.directory = directory;
        this.pollInterval = pollInterval;
        this.waitMillis = waitMillis;
        this.scan = scan;
        this.thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        // Plugin code runs on this thread: an inherited context loader could be a plugin's and would stay pinned.
        thread.setContextClassLoader(DirectoryWatcher.class.getClassLoader());
    }

    void start() {
        thread.start();
    }

    /** Stops the thread and waits for it to end, at most 5 s (a scan under way is not cut short); idempotent. */
    @Override
    public void close() {
        WatchService ws;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            ws = watchService;
        }
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                LOG.debug("closing the plugin directory watch service", e);
            }
        }
        if (thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the directory is registered with a watch service now; false while it is only polled. */
    boolean watching() {
        return watching;
    }

    private void run() {
        WatchKey key = null;
        while (!isClosed()) {
            try {
                if (key == null || !key.isValid()) {
                    key = register();
                    watching = key != null;
                }
                long wait = waitMillis.getAsLong();
                if (key != null) {
                    WatchKey signalled = watchService.poll(wait, TimeUnit.MILLISECONDS);
                    if (signalled != null) {
                        signalled.pollEvents(); // what changed does not matter: the scan compares with the disk
                        if (!signalled.reset()) {
                            key = null; // the directory went away: poll until it is back
                        }
                    }
                } else {
                    Thread.sleep(wait);
                }
                scan.run();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                if (isClosed()) {
                    return;
                }
                key = null;
                watching = false;
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("plugin directory watcher: {}", e, e);
                sleepQuietly(pollInterval.toMillis()); // a failure that repeats must not become a busy loop
            }
        }
    }

    /** Registers the directory with a watch service; null (polling only) when that is not possible now. */
    private WatchKey register() {
        try {
            if (!Files.isDirectory(directory)) {
                return null;
            }
            WatchService ws = watchService;
            if (ws == null) {
                ws = FileSystems.getDefault().newWatchService();
                synchronized (lock) {
                    if (closed) { // close() has run and would not see this one
                        ws.close();
                        return null;
                    }
                    watchService = ws;
                }
            }
            return directory.register(
                    ws,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot watch {}, polling every {}", directory, pollInterval, e);
            return null;
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
