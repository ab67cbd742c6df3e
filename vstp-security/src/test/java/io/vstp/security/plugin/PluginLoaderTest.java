package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import io.vstp.security.plugin.JarDirectory.Staged;
import io.vstp.security.spi.AuthenticatorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading one staged jar, without a directory or a registry around it. */
class PluginLoaderTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final String CLASS_FILE = "testplugin/Plugin_acme.class";

    @TempDir
    Path dir;

    private final PluginLoader loader = new PluginLoader(
            AuthenticatorProvider.class.getClassLoader(),
            name -> Map.of("greeting", "hi " + name),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static Staged staged(Path copy) {
        return new Staged(copy, JarDirectory.sha256(copy));
    }

    private static Fingerprint fingerprint(Path file) throws Exception {
        return Fingerprint.of(Files.readAttributes(file, BasicFileAttributes.class));
    }

    @Test
    void loadsEveryProviderOfTheJarInAClassLoaderOfItsOwn() throws Exception {
        Path copy = PluginJars.plugin("acme", "1.2").writeTo(dir.resolve("1-acme.jar"));

        LoadedJar jar = loader.load("acme.jar", fingerprint(copy), staged(copy), Map.of());

        assertThat(jar.version).isEqualTo("1.2");
        assertThat(jar.sha256).isEqualTo(JarDirectory.sha256(copy));
        assertThat(jar.plugins)
                .extracting(p -> p.info().toString())
                .containsExactly("authenticator 'acme' 1.2 from acme.jar", "authorizer 'acme' 1.2 from acme.jar");
        assertThat(jar.plugins).allSatisfy(p -> {
            assertThat(p.info().loadedAt()).isEqualTo(NOW);
            assertThat(p.instance().getClass().getClassLoader()).isSameAs(jar.loader);
        });
        assertThat(jar.loader.getParent()).isSameAs(AuthenticatorProvider.class.getClassLoader());
        assertThat(jar.describePlugins()).isEqualTo("authenticator 'acme' 1.2, authorizer 'acme' 1.2");

        jar.close();
        assertThat(jar.loader.getResource(CLASS_FILE)).isNull();
        assertThat(copy).doesNotExist();
    }

    @Test
    void aNameTakenElsewhereRefusesTheJarAsAClashWorthRetryingLater() throws Exception {
        Path copy = PluginJars.plugin("acme", "1").writeTo(dir.resolve("1-acme.jar"));

        assertThatThrownBy(() -> loader.load(
                        "acme-2.jar", fingerprint(copy), staged(copy), Map.of("authorizer:acme", "acme.jar")))
                .isInstanceOfSatisfying(
                        PluginRefused.class, e -> assertThat(e.clash()).isTrue())
                .hasMessage("authorizer 'acme' (testplugin.Plugin_acme$Authz) clashes with the one from acme.jar; "
                        + "remove one of them");
    }

    @Test
    void aBrokenJarIsRefusedAsNoClash() throws Exception {
        Path copy = Files.write(dir.resolve("1-junk.jar"), "junk".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> loader.load("junk.jar", fingerprint(copy), staged(copy), Map.of()))
                .isInstanceOfSatisfying(
                        PluginRefused.class, e -> assertThat(e.clash()).isFalse())
                .hasMessageStartingWith("not a readable jar: ");
    }

    @Test
    void aJarRefusedAfterSomeInstancesWereCreatedClosesThem() throws Exception {
        PluginProbe.events.clear();
        String source = """
                package testplugin;

                import io.vstp.security.plugin.PluginProbe;
                import io.vstp.security.spi.*;
                import io.vstp.transport.auth.*;
                import java.util.*;
                import java.util.concurrent.*;

                public final class HalfWay implements AuthenticatorProvider {
                    public String name() { return "half"; }

                    public Authenticator create(Map<String, String> settings) { return new Auth(); }

                    static final class Auth implements Authenticator, AutoCloseable {
                        public CompletionStage<Optional<Principal>> authenticate(Credentials c) {
                            return CompletableFuture.completedFuture(Optional.empty());
                        }

                        public void close() { PluginProbe.events.add("closed half"); }
                    }

                    public static final class Authz implements AuthorizerProvider {
                        public String name() { return "half"; }

                        public Authorizer create(Map<String, String> settings) {
                            throw new IllegalStateException("no");
                        }
                    }
                }
                """;
        Path copy = PluginJars.jar()
                .source("testplugin.HalfWay", source)
                .service(AuthenticatorProvider.class, "testplugin.HalfWay")
                .service(io.vstp.security.spi.AuthorizerProvider.class, "testplugin.HalfWay$Authz")
                .writeTo(dir.resolve("1-half.jar"));
        try {
            assertThatThrownBy(() -> loader.load("half.jar", fingerprint(copy), staged(copy), Map.of()))
                    .isInstanceOf(PluginRefused.class)
                    .hasMessageContaining("refused its settings");
            assertThat(PluginProbe.events).containsExactly("closed half");
        } finally {
            PluginProbe.events.clear();
        }
    }

    @Test
    void classpathProvidersAreCreatedAndListedAsFromTheClasspath() {
        List<PluginError> refused = new CopyOnWriteArrayList<>();
        RefusalLog refusals = new RefusalLog(List.of(refused::add), Clock.fixed(NOW, ZoneOffset.UTC));

        List<LoadedPlugin> plugins = loader.loadClasspath(getClass().getClassLoader(), refusals);

        assertThat(plugins).extracting(p -> p.info().name()).containsExactly(ClasspathTestProvider.NAME);
        assertThat(plugins.get(0).info().fromClasspath()).isTrue();
        assertThat(plugins.get(0).info().loadedAt()).isEqualTo(NOW);
        assertThat(refused).isEmpty();
    }
}
