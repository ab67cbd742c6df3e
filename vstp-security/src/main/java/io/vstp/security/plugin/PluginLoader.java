package io.vstp.security.plugin;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import io.vstp.security.plugin.JarDirectory.Staged;
import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.security.spi.AuthorizerProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns providers into created plugins: checks a staged jar, opens it in a {@link PluginClassLoader} of its own,
 * finds its providers with {@link ServiceLoader}, and creates each one's authenticator or authorizer with its
 * settings; the same for the providers on the class path. It also closes what it created.
 *
 * <p>A jar is all or nothing: the first provider that cannot be used refuses the whole jar, the instances already
 * created are closed and the loader is closed, so nothing of a refused jar stays reachable. Each load uses fresh
 * {@link ServiceLoader}s that are dropped afterwards, so none keeps a loader alive.
 */
final class PluginLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());
    private static final String AUTHENTICATOR_SERVICES = "META-INF/services/" + AuthenticatorProvider.class.getName();
    private static final String AUTHORIZER_SERVICES = "META-INF/services/" + AuthorizerProvider.class.getName();
    private static final String UNVERSIONED = "unversioned";

    private final ClassLoader spiLoader;
    private final Function<String, Map<String, String>> settings;
    private final Clock clock;

    /**
     * @param spiLoader the parent of every jar's loader: the one that has the SPI, so plugin and server agree on it
     * @param settings  each plugin's settings by provider name; null: none
     */
    PluginLoader(ClassLoader spiLoader, Function<String, Map<String, String>> settings, Clock clock) {
        this.spiLoader = spiLoader;
        this.settings = settings;
        this.clock = clock;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The class path

    /**
     * The providers {@code classpathLoader} finds, created. Unlike a jar, each provider stands alone: one that cannot
     * be used is refused to {@code refusals} and the others are still loaded.
     */
    List<LoadedPlugin> loadClasspath(ClassLoader classpathLoader, RefusalLog refusals) {
        List<LoadedPlugin> plugins = new ArrayList<>();
        Map<String, String> taken = new HashMap<>();
        Instant now = clock.instant();
        loadClasspath(
                AuthenticatorProvider.class, PluginKind.AUTHENTICATOR, classpathLoader, refusals, plugins, taken, now);
        loadClasspath(AuthorizerProvider.class, PluginKind.AUTHORIZER, classpathLoader, refusals, plugins, taken, now);
        return plugins;
    }

    private <S> void loadClasspath(
            Class<S> spi,
            PluginKind kind,
            ClassLoader classpathLoader,
            RefusalLog refusals,
            List<LoadedPlugin> plugins,
            Map<String, String> taken,
            Instant now) {
        Iterator<S> it = ServiceLoader.load(spi, classpathLoader).iterator();
        // A provider that fails to load is skipped and the iterator moves on; the guard stops a broken iterator
        // that keeps failing at the same place.
        for (int guard = 0; guard < 10_000; guard++) {
            S provider;
            try {
                if (!it.hasNext()) {
                    return;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                refusals.refuse(PluginInfo.CLASSPATH, PluginRefused.describe(e), e);
                continue;
            }
            String className = provider.getClass().getName();
            try {
                String name = nameOf(provider, className);
                String key = kind + ":" + name;
                if (taken.containsKey(key)) {
                    throw new PluginRefused(
                            kind + " '" + name + "' (" + className + ") is also provided by " + taken.get(key));
                }
                Object instance = createInstance(provider, name, className, classpathLoader);
                taken.put(key, className + " on the classpath");
                plugins.add(new LoadedPlugin(
                        new PluginInfo(name, kind, PluginInfo.CLASSPATH, classpathVersion(provider), className, now),
                        instance));
            } catch (PluginRefused e) {
                refusals.refuse(PluginInfo.CLASSPATH, e.getMessage(), e.getCause());
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
            if (source != null
                    && source.getLocation() != null
                    && "file".equals(source.getLocation().getProtocol())) {
                Path path = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(path)) {
                    return "sha256:" + JarDirectory.sha256(path).substring(0, 12);
                }
            }
        } catch (Exception | LinkageError e) {
            LOG.debug(
                    "no version for classpath provider {}", provider.getClass().getName(), e);
        }
        return UNVERSIONED;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Jars

    /**
     * Loads the staged copy of {@code file}: every provider in it instantiated and created, or none.
     *
     * @param taken names other jars and the class path already provide ({@code kind:name}) and who provides them
     * @throws PluginRefused with the reason; {@link PluginRefused#clash()} when only a name in {@code taken} stood
     *                       in the way
     */
    LoadedJar load(String file, Fingerprint fingerprint, Staged staged, Map<String, String> taken)
            throws PluginRefused {
        String version = checkJar(staged);
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader(file, staged.copy().toUri().toURL(), spiLoader);
        } catch (IOException e) {
            throw new PluginRefused("cannot open the jar: " + e, e);
        }
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader); // for plugins whose libraries look up resources through it
        List<LoadedPlugin> plugins = new ArrayList<>();
        try {
            Map<String, Object> providers = new LinkedHashMap<>(); // kind:name -> provider
            instantiate(AuthenticatorProvider.class, PluginKind.AUTHENTICATOR, loader, taken, providers);
            instantiate(AuthorizerProvider.class, PluginKind.AUTHORIZER, loader, taken, providers);
            if (providers.isEmpty()) {
                throw new PluginRefused("no providers: the jar has no " + AUTHENTICATOR_SERVICES + " or "
                        + AUTHORIZER_SERVICES + " naming a class in it");
            }
            Instant now = clock.instant();
            for (Map.Entry<String, Object> p : providers.entrySet()) {
                PluginKind kind = p.getKey().startsWith(PluginKind.AUTHENTICATOR + ":")
                        ? PluginKind.AUTHENTICATOR
                        : PluginKind.AUTHORIZER;
                String name = p.getKey().substring(kind.toString().length() + 1);
                String className = p.getValue().getClass().getName();
                Object instance = createInstance(p.getValue(), name, className, loader);
                plugins.add(new LoadedPlugin(new PluginInfo(name, kind, file, version, className, now), instance));
            }
            return new LoadedJar(file, fingerprint, staged.sha256(), version, loader, staged.copy(), plugins);
        } catch (PluginRefused e) {
            closeInstances(plugins, loader);
            LoadedJar.closeQuietly(loader);
            throw e;
        } catch (RuntimeException | ServiceConfigurationError | LinkageError e) { // NoClassDefFoundError, ...
            closeInstances(plugins, loader);
            LoadedJar.closeQuietly(loader);
            throw new PluginRefused(PluginRefused.describe(e), e);
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    private <S> void instantiate(
            Class<S> spi,
            PluginKind kind,
            PluginClassLoader loader,
            Map<String, String> taken,
            Map<String, Object> providers)
            throws PluginRefused {
        for (ServiceLoader.Provider<S> p :
                ServiceLoader.load(spi, loader).stream().toList()) {
            Class<? extends S> type = p.type();
            if (type.getClassLoader() != loader) {
                throw new PluginRefused(spi.getSimpleName() + " " + type.getName() + " is not in the jar (the class "
                        + "path already has it; a plugin jar must contain its providers)");
            }
            S provider;
            try {
                provider = p.get();
            } catch (ServiceConfigurationError e) {
                throw new PluginRefused(PluginRefused.describe(e), e);
            }
            String name = nameOf(provider, type.getName());
            String key = kind + ":" + name;
            if (providers.containsKey(key)) {
                throw new PluginRefused(kind + " '" + name + "' is provided twice in the jar (" + type.getName()
                        + " and " + providers.get(key).getClass().getName() + ")");
            }
            String holder = taken.get(key);
            if (holder != null) {
                throw new PluginRefused(
                        kind + " '" + name + "' (" + type.getName() + ") clashes with the one from " + holder
                                + "; remove one of them",
                        null,
                        true);
            }
            providers.put(key, provider);
        }
    }

    /** Checks that every entry of the jar reads (CRCs included); returns its version. */
    private static String checkJar(Staged staged) throws PluginRefused {
        try (JarFile jar = new JarFile(staged.copy().toFile(), true)) {
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
            String version = manifest == null
                    ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return version != null && !version.isBlank()
                    ? version.strip()
                    : "sha256:" + staged.sha256().substring(0, 12);
        } catch (IOException | SecurityException | IllegalStateException e) {
            throw new PluginRefused("not a readable jar: " + PluginRefused.describe(e), e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Providers

    private static String nameOf(Object provider, String className) throws PluginRefused {
        String name;
        try {
            name = provider instanceof AuthenticatorProvider a ? a.name() : ((AuthorizerProvider) provider).name();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginRefused("provider " + className + " failed in name(): " + PluginRefused.describe(e), e);
        }
        if (name == null || name.isBlank() || !name.equals(name.strip())) {
            throw new PluginRefused(
                    "provider " + className + " has an unusable name: " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    private Object createInstance(Object provider, String name, String className, ClassLoader loader)
            throws PluginRefused {
        Map<String, String> pluginSettings = settings.apply(name);
        pluginSettings = pluginSettings == null ? Map.of() : Map.copyOf(pluginSettings);
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        Object instance;
        try {
            instance = provider instanceof AuthenticatorProvider a
                    ? a.create(pluginSettings)
                    : ((AuthorizerProvider) provider).create(pluginSettings);
        } catch (Exception | LinkageError e) {
            throw new PluginRefused(
                    "provider '" + name + "' (" + className + ") refused its settings: " + PluginRefused.describe(e),
                    e);
        } finally {
            thread.setContextClassLoader(context);
        }
        if (instance == null) {
            throw new PluginRefused("provider '" + name + "' (" + className + ") created null");
        }
        return instance;
    }

    /**
     * Closes the created authenticators and authorizers that are {@link AutoCloseable} (their threads, connections),
     * with the plugin's loader as context class loader; a failure is logged and does not stop the unloading.
     */
    static void closeInstances(List<LoadedPlugin> plugins, ClassLoader loader) {
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            for (LoadedPlugin p : plugins) {
                if (p.instance() instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception | LinkageError failure) {
                        LOG.warn("closing {} failed: {}", p.info(), PluginRefused.describe(failure), failure);
                    }
                }
            }
        } finally {
            thread.setContextClassLoader(context);
        }
    }
}
