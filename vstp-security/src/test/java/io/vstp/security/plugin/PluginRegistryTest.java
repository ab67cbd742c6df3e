package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.security.spi.Authorizer;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plugin registry with real jars, real class loaders and a real directory. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PluginRegistryTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** A registry that only looks when told ({@link PluginRegistry#rescan()}) and loads at once. */
    private PluginRegistry.Builder manual() {
        return PluginRegistry.builder()
                .directory(dir)
                .watch(false)
                .settleTime(Duration.ZERO)
                .closeGrace(Duration.ZERO);
    }

    /** A registry whose watcher reacts quickly. */
    private PluginRegistry.Builder watched() {
        return PluginRegistry.builder()
                .directory(dir)
                .pollInterval(Duration.ofMillis(200))
                .settleTime(Duration.ofMillis(100))
                .closeGrace(Duration.ZERO);
    }

    private static Credentials token(String token) {
        return new Credentials(token, List.of(), new InetSocketAddress("127.0.0.1", 4433), "s-1");
    }

    private static Optional<Principal> authenticate(PluginRegistry registry, String name, String token) {
        Authenticator a = registry.current().authenticator(name).orElseThrow();
        return a.authenticate(token(token)).toCompletableFuture().join();
    }

    /** The {@code version} claim the named plugin's authenticator puts in principals now; empty if not loaded. */
    private static Optional<Object> servedVersion(PluginRegistry registry, String name) {
        return registry.current()
                .authenticator(name)
                .map(a -> a.authenticate(token("user:probe"))
                        .toCompletableFuture()
                        .join()
                        .orElseThrow()
                        .claims()
                        .get("version"));
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Discovery

    @Test
    void listsClasspathAndDirectoryPluginsWithVersionsAndCreatesThemWithTheirSettings() throws Exception {
        PluginJars.plugin("acme", "1.4.2").writeTo(dir.resolve("acme.jar"));
        Path plain = PluginJars.plugin("plain", "0").implementationVersion(null).writeTo(dir.resolve("plain.jar"));
        Instant before = Instant.now();
        try (PluginRegistry registry = manual().settings(Map.of(
                        "acme",
                        Map.of("greeting", "hello"),
                        ClasspathTestProvider.NAME,
                        Map.of("subject", "from-settings")))
                .start()) {
            List<PluginInfo> plugins = registry.plugins();
            assertThat(plugins)
                    .extracting(PluginInfo::name, PluginInfo::kind, PluginInfo::source)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    ClasspathTestProvider.NAME, PluginKind.AUTHENTICATOR, PluginInfo.CLASSPATH),
                            org.assertj.core.groups.Tuple.tuple("acme", PluginKind.AUTHENTICATOR, "acme.jar"),
                            org.assertj.core.groups.Tuple.tuple("acme", PluginKind.AUTHORIZER, "acme.jar"),
                            org.assertj.core.groups.Tuple.tuple("plain", PluginKind.AUTHENTICATOR, "plain.jar"),
                            org.assertj.core.groups.Tuple.tuple("plain", PluginKind.AUTHORIZER, "plain.jar"));
            assertThat(plugins.get(0).fromClasspath()).isTrue();
            assertThat(plugins.get(0).version()).isEqualTo("unversioned"); // target/test-classes: no manifest
            assertThat(plugins.get(1).version()).isEqualTo("1.4.2");
            assertThat(plugins.get(1).providerClass()).isEqualTo("testplugin.Plugin_acme");
            assertThat(plugins.get(3).version())
                    .isEqualTo("sha256:" + JarDirectory.sha256(plain).substring(0, 12));
            assertThat(plugins).allSatisfy(p -> assertThat(p.loadedAt()).isAfterOrEqualTo(before.minusSeconds(1)));

            assertThat(registry.authenticators()).hasSize(3);
            assertThat(registry.authorizers()).hasSize(2);
            assertThat(registry.errors()).isEmpty();

            Principal p = authenticate(registry, "acme", "user:alice").orElseThrow();
            assertThat(p.subject()).isEqualTo("alice");
            assertThat(p.method()).isEqualTo("acme");
            assertThat(p.claims()).containsEntry("version", "1.4.2").containsEntry("greeting", "hello");
            assertThat(authenticate(registry, "acme", "something else")).isEmpty();
            assertThat(authenticate(registry, "plain", "user:bob").orElseThrow().claims())
                    .doesNotContainKey("greeting");
            assertThat(authenticate(registry, ClasspathTestProvider.NAME, "cp")
                            .orElseThrow()
                            .subject())
                    .isEqualTo("from-settings");

            Authorizer authorizer = registry.current().authorizer("acme").orElseThrow();
            assertThat(authorizer.vote(p, new Action("echo", "", ""))).isEqualTo(Authorizer.Vote.ALLOW);
            assertThat(authorizer.vote(p, new Action("files", "get", "/x"))).isEqualTo(Authorizer.Vote.ABSTAIN);

            // Each jar has a class loader of its own whose parent has the SPI.
            ClassLoader acmeLoader = registry.current()
                    .authenticator("acme")
                    .orElseThrow()
                    .getClass()
                    .getClassLoader();
            ClassLoader plainLoader = registry.current()
                    .authenticator("plain")
                    .orElseThrow()
                    .getClass()
                    .getClassLoader();
            assertThat(acmeLoader)
                    .isNotSameAs(plainLoader)
                    .isNotSameAs(getClass().getClassLoader());
            assertThat(acmeLoader.getParent()).isSameAs(AuthenticatorProvider.class.getClassLoader());
        }
    }

    @Test
    void settingsFunctionAndClasspathOnly() throws Exception {
        try (PluginRegistry registry = PluginRegistry.builder()
                .settings(name -> name.equals(ClasspathTestProvider.NAME) ? Map.of("subject", "fn") : null)
                .start()) {
            assertThat(registry.directory()).isEmpty();
            assertThat(registry.plugins()).extracting(PluginInfo::name).containsExactly(ClasspathTestProvider.NAME);
            assertThat(authenticate(registry, ClasspathTestProvider.NAME, "cp")
                            .orElseThrow()
                            .subject())
                    .isEqualTo("fn");
        }
        try (PluginRegistry registry = manual().classpath(false).start()) {
            assertThat(registry.plugins()).isEmpty();
        }
    }

    @Test
    void missingDirectoryIsEmptyUntilItAppears() throws Exception {
        Path later = dir.resolve("later");
        try (PluginRegistry registry = PluginRegistry.builder()
                .directory(later)
                .classpath(false)
                .pollInterval(Duration.ofMillis(100))
                .settleTime(Duration.ofMillis(50))
                .start()) {
            assertThat(registry.plugins()).isEmpty();
            Files.createDirectory(later);
            PluginJars.plugin("acme", "1").writeTo(later.resolve("acme.jar"));
            await(
                    "the jar in the new directory is loaded",
                    () -> servedVersion(registry, "acme").isPresent());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hot reload

    @Test
    void newJarVersionReplacesTheOldWithoutRestartAndEarlierPrincipalsStayIntact() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        List<PluginSet> swaps = new CopyOnWriteArrayList<>();
        try (PluginRegistry registry = watched().onChange(swaps::add).start()) {
            Principal fromV1 = authenticate(registry, "acme", "user:alice").orElseThrow();
            assertThat(fromV1.claims()).containsEntry("version", "1");
            swaps.clear();

            PluginJars.plugin("acme", "2").writeTo(dir.resolve("acme.jar"));
            await("v2 is served", () -> servedVersion(registry, "acme").equals(Optional.of("2")));

            assertThat(registry.current()
                            .info(PluginKind.AUTHENTICATOR, "acme")
                            .orElseThrow()
                            .version())
                    .isEqualTo("2");
            assertThat(registry.current()
                            .info(PluginKind.AUTHORIZER, "acme")
                            .orElseThrow()
                            .version())
                    .isEqualTo("2");
            assertThat(swaps).hasSize(1); // one atomic swap, both kinds at once
            assertThat(registry.errors()).isEmpty();

            // A session that authenticated with v1 keeps its principal: JDK data only, no plugin classes.
            assertThat(fromV1.subject()).isEqualTo("alice");
            assertThat(fromV1.roles()).containsExactly("user");
            assertThat(fromV1.method()).isEqualTo("acme");
            assertThat(fromV1.claims()).containsExactly(Map.entry("version", "1"));
            assertThat(fromV1.claims().getClass().getClassLoader()).isNull(); // a JDK collection
            assertThat(fromV1.toString()).contains("alice");
            assertThat(authenticate(registry, "acme", "user:alice").orElseThrow())
                    .isNotEqualTo(fromV1);
        }
    }

    @Test
    void touchingAJarWithoutChangingItsBytesDoesNotReload() throws Exception {
        Path jar = PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        List<PluginSet> swaps = new CopyOnWriteArrayList<>();
        try (PluginRegistry registry = manual().onChange(swaps::add).start()) {
            Authenticator before = registry.current().authenticator("acme").orElseThrow();
            swaps.clear();
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
            registry.rescan();
            assertThat(swaps).isEmpty();
            assertThat(registry.current().authenticator("acme").orElseThrow()).isSameAs(before);
        }
    }

    @Test
    void removingAJarUnloadsItsPlugins() throws Exception {
        Path jar = PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        PluginJars.plugin("other", "1").writeTo(dir.resolve("other.jar"));
        try (PluginRegistry registry = watched().classpath(false).start()) {
            assertThat(registry.plugins())
                    .extracting(PluginInfo::name)
                    .containsExactly("acme", "acme", "other", "other");
            Files.delete(jar);
            await(
                    "acme is unloaded",
                    () -> registry.current().authenticator("acme").isEmpty());
            assertThat(registry.current().authorizer("acme")).isEmpty();
            assertThat(registry.plugins()).extracting(PluginInfo::name).containsExactly("other", "other");
            assertThat(servedVersion(registry, "other")).contains("1");
            assertThat(registry.errors()).isEmpty();
        }
    }

    @Test
    void aJarStillBeingWrittenWaitsUntilItHasSettled() throws Exception {
        byte[] bytes = PluginJars.plugin("acme", "1").build();
        Duration settle = Duration.ofMillis(300);
        try (PluginRegistry registry =
                manual().classpath(false).settleTime(settle).start()) {
            Path jar = dir.resolve("acme.jar");
            Files.write(jar, Arrays.copyOf(bytes, bytes.length / 2)); // a writer half-way
            registry.rescan();
            assertThat(registry.plugins()).isEmpty();
            assertThat(registry.errors()).isEmpty(); // not refused: looked at again later

            Files.write(jar, bytes); // finished: it changed, so the settle time starts again
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(3600))); // clocks do not matter
            registry.rescan();
            assertThat(registry.plugins()).isEmpty();
            registry.rescan(); // unchanged since the last look, but not for the settle time yet
            assertThat(registry.plugins()).isEmpty();

            Thread.sleep(settle.toMillis() + 100); // unchanged for longer than the settle time: only time shows it
            registry.rescan();
            assertThat(servedVersion(registry, "acme")).contains("1");
            assertThat(registry.errors()).isEmpty();
        }
    }

    @Test
    void theOldClassLoaderIsCollectedAfterAReloadAndAfterARemoval() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        try (PluginRegistry registry = manual().start()) {
            WeakReference<ClassLoader> v1 = loaderOf(registry, "acme");
            Principal fromV1 = authenticate(registry, "acme", "user:alice").orElseThrow();

            PluginJars.plugin("acme", "2").writeTo(dir.resolve("acme.jar"));
            registry.rescan();
            assertThat(servedVersion(registry, "acme")).contains("2");
            assertCollected(v1, "v1's class loader after v2 replaced it");
            assertThat(fromV1.claims()).containsEntry("version", "1"); // still usable while v1 is gone

            WeakReference<ClassLoader> v2 = loaderOf(registry, "acme");
            Files.delete(dir.resolve("acme.jar"));
            registry.rescan();
            assertThat(registry.current().authenticator("acme")).isEmpty();
            assertCollected(v2, "v2's class loader after its jar was removed");
        }
    }

    @Test
    void aReplacedJarsClassLoaderStaysOpenForTheGraceTimeThenCloses() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        try (PluginRegistry registry =
                watched().closeGrace(Duration.ofSeconds(1)).start()) {
            ClassLoader v1 = registry.current()
                    .authenticator("acme")
                    .orElseThrow()
                    .getClass()
                    .getClassLoader();
            String classFile = "testplugin/Plugin_acme.class";
            assertThat(v1.getResource(classFile)).isNotNull();

            PluginJars.plugin("acme", "2").writeTo(dir.resolve("acme.jar"));
            await("v2 is served", () -> servedVersion(registry, "acme").equals(Optional.of("2")));
            assertThat(v1.getResource(classFile))
                    .as("open during the grace time")
                    .isNotNull();
            await("v1's loader is closed", () -> v1.getResource(classFile) == null);
        }
    }

    /** A plugin whose authenticator is AutoCloseable and reports its closing to {@link PluginProbe#events}. */
    private static PluginJars.Jar closeablePlugin(String version, boolean authorizerFails) {
        String source = """
                package testplugin;

                import io.vstp.security.plugin.PluginProbe;
                import io.vstp.security.spi.*;
                import io.vstp.transport.auth.*;
                import java.util.*;
                import java.util.concurrent.*;

                public final class Closeable implements AuthenticatorProvider {
                    public String name() { return "closeable"; }

                    public Authenticator create(Map<String, String> settings) {
                        return new Auth();
                    }

                    static final class Auth implements Authenticator, AutoCloseable {
                        public CompletionStage<Optional<Principal>> authenticate(Credentials c) {
                            return CompletableFuture.completedFuture(Optional.empty());
                        }

                        public void close() {
                            PluginProbe.events.add("closed closeable %VERSION%");
                        }
                    }

                    public static final class Authz implements AuthorizerProvider {
                        public String name() { return "closeable"; }

                        public Authorizer create(Map<String, String> settings) {
                            if (%FAIL%) throw new IllegalStateException("authorizer settings");
                            return (p, a) -> Authorizer.Vote.ABSTAIN;
                        }
                    }
                }
                """.replace("%VERSION%", version).replace("%FAIL%", Boolean.toString(authorizerFails));
        return PluginJars.jar()
                .implementationVersion(version)
                .source("testplugin.Closeable", source)
                .service(AuthenticatorProvider.class, "testplugin.Closeable")
                .service(io.vstp.security.spi.AuthorizerProvider.class, "testplugin.Closeable$Authz");
    }

    @Test
    void closeableInstancesAreClosedWhenReplacedRefusedRemovedOrTheRegistryCloses() throws Exception {
        PluginProbe.events.clear();
        Path jar = closeablePlugin("1", false).writeTo(dir.resolve("closeable.jar"));
        try (PluginRegistry registry = manual().classpath(false).start()) {
            assertThat(PluginProbe.events).isEmpty();
            closeablePlugin("2", false).writeTo(jar);
            registry.rescan();
            assertThat(PluginProbe.events).containsExactly("closed closeable 1");

            closeablePlugin("3", true).writeTo(jar); // its authenticator is created, then its authorizer fails
            registry.rescan();
            assertThat(registry.errors())
                    .singleElement()
                    .satisfies(e -> assertThat(e.reason())
                            .contains("provider 'closeable' (testplugin.Closeable$Authz) refused its settings"));
            assertThat(PluginProbe.events).containsExactly("closed closeable 1", "closed closeable 3");
            assertThat(registry.current()
                            .info(PluginKind.AUTHENTICATOR, "closeable")
                            .orElseThrow()
                            .version())
                    .isEqualTo("2");
        }
        assertThat(PluginProbe.events)
                .containsExactly("closed closeable 1", "closed closeable 3", "closed closeable 2");
        PluginProbe.events.clear();
    }

    @Test
    void readersAlwaysSeeOneConsistentVersionAndNoGapDuringReloads() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        try (PluginRegistry registry =
                manual().closeGrace(Duration.ofSeconds(5)).start()) {
            java.util.concurrent.atomic.AtomicReference<String> problem =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            Thread reader = new Thread(
                    () -> {
                        while (!stop.get()) {
                            PluginSet set = registry.current();
                            Optional<PluginInfo> authn = set.info(PluginKind.AUTHENTICATOR, "acme");
                            Optional<PluginInfo> authz = set.info(PluginKind.AUTHORIZER, "acme");
                            if (authn.isEmpty()
                                    || authz.isEmpty()
                                    || set.authenticator("acme").isEmpty()) {
                                problem.compareAndSet(null, "acme missing from " + set);
                            } else if (!authn.get().version().equals(authz.get().version())) {
                                problem.compareAndSet(null, "mixed versions in " + set);
                            }
                            reads.incrementAndGet();
                        }
                    },
                    "plugin-reader");
            reader.start();
            for (int v = 2; v <= 4; v++) {
                PluginJars.plugin("acme", Integer.toString(v)).writeTo(dir.resolve("acme.jar"));
                registry.rescan();
                assertThat(servedVersion(registry, "acme")).contains(Integer.toString(v));
            }
            stop.set(true);
            reader.join(5_000);
            assertThat(problem.get()).isNull();
            assertThat(reads.get()).isPositive();
        }
    }

    @Test
    void aRefusedJarsClassLoaderIsCollected() throws Exception {
        List<WeakReference<ClassLoader>> loaders = new CopyOnWriteArrayList<>();
        // The constructor records its own class loader (weakly) before it throws.
        String record = "io.vstp.security.plugin.PluginProbe.loaders.add("
                + "new java.lang.ref.WeakReference<>(getClass().getClassLoader()));";
        PluginProbe.loaders = loaders;
        try {
            PluginJars.plugin("acme", "3", record, "if (true) throw new IllegalStateException(\"no\");")
                    .writeTo(dir.resolve("acme.jar"));
            try (PluginRegistry registry = manual().start()) {
                assertThat(registry.errors()).hasSize(1);
                assertThat(loaders).hasSize(1);
                assertCollected(loaders.get(0), "the refused jar's class loader");
            }
        } finally {
            PluginProbe.loaders = null;
        }
    }

    /** A weak reference to the loader of the named plugin's authenticator; no strong reference survives the call. */
    private static WeakReference<ClassLoader> loaderOf(PluginRegistry registry, String name) {
        return new WeakReference<>(
                registry.current().authenticator(name).orElseThrow().getClass().getClassLoader());
    }

    private static void assertCollected(WeakReference<?> ref, String what) {
        Awaitility.await("collected: " + what)
                .atMost(BOUND)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    System.gc();
                    return ref.get() == null;
                });
    }

    // ------------------------------------------------------------------------------------------------------------
    // Broken plugins: refused with an error naming the jar and the reason; the previous version keeps serving.

    /** Loads v1 of acme.jar, replaces it with {@code broken}, and returns the one error recorded. */
    private PluginError refusedReplacement(byte[] broken) throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        List<PluginError> told = new CopyOnWriteArrayList<>();
        try (PluginRegistry registry = manual().onError(told::add).start()) {
            assertThat(servedVersion(registry, "acme")).contains("1");
            PluginJars.writeAtomically(dir.resolve("acme.jar"), broken);
            registry.rescan();
            registry.rescan(); // the same broken bytes are not retried (nor reported) again
            Files.setLastModifiedTime(
                    dir.resolve("acme.jar"), FileTime.from(Instant.now().plusSeconds(60)));
            registry.rescan(); // touched, same bytes: still not retried

            assertThat(servedVersion(registry, "acme")).contains("1");
            assertThat(registry.current().authorizer("acme")).isPresent();
            assertThat(registry.current()
                            .info(PluginKind.AUTHENTICATOR, "acme")
                            .orElseThrow()
                            .version())
                    .isEqualTo("1");
            assertThat(registry.errors()).hasSize(1);
            assertThat(told).containsExactlyElementsOf(registry.errors());
            PluginError error = registry.errors().get(0);
            assertThat(error.source()).isEqualTo("acme.jar");
            assertThat(error.message()).startsWith("acme.jar: ").contains("still running its previous version 1");
            return error;
        }
    }

    @Test
    void aCorruptJarIsRefused() throws Exception {
        byte[] good = PluginJars.plugin("acme", "2").build();
        byte[] corrupt = Arrays.copyOf(good, good.length - 30); // truncated: no central directory end
        assertThat(refusedReplacement(corrupt).reason()).startsWith("not a readable jar: ");

        byte[] garbage = "this is not a zip file at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.delete(dir.resolve("acme.jar"));
        assertThat(refusedReplacement(garbage).reason()).startsWith("not a readable jar: ");
    }

    @Test
    void aJarWhoseProviderConstructorThrowsIsRefused() throws Exception {
        byte[] broken = PluginJars.plugin(
                        "acme", "2", "if (true) throw new IllegalStateException(\"boom in ctor\");", "")
                .build();
        assertThat(refusedReplacement(broken).reason())
                .contains("testplugin.Plugin_acme could not be instantiated")
                .contains("IllegalStateException: boom in ctor");
    }

    @Test
    void aJarWhoseCreateThrowsIsRefused() throws Exception {
        byte[] broken = PluginJars.plugin(
                        "acme", "2", "", "if (true) throw new IllegalArgumentException(\"greeting missing\");")
                .build();
        assertThat(refusedReplacement(broken).reason())
                .contains("provider 'acme' (testplugin.Plugin_acme) refused its settings")
                .contains("IllegalArgumentException: greeting missing");
    }

    @Test
    void aJarWithNoProviderIsRefused() throws Exception {
        byte[] empty = PluginJars.jar()
                .implementationVersion("2")
                .source("testplugin.Nothing", "package testplugin; public class Nothing {}")
                .build();
        assertThat(refusedReplacement(empty).reason()).startsWith("no providers");
    }

    @Test
    void aJarNamingAMissingProviderClassIsRefused() throws Exception {
        byte[] missing = PluginJars.jar()
                .service(AuthenticatorProvider.class, "testplugin.Gone")
                .build();
        assertThat(refusedReplacement(missing).reason()).contains("Provider testplugin.Gone not found");
    }

    @Test
    void aNameClashBetweenJarsIsRefusedUntilTheOtherJarGoes() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        try (PluginRegistry registry = manual().start()) {
            PluginJars.plugin("acme", "2").writeTo(dir.resolve("acme-2.jar"));
            registry.rescan();
            assertThat(servedVersion(registry, "acme")).contains("1");
            assertThat(registry.plugins()).extracting(PluginInfo::source).doesNotContain("acme-2.jar");
            assertThat(registry.errors()).singleElement().satisfies(e -> {
                assertThat(e.source()).isEqualTo("acme-2.jar");
                assertThat(e.reason()).contains("'acme'").contains("clashes with the one from acme.jar");
            });

            // The usual upgrade by file name: once the old jar is gone, the new one takes the name.
            Files.delete(dir.resolve("acme.jar"));
            registry.rescan();
            assertThat(servedVersion(registry, "acme")).contains("2");
            assertThat(registry.current()
                            .info(PluginKind.AUTHENTICATOR, "acme")
                            .orElseThrow()
                            .source())
                    .isEqualTo("acme-2.jar");
        }
    }

    @Test
    void aJarClashingWithAClasspathProviderIsRefused() throws Exception {
        PluginJars.plugin(ClasspathTestProvider.NAME, "1").writeTo(dir.resolve("shadow.jar"));
        try (PluginRegistry registry = manual().start()) {
            assertThat(registry.plugins()).extracting(PluginInfo::source).containsExactly(PluginInfo.CLASSPATH);
            assertThat(registry.errors()).singleElement().satisfies(e -> {
                assertThat(e.source()).isEqualTo("shadow.jar");
                assertThat(e.reason()).contains("clashes with the one from the classpath");
            });
        }
    }

    @Test
    void aBrokenJarIsRetriedWhenFixedAndTheWatcherPicksItUp() throws Exception {
        try (PluginRegistry registry = watched().classpath(false).start()) {
            PluginJars.writeAtomically(dir.resolve("acme.jar"), new byte[] {1, 2, 3});
            await("the broken jar is refused", () -> !registry.errors().isEmpty());
            assertThat(registry.errors().get(0).message()).startsWith("acme.jar: not a readable jar");
            assertThat(registry.plugins()).isEmpty();

            PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
            await(
                    "the fixed jar is loaded",
                    () -> servedVersion(registry, "acme").equals(Optional.of("1")));
        }
    }

    /** A jar with one authenticator provider {@code testplugin.<cls>} whose methods have the given bodies. */
    private static PluginJars.Jar provider(String cls, String nameBody, String createBody) {
        String source = """
                package testplugin;

                import io.vstp.security.spi.*;
                import java.util.Map;

                public final class %CLS% implements AuthenticatorProvider {
                    public String name() { %NAME% }

                    public Authenticator create(Map<String, String> settings) { %CREATE% }
                }
                """.replace("%CLS%", cls).replace("%NAME%", nameBody).replace("%CREATE%", createBody);
        return PluginJars.jar()
                .source("testplugin." + cls, source)
                .service(AuthenticatorProvider.class, "testplugin." + cls);
    }

    private static final String ACCEPTS_NOTHING =
            "return c -> java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty());";

    @Test
    void providersThatMisbehaveInNameOrCreateOrThatAreNotInTheirJarAreRefusedEachWithItsReason() throws Exception {
        provider("NameFails", "throw new IllegalStateException(\"no name yet\");", ACCEPTS_NOTHING)
                .writeTo(dir.resolve("name-fails.jar"));
        provider("Padded", "return \" padded\";", ACCEPTS_NOTHING).writeTo(dir.resolve("padded.jar"));
        provider("Nameless", "return null;", ACCEPTS_NOTHING).writeTo(dir.resolve("nameless.jar"));
        provider("CreatesNull", "return \"hollow\";", "return null;").writeTo(dir.resolve("creates-null.jar"));
        String twin = "package testplugin; import io.vstp.security.spi.*; import java.util.Map; public final class %s"
                + " implements AuthenticatorProvider { public String name() { return \"twin\"; }"
                + " public Authenticator create(Map<String, String> s) { " + ACCEPTS_NOTHING + " } }";
        PluginJars.jar()
                .source("testplugin.TwinA", twin.formatted("TwinA"))
                .source("testplugin.TwinB", twin.formatted("TwinB"))
                .service(AuthenticatorProvider.class, "testplugin.TwinA")
                .service(AuthenticatorProvider.class, "testplugin.TwinB")
                .writeTo(dir.resolve("twins.jar"));
        // Names a provider class the class path already has, without containing it.
        PluginJars.jar()
                .service(AuthenticatorProvider.class, ClasspathTestProvider.class.getName())
                .writeTo(dir.resolve("borrowed.jar"));

        try (PluginRegistry registry = manual().classpath(false).start()) {
            assertThat(registry.plugins()).isEmpty();
            Map<String, String> reasons = new java.util.TreeMap<>();
            registry.errors().forEach(e -> reasons.put(e.source(), e.reason()));
            assertThat(reasons)
                    .containsOnlyKeys(
                            "name-fails.jar",
                            "padded.jar",
                            "nameless.jar",
                            "creates-null.jar",
                            "twins.jar",
                            "borrowed.jar");
            assertThat(reasons.get("name-fails.jar"))
                    .isEqualTo("provider testplugin.NameFails failed in name(): IllegalStateException: no name yet");
            assertThat(reasons.get("padded.jar"))
                    .isEqualTo("provider testplugin.Padded has an unusable name: ' padded'");
            assertThat(reasons.get("nameless.jar"))
                    .isEqualTo("provider testplugin.Nameless has an unusable name: null");
            assertThat(reasons.get("creates-null.jar"))
                    .isEqualTo("provider 'hollow' (testplugin.CreatesNull) created null");
            assertThat(reasons.get("twins.jar"))
                    .isEqualTo("authenticator 'twin' is provided twice in the jar (testplugin.TwinB and "
                            + "testplugin.TwinA)");
            assertThat(reasons.get("borrowed.jar"))
                    .isEqualTo("AuthenticatorProvider "
                            + ClasspathTestProvider.class.getName()
                            + " is not in the jar (the class path already has it; a "
                            + "plugin jar must contain its providers)");
        }
    }

    @Test
    void classpathProvidersFromJarsGetTheirVersionAndBrokenOrDuplicateOnesAreRefused() throws Exception {
        Path versioned = PluginJars.plugin("cp-versioned", "7").writeTo(dir.resolve("versioned.jar"));
        String plain = """
                package cpplain;

                import io.vstp.security.spi.*;
                import java.util.Map;

                public final class %CLS% implements AuthenticatorProvider {
                    public String name() { return "%NAME%"; }

                    public Authenticator create(Map<String, String> settings) { %CREATE% }
                }
                """.replace("%CREATE%", ACCEPTS_NOTHING);
        Path unversioned = PluginJars.jar()
                .source("cpplain.Plain", plain.replace("%CLS%", "Plain").replace("%NAME%", "cp-plain"))
                .source("cpplain.Dup", plain.replace("%CLS%", "Dup").replace("%NAME%", "cp-versioned"))
                .service(AuthenticatorProvider.class, "cpplain.Plain")
                .service(AuthenticatorProvider.class, "cpplain.Dup")
                .service(AuthenticatorProvider.class, "cpplain.Missing")
                .writeTo(dir.resolve("unversioned.jar"));
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(
                        new java.net.URL[] {
                            versioned.toUri().toURL(), unversioned.toUri().toURL()
                        },
                        getClass().getClassLoader());
                PluginRegistry registry =
                        PluginRegistry.builder().classLoader(loader).start()) {
            assertThat(registry.plugins())
                    .extracting(PluginInfo::name, PluginInfo::kind, PluginInfo::version)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    ClasspathTestProvider.NAME, PluginKind.AUTHENTICATOR, "unversioned"),
                            org.assertj.core.groups.Tuple.tuple("cp-versioned", PluginKind.AUTHENTICATOR, "7"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "cp-plain",
                                    PluginKind.AUTHENTICATOR,
                                    "sha256:" + JarDirectory.sha256(unversioned).substring(0, 12)),
                            org.assertj.core.groups.Tuple.tuple("cp-versioned", PluginKind.AUTHORIZER, "7"));
            assertThat(registry.plugins())
                    .allSatisfy(p -> assertThat(p.fromClasspath()).isTrue());
            assertThat(registry.current().toString()).contains("authenticator 'cp-plain' sha256:");
            assertThat(registry.errors()).extracting(PluginError::source).containsOnly(PluginInfo.CLASSPATH);
            assertThat(registry.errors())
                    .extracting(PluginError::reason)
                    .containsExactlyInAnyOrder(
                            "authenticator 'cp-versioned' (cpplain.Dup) is also provided by "
                                    + "testplugin.Plugin_cp_versioned "
                                    + "on the classpath",
                            "ServiceConfigurationError: " + AuthenticatorProvider.class.getName()
                                    + ": Provider cpplain.Missing not found");
            assertThat(authenticate(registry, "cp-versioned", "user:carol")
                            .orElseThrow()
                            .claims())
                    .containsEntry("version", "7");
        }
    }

    @Test
    void theBuilderRefusesTimesThatMakeNoSense() {
        PluginRegistry.Builder b = PluginRegistry.builder();
        assertThatThrownBy(() -> b.pollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pollInterval must be positive: PT0S");
        assertThatThrownBy(() -> b.settleTime(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("settleTime must not be negative: PT-0.001S");
        assertThatThrownBy(() -> b.closeGrace(Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("closeGrace must not be negative: PT-2S");
    }

    @Test
    void listenersThatThrowDoNotStopLoadingNorTheOtherListeners() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        PluginJars.writeAtomically(dir.resolve("broken.jar"), new byte[] {1, 2, 3});
        List<PluginError> told = new CopyOnWriteArrayList<>();
        List<PluginSet> swaps = new CopyOnWriteArrayList<>();
        try (PluginRegistry registry = manual().classpath(false)
                .onError(e -> {
                    throw new IllegalStateException("error listener broken");
                })
                .onError(told::add)
                .onChange(s -> {
                    throw new IllegalStateException("change listener broken");
                })
                .onChange(swaps::add)
                .start()) {
            assertThat(servedVersion(registry, "acme")).contains("1");
            assertThat(told).extracting(PluginError::source).containsExactly("broken.jar");
            assertThat(swaps).containsExactly(registry.current());
        }
    }

    @Test
    void onlyTheLatestHundredRefusalsAreKept() throws Exception {
        for (int i = 0; i < 105; i++) {
            Files.write(dir.resolve("junk-%03d.jar".formatted(i)), new byte[] {(byte) i});
        }
        try (PluginRegistry registry = manual().classpath(false).start()) {
            assertThat(registry.errors()).hasSize(100);
            assertThat(registry.errors().get(0).source()).isEqualTo("junk-005.jar");
            assertThat(registry.errors().get(99).source()).isEqualTo("junk-104.jar");
        }
    }

    @Test
    void anInstanceThatFailsToCloseDoesNotStopTheOthersFromClosing() throws Exception {
        PluginProbe.events.clear();
        String source = """
                package testplugin;

                import io.vstp.security.plugin.PluginProbe;
                import io.vstp.security.spi.*;
                import io.vstp.transport.auth.*;
                import java.util.*;
                import java.util.concurrent.*;

                public final class Angry implements AuthenticatorProvider {
                    public String name() { return "angry"; }

                    public Authenticator create(Map<String, String> settings) {
                        return new Auth();
                    }

                    static final class Auth implements Authenticator, AutoCloseable {
                        public CompletionStage<Optional<Principal>> authenticate(Credentials c) {
                            return CompletableFuture.completedFuture(Optional.empty());
                        }

                        public void close() throws Exception {
                            PluginProbe.events.add("closing angry");
                            throw new java.io.IOException("angry refuses to close");
                        }
                    }
                }
                """;
        PluginJars.jar()
                .source("testplugin.Angry", source)
                .service(AuthenticatorProvider.class, "testplugin.Angry")
                .writeTo(dir.resolve("angry.jar"));
        closeablePlugin("1", false).writeTo(dir.resolve("closeable.jar"));
        PluginRegistry registry = manual().classpath(false).start();
        assertThat(registry.plugins()).extracting(PluginInfo::name).contains("angry", "closeable");
        registry.close();
        assertThat(PluginProbe.events).containsExactly("closing angry", "closed closeable 1");
        assertThat(registry.plugins()).isEmpty();
        PluginProbe.events.clear();
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void closeStopsTheWatcherAndUnloadsEverything() throws Exception {
        PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));
        PluginRegistry registry = watched().start();
        assertThat(watcherThreads()).isNotEmpty();
        registry.close();
        registry.close(); // idempotent
        assertThat(watcherThreads()).isEmpty();
        assertThat(registry.plugins()).isEmpty();
        PluginJars.plugin("acme", "2").writeTo(dir.resolve("acme.jar"));
        registry.rescan(); // no effect once closed
        assertThat(registry.plugins()).isEmpty();
    }

    private static List<Thread> watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("vstp-plugin-watcher") && t.isAlive())
                .toList();
    }
}
