package io.vstp.security.plugin;

import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.security.spi.Authorizer;
import io.vstp.security.spi.AuthorizerProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds {@link AuthenticatorProvider}s and {@link AuthorizerProvider}s with {@link ServiceLoader} on the application
 * class path and in the {@code *.jar} files of a plugin directory, creates their {@link Authenticator}s and
 * {@link Authorizer}s with each plugin's settings, and keeps them as an immutable {@link PluginSet} that is swapped
 * atomically: {@link #current()} is a volatile read, safe on an event loop.
 *
 * <h2>The plugin directory</h2>
 * Each jar is copied to a private temporary directory and loaded from the copy in a class loader of its own (parent:
 * the loader of the SPI), so a jar that is replaced or deleted under the server never changes code that runs. A
 * watcher thread (a {@link java.nio.file.WatchService} on the directory, and a poll every {@link Builder#pollInterval}
 * in case events are missed) notices new, changed and removed jars:
 * <ul>
 *   <li>a new or changed jar is looked at once its size, modification time and inode have stayed the same for
 *       {@link Builder#settleTime} (a jar still being written keeps changing), and its copy is checked to match;</li>
 *   <li>a new or changed jar is loaded completely (every provider instantiated and
 *       {@link AuthenticatorProvider#create created}) before the snapshot is swapped; only then is the previous
 *       version's class loader retired (closed after {@link Builder#closeGrace}, so calls already running in the old
 *       version can finish) and forgotten;</li>
 *   <li>a jar that cannot be used (not a readable jar, no providers, a provider class missing or failing in its
 *       constructor, {@code name()} or {@code create()}, a name another jar or the class path already provides) is
 *       refused: an error is recorded ({@link #errors()}, {@link Builder#onError}, and logged), the previous version
 *       of that jar keeps running, and the same bytes are not retried until the file changes;</li>
 *   <li>a removed jar's plugins are unloaded.</li>
 * </ul>
 * A created authenticator or authorizer that implements {@link AutoCloseable} is closed when its version is retired,
 * when its jar is refused after it was created, and by {@link #close()}.
 * Classpath providers are loaded once, by {@link Builder#start()}.
 *
 * <h2>Class loader release</h2>
 * The registry keeps no reference to a retired loader, its classes or its instances: errors are recorded as strings,
 * the watcher thread's context class loader is the registry's own, and each jar gets fresh {@link ServiceLoader}s
 * that are dropped after loading. A retired loader is collectable once callers drop the snapshots and instances they
 * read (a {@link io.vstp.transport.auth.Principal} holds JDK types only, so sessions do not pin it).
 *
 * <h2>Inside</h2>
 * This class owns the published snapshot and the lock every scan holds; the work is done by package-private parts:
 * {@link DirectoryWatcher} (the thread), {@link DirectoryPlugins} (what the directory's jars loaded, brought up to
 * date by each scan), with {@link JarDirectory} (listing and private copies), {@link Settling} (waiting for a jar to
 * stop changing), {@link PluginLoader} (checks, class loaders, {@link ServiceLoader}, creating and closing instances),
 * {@link RetiredJars} (the close grace) and {@link RefusalLog} (what {@link #errors()} returns).
 */
public final class PluginRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());

    private final Path directory;
    private final boolean classpath;
    private final ClassLoader classpathLoader;
    private final Duration pollInterval;
    private final List<Consumer<PluginSet>> changeListeners;
    private final RefusalLog refusals;
    private final PluginLoader loader;
    /** Null without a plugin directory. */
    private final DirectoryPlugins jars;
    /** Null without a plugin directory or with {@code watch(false)}. */
    private final DirectoryWatcher watcher;

    private final AtomicReference<PluginSet> current = new AtomicReference<>(PluginSet.EMPTY);
    /** Held by every scan and by {@link #close()}: one scan at a time, and none once closed. */
    private final Object scanLock = new Object();

    // Guarded by scanLock.
    private List<LoadedPlugin> classpathPlugins = List.of();
    private boolean closed;

    private PluginRegistry(Builder b) throws IOException {
        Clock clock = Clock.systemUTC();
        this.directory = b.directory;
        this.classpath = b.classpath;
        this.classpathLoader = b.classLoader != null ? b.classLoader : PluginRegistry.class.getClassLoader();
        this.pollInterval = b.pollInterval;
        this.changeListeners = List.copyOf(b.changeListeners);
        this.refusals = new RefusalLog(b.errorListeners, clock);
        this.loader = new PluginLoader(AuthenticatorProvider.class.getClassLoader(), b.settings, clock);
        this.jars = directory == null
                ? null
                : new DirectoryPlugins(
                        JarDirectory.open(directory), loader, refusals, b.settleTime, b.closeGrace, clock);
        this.watcher = jars == null || !b.watch
                ? null
                : new DirectoryWatcher(directory, pollInterval, this::nextWaitMillis, () -> scan(false));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The current snapshot: one volatile read. */
    public PluginSet current() {
        return current.get();
    }

    /** What is loaded now; see {@link PluginSet#plugins()}. */
    public List<PluginInfo> plugins() {
        return current().plugins();
    }

    /** The created authenticators of the current snapshot. */
    public List<Authenticator> authenticators() {
        return current().authenticators();
    }

    /** The created authorizers of the current snapshot. */
    public List<Authorizer> authorizers() {
        return current().authorizers();
    }

    /** The most recent refusals (at most 100), oldest first. */
    public List<PluginError> errors() {
        return refusals.errors();
    }

    /** The plugin directory, if one was configured. */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /**
     * Looks at the plugin directory now, on the calling thread, and applies what changed (the watcher does this on
     * its own). Jars younger than the settle time are left for a later scan.
     */
    public void rescan() {
        scan(false);
    }

    /** Stops the watcher, unloads every plugin, closes every plugin class loader and deletes the private copies. */
    @Override
    public void close() {
        synchronized (scanLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Outside the lock: a scan under way on the watcher thread needs it to finish, and close() waits for that.
        if (watcher != null) {
            watcher.close();
        }
        synchronized (scanLock) {
            current.set(PluginSet.EMPTY);
            if (jars != null) {
                jars.close();
            }
            PluginLoader.closeInstances(classpathPlugins, classpathLoader);
            classpathPlugins = List.of();
        }
    }

    private PluginRegistry start() {
        synchronized (scanLock) {
            if (classpath) {
                classpathPlugins = loader.loadClasspath(classpathLoader, refusals);
            }
        }
        scan(true);
        if (watcher != null) {
            watcher.start();
        }
        return this;
    }

    private void scan(boolean initial) {
        synchronized (scanLock) {
            if (closed) {
                return;
            }
            if (jars == null) {
                if (initial) {
                    publish();
                }
                return;
            }
            jars.closeDue();
            if (jars.scan(initial, classpathPlugins) || initial) {
                publish();
            }
            jars.closeDue();
        }
    }

    private long nextWaitMillis() {
        synchronized (scanLock) {
            return jars.nextWaitMillis(pollInterval);
        }
    }

    /** Swaps in a snapshot of what is loaded now: classpath plugins first, then the jars by file name. */
    private void publish() {
        List<LoadedPlugin> all = new ArrayList<>(classpathPlugins);
        if (jars != null) {
            jars.jars().forEach(j -> all.addAll(j.plugins));
        }
        List<PluginInfo> infos = new ArrayList<>();
        Map<String, Authenticator> authenticators = new LinkedHashMap<>();
        Map<String, Authorizer> authorizers = new LinkedHashMap<>();
        for (LoadedPlugin p : all) {
            infos.add(p.info());
            if (p.instance() instanceof Authenticator a && p.info().kind() == PluginKind.AUTHENTICATOR) {
                authenticators.put(p.info().name(), a);
            } else if (p.instance() instanceof Authorizer a && p.info().kind() == PluginKind.AUTHORIZER) {
                authorizers.put(p.info().name(), a);
            }
        }
        PluginSet set = new PluginSet(infos, authenticators, authorizers);
        current.set(set);
        for (Consumer<PluginSet> listener : changeListeners) {
            try {
                listener.accept(set);
            } catch (RuntimeException e) {
                LOG.warn("plugin change listener failed: {}", e, e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Configures and {@linkplain #start() starts} a registry. */
    public static final class Builder {
        private Path directory;
        private boolean classpath = true;
        private ClassLoader classLoader;
        private Function<String, Map<String, String>> settings = name -> Map.of();
        private boolean watch = true;
        private Duration pollInterval = Duration.ofSeconds(2);
        private Duration settleTime = Duration.ofMillis(500);
        private Duration closeGrace = Duration.ofSeconds(2);
        private final List<Consumer<PluginError>> errorListeners = new CopyOnWriteArrayList<>();
        private final List<Consumer<PluginSet>> changeListeners = new CopyOnWriteArrayList<>();

        private Builder() {}

        /** The plugin directory whose {@code *.jar} files are loaded; none by default. It need not exist yet. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Whether providers on the class path are loaded too (default true). */
        public Builder classpath(boolean classpath) {
            this.classpath = classpath;
            return this;
        }

        /** Where classpath providers are looked up (default: the loader of this class). */
        public Builder classLoader(ClassLoader classLoader) {
            this.classLoader = classLoader;
            return this;
        }

        /** Each plugin's settings by provider name ({@code auth.plugin.<name>.*}, prefix removed); null: none. */
        public Builder settings(Function<String, Map<String, String>> settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Each plugin's settings by provider name; a plugin not in the map gets none. */
        public Builder settings(Map<String, Map<String, String>> settings) {
            Map<String, Map<String, String>> copy = new HashMap<>();
            settings.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
            Map<String, Map<String, String>> frozen = Collections.unmodifiableMap(copy);
            this.settings = name -> frozen.getOrDefault(name, Map.of());
            return this;
        }

        /** Whether a daemon thread watches the directory (default true); without, only {@link #rescan()} looks. */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** How often the watcher looks at the directory even without a file system event (default 2 s). */
        public Builder pollInterval(Duration pollInterval) {
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * How long a new or changed jar must stay unchanged (size, modification time, inode) before it is loaded, so
         * a jar still being written is not read half-way (default 500 ms; zero: load at once). The initial scan
         * ignores it (the copy is still checked against the file).
         */
        public Builder settleTime(Duration settleTime) {
            if (settleTime.isNegative()) {
                throw new IllegalArgumentException("settleTime must not be negative: " + settleTime);
            }
            this.settleTime = settleTime;
            return this;
        }

        /**
         * How long a replaced or removed jar's class loader stays open after the swap, so calls already running in
         * the old version can still load their classes (default 2 s; zero: closed at once).
         */
        public Builder closeGrace(Duration closeGrace) {
            if (closeGrace.isNegative()) {
                throw new IllegalArgumentException("closeGrace must not be negative: " + closeGrace);
            }
            this.closeGrace = closeGrace;
            return this;
        }

        /** Told about every refused jar or provider, on the scanning thread (also logged and kept in errors()). */
        public Builder onError(Consumer<PluginError> listener) {
            errorListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Told about every new snapshot, on the scanning thread. Must not keep old snapshots. */
        public Builder onChange(Consumer<PluginSet> listener) {
            changeListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Loads the classpath providers and the directory's jars (this thread), then starts the watcher.
         *
         * @throws IOException when the private directory for jar copies cannot be created
         */
        public PluginRegistry start() throws IOException {
            return new PluginRegistry(this).start();
        }
    }
}
