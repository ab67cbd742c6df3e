package io.vstp.security.plugin;

import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.security.spi.AuthorizerProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars at test time: Java source compiled with the system compiler against the test class path
 * (so against the real SPI), packaged with {@code META-INF/services} files and a manifest.
 *
 * <pre>{@code
 * PluginJars.plugin("acme", "1").writeTo(dir.resolve("acme.jar"));          // the standard test plugin
 * PluginJars.jar().source("p.X", "package p; ...").service(AuthenticatorProvider.class, "p.X").build();
 * }</pre>
 *
 * <p>The standard plugin ({@link #plugin}) provides an authenticator and an authorizer named {@code name}. Its
 * authenticator accepts a bearer token {@code user:<subject>} and returns a principal with role {@code user}, method
 * {@code name}, and claims {@code version} (the plugin's version) and {@code greeting} (its {@code greeting}
 * setting, when set); other tokens are not its kind. Its authorizer allows the {@code echo} service and abstains
 * otherwise.
 */
final class PluginJars {
    /** Compiled classes by source text: the same plugin source is compiled once per test JVM. */
    private static final Map<String, Map<String, byte[]>> COMPILED = new ConcurrentHashMap<>();

    private PluginJars() {}

    /** An empty jar to fill. */
    static Jar jar() {
        return new Jar();
    }

    /** The standard test plugin, version {@code version} (also its manifest's Implementation-Version). */
    static Jar plugin(String name, String version) {
        return plugin(name, version, "", "");
    }

    /**
     * The standard test plugin with extra statements in its provider's constructor and at the start of its
     * authenticator provider's {@code create(settings)} (e.g. {@code throw new IllegalStateException("boom");}).
     */
    static Jar plugin(String name, String version, String constructorBody, String createBody) {
        String cls = "Plugin_" + name.replaceAll("[^A-Za-z0-9]", "_");
        String fqcn = "testplugin." + cls;
        String source = """
                package testplugin;

                import io.vstp.security.spi.Authenticator;
                import io.vstp.security.spi.AuthenticatorProvider;
                import io.vstp.security.spi.Authorizer;
                import io.vstp.security.spi.AuthorizerProvider;
                import io.vstp.transport.auth.Principal;
                import java.util.LinkedHashMap;
                import java.util.Map;
                import java.util.Optional;
                import java.util.Set;
                import java.util.concurrent.CompletableFuture;

                public final class %CLS% implements AuthenticatorProvider {
                    static final String VERSION = "%VERSION%";

                    public %CLS%() {
                        %CTOR%
                    }

                    @Override
                    public String name() {
                        return "%NAME%";
                    }

                    @Override
                    public Authenticator create(Map<String, String> settings) throws Exception {
                        %CREATE%
                        String greeting = settings.get("greeting");
                        return credentials -> {
                            String token = credentials.bearerToken();
                            if (token == null || !token.startsWith("user:")) {
                                return CompletableFuture.completedFuture(Optional.empty());
                            }
                            Map<String, Object> claims = new LinkedHashMap<>();
                            claims.put("version", VERSION);
                            if (greeting != null) {
                                claims.put("greeting", greeting);
                            }
                            return CompletableFuture.completedFuture(Optional.of(
                                    new Principal(token.substring(5), Set.of("user"), claims, "%NAME%", null)));
                        };
                    }

                    public static final class Authz implements AuthorizerProvider {
                        @Override
                        public String name() {
                            return "%NAME%";
                        }

                        @Override
                        public Authorizer create(Map<String, String> settings) {
                            return (principal, action) -> "echo".equals(action.service())
                                    ? Authorizer.Vote.ALLOW : Authorizer.Vote.ABSTAIN;
                        }
                    }
                }
                """.replace("%CLS%", cls)
                .replace("%NAME%", name)
                .replace("%VERSION%", version)
                .replace("%CTOR%", constructorBody)
                .replace("%CREATE%", createBody);
        return jar().implementationVersion(version)
                .source(fqcn, source)
                .service(AuthenticatorProvider.class, fqcn)
                .service(AuthorizerProvider.class, fqcn + "$Authz");
    }

    /** Compiles Java sources (by fully qualified class name) against the test class path; class files by path. */
    static Map<String, byte[]> compile(Map<String, String> sources) {
        String key = String.join("\u0000", sources.keySet()) + "\u0001" + String.join("\u0000", sources.values());
        return COMPILED.computeIfAbsent(key, k -> doCompile(sources));
    }

    private static Map<String, byte[]> doCompile(Map<String, String> sources) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: tests need a JDK");
        }
        Path work = null;
        try {
            work = Files.createTempDirectory("plugin-src-");
            Path src = Files.createDirectories(work.resolve("src"));
            Path out = Files.createDirectories(work.resolve("classes"));
            List<String> args = new ArrayList<>(List.of(
                    "--release",
                    "17",
                    "-proc:none",
                    "-nowarn",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    out.toString()));
            for (Map.Entry<String, String> e : sources.entrySet()) {
                Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue());
                args.add(file.toString());
            }
            ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
            int rc = compiler.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
            if (rc != 0) {
                throw new IllegalStateException(
                        "plugin source does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));
            }
            Map<String, byte[]> classes = new LinkedHashMap<>();
            try (Stream<Path> files = Files.walk(out)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    classes.put(out.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                }
            }
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path root) {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover in the temporary directory
        }
    }

    /** Writes {@code bytes} to {@code file} atomically (a temporary file in the same directory, then a rename). */
    static Path writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A jar being built. */
    static final class Jar {
        private final Map<String, String> sources = new LinkedHashMap<>();
        private final Map<String, List<String>> services = new LinkedHashMap<>();
        private final Map<String, byte[]> entries = new LinkedHashMap<>();
        private String implementationVersion;

        private Jar() {}

        /** Java source of the class {@code className} (fully qualified), compiled into the jar. */
        Jar source(String className, String source) {
            sources.put(className, source);
            return this;
        }

        /** A line {@code className} in {@code META-INF/services/<spi>}. */
        Jar service(Class<?> spi, String className) {
            services.computeIfAbsent(spi.getName(), k -> new ArrayList<>()).add(className);
            return this;
        }

        /** The manifest's Implementation-Version; none when null. */
        Jar implementationVersion(String version) {
            this.implementationVersion = version;
            return this;
        }

        /** Any other entry. */
        Jar entry(String path, byte[] bytes) {
            entries.put(path, bytes);
            return this;
        }

        byte[] build() {
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (implementationVersion != null) {
                manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, implementationVersion);
            }
            Map<String, byte[]> all = new LinkedHashMap<>();
            if (!sources.isEmpty()) {
                all.putAll(compile(sources));
            }
            services.forEach((spi, lines) -> all.put(
                    "META-INF/services/" + spi, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
            all.putAll(entries);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (Map.Entry<String, byte[]> e : all.entrySet()) {
                    out.putNextEntry(new JarEntry(e.getKey()));
                    out.write(e.getValue());
                    out.closeEntry();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /** Builds the jar and writes it to {@code file} atomically. */
        Path writeTo(Path file) throws IOException {
            return writeAtomically(file, build());
        }
    }
}
