package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The watcher thread alone, with a counting scan in place of the registry's. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DirectoryWatcherTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final long HOUR = TimeUnit.HOURS.toMillis(1);

    @TempDir
    Path dir;

    private final AtomicInteger scans = new AtomicInteger();
    private final AtomicReference<Thread> scanThread = new AtomicReference<>();

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
    }

    /** A scan that counts, remembers its thread, and from then on asks for {@code waitAfter} between looks. */
    private Runnable scan(AtomicLong wait, long waitAfter) {
        return () -> {
            scanThread.set(Thread.currentThread());
            wait.set(waitAfter);
            scans.incrementAndGet();
        };
    }

    /**
     * Every watch service is an inotify instance on Linux, limited per user (128 by default) and shared with every
     * other process of the user: when none is left the watcher falls back to polling, and events cannot be tested.
     */
    private static void assumeWatchServiceAvailable() {
        try (WatchService probe = FileSystems.getDefault().newWatchService()) {
            assertThat(probe).isNotNull();
        } catch (IOException e) {
            Assumptions.abort("no watch service available: " + e);
        }
    }

    /** A watcher that waits an hour between looks while it watches, {@code shortWait} ms while it cannot. */
    private DirectoryWatcher eventDriven(Path directory, long shortWait) {
        AtomicReference<DirectoryWatcher> self = new AtomicReference<>();
        DirectoryWatcher watcher = new DirectoryWatcher(
                directory, Duration.ofHours(1), () -> self.get().watching() ? HOUR : shortWait, scans::incrementAndGet);
        self.set(watcher);
        return watcher;
    }

    @Test
    void aChangeInTheDirectoryIsScannedAtOnceWithoutWaitingForThePoll() throws Exception {
        assumeWatchServiceAvailable();
        try (DirectoryWatcher watcher = eventDriven(dir, 5)) {
            watcher.start();
            await("the directory is watched", watcher::watching);
            int before = scans.get(); // every later scan follows an event: the wait is an hour now

            Files.write(dir.resolve("acme.jar"), new byte[] {1});

            await("a scan after the event", () -> scans.get() > before);
        }
    }

    @Test
    void aDirectoryThatCannotBeWatchedIsPolled() {
        AtomicLong wait = new AtomicLong(5);
        Path missing = dir.resolve("not-yet");
        try (DirectoryWatcher watcher = new DirectoryWatcher(missing, Duration.ofHours(1), wait::get, scan(wait, 5))) {
            watcher.start();
            await("scans without any event", () -> scans.get() >= 3);
        }
    }

    @Test
    void aDirectoryThatAppearsLaterIsWatchedFromThenOn() throws Exception {
        assumeWatchServiceAvailable();
        Path later = dir.resolve("later");
        try (DirectoryWatcher watcher = eventDriven(later, 5)) {
            watcher.start();
            await("polled while missing", () -> scans.get() >= 2);
            assertThat(watcher.watching()).isFalse();

            Files.createDirectory(later);
            await("the directory is watched", watcher::watching);
            int before = scans.get();
            Files.write(later.resolve("acme.jar"), new byte[] {1});

            await("a scan after the event", () -> scans.get() > before);
        }
    }

    @Test
    void aScanThatFailsIsLoggedAndTheWatcherGoesOn() {
        AtomicInteger calls = new AtomicInteger();
        try (DirectoryWatcher watcher = new DirectoryWatcher(dir, Duration.ofMillis(5), () -> 5, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a scan that fails once");
            }
            scans.incrementAndGet();
        })) {
            watcher.start();
            await("scans after the failure", () -> scans.get() >= 2);
        }
    }

    @Test
    void scansRunOnANamedDaemonThreadWhoseContextLoaderIsNotTheCreatorsOne() throws Exception {
        AtomicLong wait = new AtomicLong(1);
        // Stands for a plugin's loader: the thread would pin it for as long as the registry runs.
        try (URLClassLoader foreign = new URLClassLoader(new URL[0], null);
                DirectoryWatcher watcher = createdWithContextLoader(
                        foreign, () -> new DirectoryWatcher(dir, Duration.ofHours(1), wait::get, scan(wait, HOUR)))) {
            watcher.start();
            await("the first scan", () -> scans.get() == 1);
            Thread thread = scanThread.get();
            assertThat(thread.getName()).isEqualTo("vstp-plugin-watcher");
            assertThat(thread.isDaemon()).isTrue();
            assertThat(thread.getContextClassLoader()).isSameAs(DirectoryWatcher.class.getClassLoader());
        }
    }

    private static <T> T createdWithContextLoader(ClassLoader loader, Supplier<T> create) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return create.get();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void closeEndsAWatcherThatWaitsForEventsPromptlyAndOnlyOnce() {
        AtomicLong wait = new AtomicLong(1);
        DirectoryWatcher watcher = new DirectoryWatcher(dir, Duration.ofHours(1), wait::get, scan(wait, HOUR));
        watcher.start();
        await("the first scan", () -> scans.get() == 1);

        assertTimeoutPreemptively(Duration.ofSeconds(3), watcher::close); // not the 5 s join bound
        assertThat(scanThread.get().isAlive()).isFalse();
        assertThat(scans).hasValue(1);
        watcher.close();
    }

    @Test
    void closeEndsAWatcherThatPolls() {
        AtomicLong wait = new AtomicLong(1);
        DirectoryWatcher watcher =
                new DirectoryWatcher(dir.resolve("missing"), Duration.ofHours(1), wait::get, scan(wait, HOUR));
        watcher.start();
        await("the first scan", () -> scans.get() == 1);

        assertTimeoutPreemptively(Duration.ofSeconds(3), watcher::close);
        assertThat(scanThread.get().isAlive()).isFalse();
    }

    @Test
    void aWatcherClosedBeforeItStartedHasNothingToStop() {
        DirectoryWatcher watcher = new DirectoryWatcher(dir, Duration.ofHours(1), () -> 1, scans::incrementAndGet);
        watcher.close();
        assertThat(scans).hasValue(0);
    }
}
