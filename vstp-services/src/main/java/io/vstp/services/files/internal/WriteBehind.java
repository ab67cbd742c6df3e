package io.vstp.services.files.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a growing file to the disk while it grows, so the sync that ends a transfer ({@link DurableFiles}) waits
 * only for the last few MiB rather than for the whole file: Linux otherwise keeps gigabytes dirty in memory until
 * asked, and a 1 GiB download would spend seconds in its final sync (docs/benchmarks.md, transfer). Each time a file
 * passes another {@link #EVERY} bytes, one background thread syncs it, at most one sync per file at a time; the
 * writer never waits for it. Advisory only: what makes a transfer durable is the final sync.
 */
public final class WriteBehind {
    /**
     * How far a file grows between background syncs: 32 MiB, or system property {@code vstp.write-behind-mib} (0
     * turns it off, to measure what it saves).
     */
    public static final long EVERY = Long.getLong("vstp.write-behind-mib", 32) << 20;

    private static final ExecutorService SYNCS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vstp-write-behind");
        t.setDaemon(true);
        return t;
    });
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    private WriteBehind() {}

    /**
     * {@code file} has just been written from {@code from} to {@code to}: starts its sync in the background if that
     * crossed a multiple of {@link #EVERY} and none is pending for it.
     *
     * @param file the file written
     * @param from where the write began
     * @param to where it ended
     */
    public static void written(Path file, long from, long to) {
        if (EVERY <= 0 || from / EVERY == to / EVERY || !PENDING.add(file)) {
            return;
        }
        try {
            SYNCS.execute(() -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.force(false);
                } catch (IOException e) {
                    // Gone (committed, deleted) or unwritable: the final sync reports what matters.
                } finally {
                    PENDING.remove(file);
                }
            });
        } catch (RuntimeException e) {
            PENDING.remove(file);
        }
    }
}
