package io.vstp.security.plugin;

import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.security.spi.Authorizer;
import io.vstp.security.spi.AuthorizerProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
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
 * watcher thread (a {@link WatchService} on the directory, and a poll every {@link Builder#pollInterval} in case
 * events are missed) notices new, changed and removed jars:
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
 */
public final class PluginRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());
    private static final String AUTHENTICATOR_SERVICES = "META-INF/services/" + AuthenticatorProvider.class.getName();
    private static final String AUTHORIZER_SERVICES = "META-INF/services/" + AuthorizerProvider.class.getName();
    private static final int MAX_ERRORS = 100;
    private static final String UNVERSIONED = "unversioned";

    private final Path directory;
    private final boolean classpath;
    private final ClassLoader classpathLoader;
    private final ClassLoader spiLoader;
    private final Function<String, Map<String, String>> settings;
    private final boolean watch;
    private final Duration pollInterval;
    private final Duration settleTime;
    private final Duration closeGrace;
    private final List<Consumer<PluginError>> errorListeners;
    private final List<Consumer<PluginSet>> changeListeners;
    private final Clock clock;

    private final AtomicReference<PluginSet> current = new AtomicReference<>(PluginSet.EMPTY);
    private final Deque<PluginError> errors = new ArrayDeque<>();
    private final Object scanLock = new Object();
    private final AtomicLong copySequence = new AtomicLong();

    // Guarded by scanLock.
    private Path workDirectory;
    private List<Entry> classpathEntries = List.of();
    private Map<String, LoadedJar> loaded = new TreeMap<>();
    private final Map<String, Refusal> refused = new HashMap<>();
    private final List<Retiring> retiring = new ArrayList<>();
    private final Map<String, Sighting> sightings = new HashMap<>();
    private boolean pending;
    private boolean closed;

    private volatile Thread watcher;
    private volatile WatchService watchService;

    private PluginRegistry(Builder b) {
        this.directory = b.directory;
        this.classpath = b.classpath;
        this.classpathLoader = b.classLoader != null ? b.classLoader : PluginRegistry.class.getClassLoader();
        this.spiLoader = AuthenticatorProvider.class.getClassLoader();
        this.settings = b.settings;
        this.watch = b.watch && b.directory != null;
        this.pollInterval = b.pollInterval;
        this.settleTime = b.settleTime;
        this.closeGrace = b.closeGrace;
        this.errorListeners = List.copyOf(b.errorListeners);
        this.changeListeners = List.copyOf(b.changeListeners);
        this.clock = Clock.systemUTC();
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
        synchronized (errors) {
            return List.copyOf(errors);
        }
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
        Thread w = watcher;
        WatchService ws = watchService;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                LOG.debug("closing the plugin directory watch service", e);
            }
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (scanLock) {
            current.set(PluginSet.EMPTY);
            for (LoadedJar jar : loaded.values()) {
                jar.close();
            }
            loaded = new TreeMap<>();
            for (Retiring r : retiring) {
                r.jar.close();
            }
            retiring.clear();
            closeInstances(classpathEntries, classpathLoader);
            classpathEntries = List.of();
            refused.clear();
            deleteQuietly(workDirectory);
            watcher = null;
            watchService = null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Start-up

    private PluginRegistry start() throws IOException {
        synchronized (scanLock) {
            if (directory != null) {
                workDirectory = Files.createTempDirectory("vstp-plugins-"); // owner-only on POSIX
            }
            if (classpath) {
                classpathEntries = loadClasspath();
            }
        }
        scan(true);
        if (watch) {
            Thread t = new Thread(this::watchLoop, "vstp-plugin-watcher");
            t.setDaemon(true);
            t.setContextClassLoader(PluginRegistry.class.getClassLoader());
            watcher = t;
            t.start();
        }
        return this;
    }

    private List<Entry> loadClasspath() {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        Instant now = clock.instant();
        loadClasspath(AuthenticatorProvider.class, PluginKind.AUTHENTICATOR, entries, taken, now);
        loadClasspath(AuthorizerProvider.class, PluginKind.AUTHORIZER, entries, taken, now);
        return entries;
    }

    private <S> void loadClasspath(Class<S> spi, PluginKind kind, List<Entry> entries, Map<String, String> taken,
                                   Instant now) {
        Iterator<S> it = ServiceLoader.load(spi, classpathLoader).iterator();
        for (int guard = 0; guard < 10_000; guard++) {
            S provider;
            try {
                if (!it.hasNext()) {
                    return;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                refuse(PluginInfo.CLASSPATH, describe(e), e);
                continue;
            }
            String className = provider.getClass().getName();
            try {
                String name = nameOf(provider, className);
                String key = kind + ":" + name;
                if (taken.containsKey(key)) {
                    throw new Refused(kind + " '" + name + "' (" + className + ") is also provided by "
                            + taken.get(key));
                }
                Object instance = createInstance(provider, name, className, classpathLoader);
                taken.put(key, className + " on the classpath");
                entries.add(new Entry(new PluginInfo(name, kind, PluginInfo.CLASSPATH, classpathVersion(provider),
                        className, now), instance));
            } catch (Refused e) {
                refuse(PluginInfo.CLASSPATH, e.getMessage(), e.getCause());
            }
        }
    }

    private static String classpathVersion(Object provider) {
        Package p = provider.getClass().getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        if (v != null && !v.isBlank()) {
            return v;
        }
        try {
            var source = provider.getClass().getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
                Path path = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(path)) {
                    return "sha256:" + sha256(path).substring(0, 12);
                }
            }
        } catch (Exception | LinkageError e) {
            LOG.debug("no version for classpath provider {}", provider.getClass().getName(), e);
        }
        return UNVERSIONED;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Watching

    private void watchLoop() {
        WatchKey key = null;
        while (!isClosed()) {
            try {
                if (key == null || !key.isValid()) {
                    key = register();
                }
                long waitMillis = nextWaitMillis();
                if (key != null) {
                    WatchKey signalled = watchService.poll(waitMillis, TimeUnit.MILLISECONDS);
                    if (signalled != null) {
                        signalled.pollEvents(); // what changed does not matter: the scan compares with the disk
                        if (!signalled.reset()) {
                            key = null;
                        }
                    }
                } else {
                    Thread.sleep(waitMillis);
                }
                scan(false);
            } catch (ClosedWatchServiceException | InterruptedException e) {
                if (isClosed()) {
                    return;
                }
                key = null;
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("plugin directory watcher: {}", e, e);
                sleepQuietly(pollInterval.toMillis());
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
                synchronized (scanLock) {
                    if (closed) {
                        ws.close();
                        return null;
                    }
                    watchService = ws;
                }
            }
            return directory.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot watch {}, polling every {}", directory, pollInterval, e);
            return null;
        }
    }

    private long nextWaitMillis() {
        synchronized (scanLock) {
            long wait = pending ? Math.max(settleTime.toMillis(), 10) : pollInterval.toMillis();
            long now = clock.millis();
            for (Retiring r : retiring) {
                wait = Math.min(wait, Math.max(1, r.due.toEpochMilli() - now));
            }
            return Math.max(1, wait);
        }
    }

    private boolean isClosed() {
        synchronized (scanLock) {
            return closed;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Scanning

    private void scan(boolean initial) {
        synchronized (scanLock) {
            if (closed) {
                return;
            }
            closeDueLoaders(false);
            if (directory == null) {
                if (initial) {
                    publish(loaded);
                }
                return;
            }
            // A jar refused for a name clash is retried when the other jars change: bounded re-runs, one swap.
            boolean changed = false;
            for (int round = 0; round < 4; round++) {
                ScanResult r = scanOnce(initial);
                changed |= r.changed;
                if (!r.changed || refused.values().stream().noneMatch(Refusal::clash)) {
                    break;
                }
                refused.values().removeIf(Refusal::clash);
            }
            if (changed || initial) {
                publish(loaded);
            }
            closeDueLoaders(false);
        }
    }

    private record ScanResult(boolean changed) {}

    private ScanResult scanOnce(boolean initial) {
        Map<String, Fingerprint> onDisk;
        try {
            onDisk = listJars();
        } catch (IOException e) {
            LOG.warn("cannot list the plugin directory {}: {}", directory, e, e);
            return new ScanResult(false);
        }
        refused.keySet().retainAll(onDisk.keySet());
        pending = false;

        Map<String, LoadedJar> next = new TreeMap<>(loaded);
        List<LoadedJar> retired = new ArrayList<>();
        for (String gone : new ArrayList<>(loaded.keySet())) {
            if (!onDisk.containsKey(gone)) {
                LoadedJar jar = next.remove(gone);
                retired.add(jar);
                LOG.info("plugin jar {} removed: unloading {}", gone, jar.describePlugins());
            }
        }

        // Replacements of loaded jars first, so a new jar that takes over a name a changed jar gives up is not
        // refused because of the version that is about to go.
        List<String> candidates = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        long settleNanos = settleTime.toNanos();
        long now = System.nanoTime();
        sightings.keySet().retainAll(onDisk.keySet());
        for (Map.Entry<String, Fingerprint> e : onDisk.entrySet()) {
            String file = e.getKey();
            Fingerprint fp = e.getValue();
            LoadedJar cur = loaded.get(file);
            if (cur != null && cur.fingerprint.equals(fp)) {
                continue;
            }
            Refusal r = refused.get(file);
            if (r != null && r.fingerprint.equals(fp)) {
                continue;
            }
            if (!initial && settleNanos > 0) {
                // Load only what has stayed the same for the settle time: a jar still being written keeps changing.
                // (Observed here, not from its modification time, so clocks and copied time stamps do not matter.)
                Sighting seen = sightings.get(file);
                if (seen == null || !seen.fingerprint.equals(fp)) {
                    sightings.put(file, new Sighting(fp, now));
                    pending = true;
                    continue;
                }
                if (now - seen.nanos < settleNanos) {
                    pending = true;
                    continue;
                }
            }
            sightings.remove(file);
            (cur != null ? candidates : fresh).add(file);
        }
        candidates.addAll(fresh);

        boolean changed = !retired.isEmpty();
        for (String file : candidates) {
            Fingerprint fp = onDisk.get(file);
            Staged staged;
            try {
                staged = stage(file, fp);
            } catch (IOException e) {
                if (e instanceof NoSuchFileException) {
                    continue; // removed meanwhile: the next scan unloads it
                }
                refusal(file, fp, null, "cannot copy the jar: " + e, e, false);
                continue;
            }
            if (staged == null) {
                pending = true; // changed while being copied
                continue;
            }
            LoadedJar cur = next.get(file);
            if (cur != null && cur.sha256.equals(staged.sha256)) {
                cur.fingerprint = fp; // touched, same bytes
                deleteQuietly(staged.copy);
                continue;
            }
            Refusal previous = refused.get(file);
            if (previous != null && previous.sha256 != null && previous.sha256.equals(staged.sha256)) {
                refused.put(file, new Refusal(fp, previous.sha256, previous.clash));
                deleteQuietly(staged.copy);
                continue;
            }
            try {
                LoadedJar jar = load(file, fp, staged, next);
                LoadedJar old = next.put(file, jar);
                refused.remove(file);
                changed = true;
                if (old != null) {
                    retired.add(old);
                    LOG.info("plugin jar {} replaced: {} -> {}", file, old.describePlugins(), jar.describePlugins());
                } else {
                    LOG.info("plugin jar {} loaded: {}", file, jar.describePlugins());
                }
            } catch (Refused e) {
                deleteQuietly(staged.copy);
                String keeps = cur != null ? " (still running its previous version " + cur.version + ")" : "";
                refusal(file, fp, staged.sha256, e.getMessage() + keeps, e.getCause(), e.clash);
            }
        }
        if (changed) {
            loaded = next;
            Instant due = clock.instant().plus(closeGrace);
            for (LoadedJar jar : retired) {
                retiring.add(new Retiring(jar, due));
            }
        }
        return new ScanResult(changed);
    }

    private void refusal(String file, Fingerprint fp, String sha, String reason, Throwable cause, boolean clash) {
        refused.put(file, new Refusal(fp, sha, clash));
        refuse(file, reason, cause);
    }

    private Map<String, Fingerprint> listJars() throws IOException {
        Map<String, Fingerprint> jars = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path file : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        jars.put(file.getFileName().toString(), Fingerprint.of(a));
                    }
                } catch (NoSuchFileException e) {
                    // removed while listing
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return jars; // no directory: no plugins from it
        }
        return jars;
    }

    /** Copies the jar to the private directory; null when it changed while being copied. */
    private Staged stage(String file, Fingerprint before) throws IOException {
        Path source = directory.resolve(file);
        Path copy = workDirectory.resolve(copySequence.incrementAndGet() + "-" + file);
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        Fingerprint after = Fingerprint.of(Files.readAttributes(source, BasicFileAttributes.class));
        if (!after.equals(before) || Files.size(copy) != before.size) {
            deleteQuietly(copy);
            return null;
        }
        return new Staged(copy, sha256(copy));
    }

    private LoadedJar load(String file, Fingerprint fp, Staged staged, Map<String, LoadedJar> others) throws Refused {
        String version = checkJar(staged);
        Map<String, String> taken = new HashMap<>();
        for (Entry e : classpathEntries) {
            taken.put(e.info.kind() + ":" + e.info.name(), "the classpath (" + e.info.providerClass() + ")");
        }
        for (LoadedJar jar : others.values()) {
            if (!jar.file.equals(file)) {
                for (Entry e : jar.entries) {
                    taken.put(e.info.kind() + ":" + e.info.name(), jar.file);
                }
            }
        }
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader(file, staged.copy.toUri().toURL(), spiLoader);
        } catch (IOException e) {
            throw new Refused("cannot open the jar: " + e, e);
        }
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader); // for plugins whose libraries look up resources through it
        List<Entry> entries = new ArrayList<>();
        try {
            Map<String, Object> providers = new LinkedHashMap<>(); // kind:name -> provider
            instantiate(AuthenticatorProvider.class, PluginKind.AUTHENTICATOR, loader, file, taken, providers);
            instantiate(AuthorizerProvider.class, PluginKind.AUTHORIZER, loader, file, taken, providers);
            if (providers.isEmpty()) {
                throw new Refused("no providers: the jar has no " + AUTHENTICATOR_SERVICES + " or "
                        + AUTHORIZER_SERVICES + " naming a class in it");
            }
            Instant now = clock.instant();
            for (Map.Entry<String, Object> p : providers.entrySet()) {
                PluginKind kind = p.getKey().startsWith(PluginKind.AUTHENTICATOR + ":")
                        ? PluginKind.AUTHENTICATOR : PluginKind.AUTHORIZER;
                String name = p.getKey().substring(kind.toString().length() + 1);
                String className = p.getValue().getClass().getName();
                Object instance = createInstance(p.getValue(), name, className, loader);
                entries.add(new Entry(new PluginInfo(name, kind, file, version, className, now), instance));
            }
            return new LoadedJar(file, fp, staged.sha256, version, loader, staged.copy, entries);
        } catch (Refused e) {
            closeInstances(entries, loader);
            closeQuietly(loader);
            throw e;
        } catch (RuntimeException | ServiceConfigurationError | LinkageError e) { // NoClassDefFoundError, ...
            closeInstances(entries, loader);
            closeQuietly(loader);
            throw new Refused(describe(e), e);
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    private <S> void instantiate(Class<S> spi, PluginKind kind, PluginClassLoader loader, String file,
                                 Map<String, String> taken, Map<String, Object> providers) throws Refused {
        for (ServiceLoader.Provider<S> p : ServiceLoader.load(spi, loader).stream().toList()) {
            Class<? extends S> type = p.type();
            if (type.getClassLoader() != loader) {
                throw new Refused(spi.getSimpleName() + " " + type.getName() + " is not in the jar (the class path "
                        + "already has it; a plugin jar must contain its providers)");
            }
            S provider;
            try {
                provider = p.get();
            } catch (ServiceConfigurationError e) {
                throw new Refused(describe(e), e);
            }
            String name = nameOf(provider, type.getName());
            String key = kind + ":" + name;
            if (providers.containsKey(key)) {
                throw new Refused(kind + " '" + name + "' is provided twice in the jar (" + type.getName() + " and "
                        + providers.get(key).getClass().getName() + ")");
            }
            String holder = taken.get(key);
            if (holder != null) {
                throw new Refused(kind + " '" + name + "' (" + type.getName() + ") clashes with the one from "
                        + holder + "; remove one of them", null, true);
            }
            providers.put(key, provider);
        }
    }

    private static String nameOf(Object provider, String className) throws Refused {
        String name;
        try {
            name = provider instanceof AuthenticatorProvider a ? a.name() : ((AuthorizerProvider) provider).name();
        } catch (RuntimeException | LinkageError e) {
            throw new Refused("provider " + className + " failed in name(): " + describe(e), e);
        }
        if (name == null || name.isBlank() || !name.equals(name.strip())) {
            throw new Refused("provider " + className + " has an unusable name: "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    private Object createInstance(Object provider, String name, String className, ClassLoader loader)
            throws Refused {
        Map<String, String> pluginSettings = settings.apply(name);
        pluginSettings = pluginSettings == null ? Map.of() : Map.copyOf(pluginSettings);
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        Object instance;
        try {
            instance = provider instanceof AuthenticatorProvider a
                    ? a.create(pluginSettings) : ((AuthorizerProvider) provider).create(pluginSettings);
        } catch (Exception | LinkageError e) {
            throw new Refused("provider '" + name + "' (" + className + ") refused its settings: " + describe(e), e);
        } finally {
            thread.setContextClassLoader(context);
        }
        if (instance == null) {
            throw new Refused("provider '" + name + "' (" + className + ") created null");
        }
        return instance;
    }

    /** Checks that every entry of the jar reads (CRCs included); returns its version. */
    private static String checkJar(Staged staged) throws Refused {
        try (JarFile jar = new JarFile(staged.copy.toFile(), true)) {
            byte[] buffer = new byte[8192];
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                try (InputStream in = jar.getInputStream(entry)) {
                    while (in.read(buffer) >= 0) {
                        // read to the end: a truncated or corrupt entry throws
                    }
                }
            }
            Manifest manifest = jar.getManifest();
            String version = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return version != null && !version.isBlank() ? version.strip()
                    : "sha256:" + staged.sha256.substring(0, 12);
        } catch (IOException | SecurityException | IllegalStateException e) {
            throw new Refused("not a readable jar: " + describe(e), e);
        }
    }

    private void publish(Map<String, LoadedJar> jars) {
        List<PluginInfo> infos = new ArrayList<>();
        Map<String, Authenticator> authenticators = new LinkedHashMap<>();
        Map<String, Authorizer> authorizers = new LinkedHashMap<>();
        List<Entry> all = new ArrayList<>(classpathEntries);
        jars.values().forEach(j -> all.addAll(j.entries));
        for (Entry e : all) {
            infos.add(e.info);
            if (e.instance instanceof Authenticator a && e.info.kind() == PluginKind.AUTHENTICATOR) {
                authenticators.put(e.info.name(), a);
            } else if (e.instance instanceof Authorizer a && e.info.kind() == PluginKind.AUTHORIZER) {
                authorizers.put(e.info.name(), a);
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

    /** Closes retired loaders whose grace period is over (all of them when {@code all}). Holds scanLock. */
    private void closeDueLoaders(boolean all) {
        Instant now = clock.instant();
        for (Iterator<Retiring> it = retiring.iterator(); it.hasNext(); ) {
            Retiring r = it.next();
            if (all || !r.due.isAfter(now)) {
                it.remove();
                r.jar.close();
            }
        }
    }

    private void refuse(String source, String reason, Throwable cause) {
        PluginError error = new PluginError(source, reason, clock.instant());
        synchronized (errors) {
            errors.addLast(error);
            while (errors.size() > MAX_ERRORS) {
                errors.removeFirst();
            }
        }
        LOG.error("plugin refused: {}", error.message(), cause);
        for (Consumer<PluginError> listener : errorListeners) {
            try {
                listener.accept(error);
            } catch (RuntimeException e) {
                LOG.warn("plugin error listener failed: {}", e, e);
            }
        }
    }

    /** The message chain of a failure, class names included: {@code ServiceConfigurationError: ...: caused by ...}. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable cur = t;
        for (int depth = 0; cur != null && depth < 5; depth++) {
            if (depth > 0) {
                sb.append("; caused by ");
            }
            sb.append(cur.getClass().getSimpleName());
            if (cur.getMessage() != null) {
                sb.append(": ").append(cur.getMessage());
            }
            if (cur.getCause() == cur) {
                break;
            }
            cur = cur.getCause();
        }
        return sb.toString();
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Closes the created authenticators and authorizers that are {@link AutoCloseable} (their threads, connections),
     * with the plugin's loader as context class loader; a failure is logged and does not stop the unloading.
     */
    private static void closeInstances(List<Entry> entries, ClassLoader loader) {
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            for (Entry e : entries) {
                if (e.instance instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception | LinkageError failure) {
                        LOG.warn("closing {} failed: {}", e.info, describe(failure), failure);
                    }
                }
            }
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("closing a plugin class loader", e);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                    for (Path child : children) {
                        deleteQuietly(child);
                    }
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", path, e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // State

    private record Fingerprint(long size, FileTime modified, Object fileKey) {
        static Fingerprint of(BasicFileAttributes a) {
            return new Fingerprint(a.size(), a.lastModifiedTime(), a.fileKey());
        }
    }

    private record Staged(Path copy, String sha256) {}

    /** When a new or changed jar was first seen with this fingerprint ({@link System#nanoTime()}). */
    private record Sighting(Fingerprint fingerprint, long nanos) {}

    /** A jar refused with these bytes: not retried until the file changes (or, for a clash, the other jars do). */
    private record Refusal(Fingerprint fingerprint, String sha256, boolean clash) {}

    private record Entry(PluginInfo info, Object instance) {}

    private record Retiring(LoadedJar jar, Instant due) {}

    private static final class LoadedJar {
        final String file;
        Fingerprint fingerprint;
        final String sha256;
        final String version;
        final PluginClassLoader loader;
        final Path copy;
        final List<Entry> entries;

        LoadedJar(String file, Fingerprint fingerprint, String sha256, String version, PluginClassLoader loader,
                  Path copy, List<Entry> entries) {
            this.file = file;
            this.fingerprint = fingerprint;
            this.sha256 = sha256;
            this.version = version;
            this.loader = loader;
            this.copy = copy;
            this.entries = List.copyOf(entries);
        }

        String describePlugins() {
            List<String> names = new ArrayList<>();
            entries.forEach(e -> names.add(e.info.kind() + " '" + e.info.name() + "' " + e.info.version()));
            return String.join(", ", names);
        }

        void close() {
            closeInstances(entries, loader);
            closeQuietly(loader);
            deleteQuietly(copy);
        }
    }

    /** Refusal of a jar or provider, with the reason a person can act on. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean clash;

        Refused(String message) {
            this(message, null, false);
        }

        Refused(String message, Throwable cause) {
            this(message, cause, false);
        }

        Refused(String message, Throwable cause, boolean clash) {
            super(message, cause, false, false);
            this.clash = clash;
        }
    }

    /**
     * A plugin jar's loader. {@code META-INF/services} lookups see only the jar itself, never the parent's files, so
     * {@link ServiceLoader} finds exactly the jar's providers (and a broken classpath service file cannot refuse
     * every jar).
     */
    private static final class PluginClassLoader extends URLClassLoader {
        static {
            ClassLoader.registerAsParallelCapable();
        }

        PluginClassLoader(String file, URL jar, ClassLoader parent) {
            super("vstp-plugin:" + file, new URL[] {jar}, parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (name.startsWith("META-INF/services/")) {
                return findResources(name);
            }
            return super.getResources(name);
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

        private Builder() {
        }

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
