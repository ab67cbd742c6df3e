package io.vstp.security;

import io.vstp.security.audit.AuditLog;
import io.vstp.security.mtls.CertificateIdentity;
import io.vstp.security.plugin.PluginRegistry;
import io.vstp.security.plugin.PluginSet;
import io.vstp.security.rbac.RoleRules;
import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.Authorizer;
import io.vstp.security.token.ClaimRoles;
import io.vstp.security.token.DevTokenIssuer;
import io.vstp.security.token.IntrospectionAuthenticator;
import io.vstp.security.token.IntrospectionOptions;
import io.vstp.security.token.JwtAuthenticator;
import io.vstp.security.token.JwtOptions;
import io.vstp.transport.internal.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds a server's {@link SecurityPolicy} from {@code auth.*} settings (docs/guide/security.md has the reference).
 * Every problem is found at start with a message naming the key: an unknown key, a missing issuer, an HMAC
 * algorithm, a bad permission. Nothing configured means no policy: the server does not authenticate.
 */
public final class SecurityOptions {
    /** The prefix of every key this class reads. */
    public static final String PREFIX = "auth.";
    /** Where development keys and their JWKS live, under the VSTP home. */
    public static final String DEV_DIRECTORY = "dev-tokens";

    private static final Set<String> KEYS = Set.of(
            "jwt.issuer",
            "jwt.audience",
            "jwt.jwks-url",
            "jwt.jwks-file",
            "jwt.public-key",
            "jwt.key-id",
            "jwt.algorithms",
            "jwt.clock-skew",
            "jwt.required-claims",
            "jwt.max-token-bytes",
            "jwt.roles-claim",
            "jwt.jwks-cache-ttl",
            "jwt.jwks-rate-limit",
            "introspection.url",
            "introspection.client-id",
            "introspection.client-secret-file",
            "introspection.roles-claim",
            "introspection.issuer",
            "introspection.audience",
            "introspection.cache-ttl",
            "introspection.negative-cache-ttl",
            "introspection.timeout",
            "mtls.subject",
            "mtls.default-roles",
            "anonymous-roles",
            "audit",
            "access-token-file",
            "access-token-roles",
            "plugins.dir",
            "plugins.use",
            "plugins.poll-interval");
    private static final List<String> KEY_PREFIXES =
            List.of("jwt.role-map.", "introspection.role-map.", "mtls.role.", "role.", "plugin.");

    private final Map<String, String> settings;
    private final Path home;
    private final Map<String, String> env;

    /**
     * @param settings every setting; only {@code auth.*} keys are read
     * @param home     the VSTP home: default audit log, development keys
     * @param env      environment variables ({@code VSTP_INTROSPECTION_SECRET})
     */
    public SecurityOptions(Map<String, String> settings, Path home, Map<String, String> env) {
        Map<String, String> auth = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                auth.put(k.substring(PREFIX.length()), v.strip());
            }
        });
        for (String key : auth.keySet()) {
            if (!KEYS.contains(key) && KEY_PREFIXES.stream().noneMatch(key::startsWith)) {
                throw new IllegalArgumentException(
                        "unknown setting " + PREFIX + key + " (docs/guide/security.md lists them)");
            }
        }
        this.settings = auth;
        this.home = home;
        this.env = env;
    }

    /**
     * The settings {@code vstp serve --dev-auth} adds: a JWT issuer backed by the local development key (created if
     * missing, with its public JWKS written beside it) and, unless rules are given, three roles. DEVELOPMENT ONLY.
     */
    public static Map<String, String> developmentSettings(Path home) throws IOException {
        Path dir = home.resolve(DEV_DIRECTORY);
        DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(dir.resolve("key.json"));
        Path jwks = dir.resolve("jwks.json");
        issuer.writeJwks(jwks);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth.jwt.jwks-file", jwks.toString());
        s.put("auth.jwt.issuer", DevTokenIssuer.DEFAULT_ISSUER);
        s.put("auth.jwt.audience", DevTokenIssuer.DEFAULT_AUDIENCE);
        s.put("auth.jwt.algorithms", "ES256");
        s.put("auth.jwt.roles-claim", DevTokenIssuer.ROLES_CLAIM);
        return s;
    }

    /** The roles {@code --dev-auth} defines when the configuration defines none. */
    public static Map<String, String> developmentRoles() {
        return Map.of(
                "auth.role.reader",
                "echo, files:read",
                "auth.role.writer",
                "echo, files:read, files:write",
                "auth.role.admin",
                "*");
    }

    /** True when any setting asks for authentication. */
    public boolean enabled() {
        return jwtConfigured()
                || settings.containsKey("access-token-file")
                || settings.containsKey("introspection.url")
                || settings.containsKey("mtls.subject")
                || settings.containsKey("plugins.use")
                || settings.containsKey("anonymous-roles");
    }

    private boolean jwtConfigured() {
        return settings.containsKey("jwt.issuer")
                || settings.containsKey("jwt.jwks-url")
                || settings.containsKey("jwt.jwks-file")
                || settings.containsKey("jwt.public-key");
    }

    /** The policy, or null when {@link #enabled()} is false. The caller closes it. */
    public SecurityPolicy build() throws IOException {
        if (!enabled()) {
            if (settings.keySet().stream().anyMatch(k -> k.startsWith("role."))) {
                throw new IllegalArgumentException("auth.role.* rules are set but nothing authenticates: set "
                        + "auth.access-token-file, auth.jwt.*, auth.introspection.*, auth.mtls.subject or "
                        + "auth.anonymous-roles");
            }
            return null;
        }
        if (settings.containsKey("plugins.poll-interval") && !settings.containsKey("plugins.dir")) {
            throw new IllegalArgumentException(PREFIX + "plugins.poll-interval needs " + PREFIX + "plugins.dir");
        }
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            List<Authenticator> builtIn = new ArrayList<>();
            if (settings.containsKey("access-token-file")) {
                // First: it recognises its tokens by their prefix, and leaves every other token to the rest.
                builtIn.add(io.vstp.security.token.AccessTokenAuthenticator.load(
                        Path.of(settings.get("access-token-file")),
                        settings.containsKey("access-token-roles")
                                ? list("access-token-roles")
                                : Set.of(io.vstp.security.token.AccessTokenAuthenticator.DEFAULT_SUBJECT)));
            }
            if (jwtConfigured()) {
                JwtAuthenticator jwt = new JwtAuthenticator(jwtSettings());
                owned.add(jwt);
                builtIn.add(jwt);
            }
            if (settings.containsKey("introspection.url")) {
                IntrospectionAuthenticator introspection = new IntrospectionAuthenticator(introspectionSettings());
                owned.add(introspection);
                builtIn.add(introspection);
            }
            if (settings.containsKey("mtls.subject")) {
                builtIn.add(new CertificateIdentity(
                        CertificateIdentity.subjectName(settings.get("mtls.subject")),
                        mtlsRoles(),
                        list("mtls.default-roles")));
            }
            List<String> use = new ArrayList<>(list("plugins.use"));
            Supplier<List<Authenticator>> authenticators = () -> builtIn;
            Supplier<List<Authorizer>> authorizers = List::of;
            if (!use.isEmpty() || settings.containsKey("plugins.dir")) {
                PluginRegistry plugins = plugins();
                owned.add(0, plugins);
                authenticators = perSnapshot(plugins, set -> {
                    List<Authenticator> chain = new ArrayList<>();
                    for (String name : use) {
                        set.authenticator(name).ifPresent(chain::add);
                    }
                    chain.addAll(builtIn);
                    return chain;
                });
                authorizers = perSnapshot(plugins, set -> {
                    List<Authorizer> voices = new ArrayList<>();
                    for (String name : use) {
                        set.authorizer(name).ifPresent(voices::add);
                    }
                    return voices;
                });
            }
            Set<String> anonymous = settings.containsKey("anonymous-roles") ? list("anonymous-roles") : null;
            return new SecurityPolicy(
                    authenticators, RoleRules.parse(prefixed("role.")), authorizers, anonymous, audit(), owned);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The list {@code build} makes of the registry's current snapshot, made again only when a reload swaps the
     * snapshot: authorisers are asked on every request, which should not build a list each time.
     */
    private static <T> Supplier<List<T>> perSnapshot(PluginRegistry plugins, Function<PluginSet, List<T>> build) {
        AtomicReference<Map.Entry<PluginSet, List<T>>> last = new AtomicReference<>();
        return () -> {
            PluginSet set = plugins.current();
            Map.Entry<PluginSet, List<T>> made = last.get();
            if (made == null || made.getKey() != set) {
                made = Map.entry(set, List.copyOf(build.apply(set)));
                last.set(made);
            }
            return made.getValue();
        };
    }

    private JwtOptions jwtSettings() {
        JwtOptions.Builder b = JwtOptions.builder();
        String url = settings.get("jwt.jwks-url");
        if (url != null) {
            b.jwksUri(URI.create(url));
        }
        if (settings.containsKey("jwt.jwks-file")) {
            b.jwksFile(Path.of(settings.get("jwt.jwks-file")));
        }
        if (settings.containsKey("jwt.public-key")) {
            b.publicKeyPem(Path.of(settings.get("jwt.public-key")));
        }
        if (settings.containsKey("jwt.key-id")) {
            b.publicKeyId(settings.get("jwt.key-id"));
        }
        b.issuer(required("jwt.issuer")).audience(required("jwt.audience"));
        if (settings.containsKey("jwt.algorithms")) {
            b.algorithms(list("jwt.algorithms"));
        }
        if (settings.containsKey("jwt.clock-skew")) {
            b.clockSkew(duration("jwt.clock-skew"));
        }
        if (settings.containsKey("jwt.required-claims")) {
            b.requiredClaims(list("jwt.required-claims"));
        }
        if (settings.containsKey("jwt.max-token-bytes")) {
            b.maxTokenBytes(integer("jwt.max-token-bytes"));
        }
        if (settings.containsKey("jwt.jwks-cache-ttl")) {
            b.jwksCacheTtl(duration("jwt.jwks-cache-ttl"));
        }
        if (settings.containsKey("jwt.jwks-rate-limit")) {
            b.jwksRateLimit(duration("jwt.jwks-rate-limit"));
        }
        b.roles(roles("jwt", JwtOptions.DEFAULT_ROLES_CLAIM));
        return b.build();
    }

    private IntrospectionOptions introspectionSettings() throws IOException {
        IntrospectionOptions.Builder b = IntrospectionOptions.builder()
                .endpoint(URI.create(settings.get("introspection.url")))
                .clientId(required("introspection.client-id"))
                .clientSecret(introspectionSecret());
        if (settings.containsKey("introspection.issuer")) {
            b.issuer(settings.get("introspection.issuer"));
        }
        if (settings.containsKey("introspection.audience")) {
            b.audience(settings.get("introspection.audience"));
        }
        if (settings.containsKey("introspection.cache-ttl")) {
            b.cacheTtl(duration("introspection.cache-ttl"));
        }
        if (settings.containsKey("introspection.negative-cache-ttl")) {
            b.negativeCacheTtl(duration("introspection.negative-cache-ttl"));
        }
        if (settings.containsKey("introspection.timeout")) {
            b.timeout(duration("introspection.timeout"));
        }
        b.roles(roles("introspection", IntrospectionOptions.DEFAULT_ROLES_CLAIM));
        return b.build();
    }

    /** The secret comes from a file or the environment, never from the config file itself. */
    private String introspectionSecret() throws IOException {
        String file = settings.get("introspection.client-secret-file");
        if (file != null) {
            String secret =
                    Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (secret.isEmpty()) {
                throw new IllegalArgumentException(PREFIX + "introspection.client-secret-file " + file + " is empty");
            }
            return secret;
        }
        String fromEnv = env.get("VSTP_INTROSPECTION_SECRET");
        if (fromEnv == null || fromEnv.isBlank()) {
            throw new IllegalArgumentException("the introspection client secret is missing: set " + PREFIX
                    + "introspection.client-secret-file or VSTP_INTROSPECTION_SECRET");
        }
        return fromEnv.strip();
    }

    private ClaimRoles roles(String section, String defaultClaim) {
        String claim = settings.getOrDefault(section + ".roles-claim", defaultClaim);
        Map<String, String> map = prefixed(section + ".role-map.");
        if (map.isEmpty()) {
            return ClaimRoles.of(claim);
        }
        Map<String, Set<String>> mapping = new LinkedHashMap<>();
        map.forEach((value, roles) -> mapping.put(value, split(roles)));
        return ClaimRoles.of(claim, mapping);
    }

    private Map<String, Set<String>> mtlsRoles() {
        Map<String, Set<String>> bySubject = new LinkedHashMap<>();
        prefixed("mtls.role.").forEach((subject, roles) -> bySubject.put(subject, split(roles)));
        return bySubject;
    }

    private PluginRegistry plugins() throws IOException {
        PluginRegistry.Builder b = PluginRegistry.builder().settings(name -> prefixed("plugin." + name + "."));
        if (settings.containsKey("plugins.dir")) {
            b.directory(Path.of(settings.get("plugins.dir"))).watch(true);
        }
        if (settings.containsKey("plugins.poll-interval")) {
            b.pollInterval(duration("plugins.poll-interval"));
        }
        return b.start();
    }

    private String auditSetting() {
        return settings.getOrDefault("audit", home.resolve("audit.log").toString());
    }

    private AuditLog audit() {
        String where = auditSetting();
        return switch (where) {
            case "none" -> AuditLog.none();
            case "-" -> AuditLog.toStream(System.err);
            default -> AuditLog.toFile(Path.of(where));
        };
    }

    /** Where the audit log goes, for the start-up line. */
    public String auditDestination() {
        String where = auditSetting();
        return where.equals("-") ? "standard error" : where;
    }

    private String required(String key) {
        String v = settings.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + key + " is required");
        }
        return v;
    }

    private java.time.Duration duration(String key) {
        try {
            return Durations.parse(settings.get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + key + ": " + e.getMessage());
        }
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(settings.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + ": '" + settings.get(key) + "' is not a number");
        }
    }

    private Set<String> list(String key) {
        return split(settings.getOrDefault(key, ""));
    }

    private static Set<String> split(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    private Map<String, String> prefixed(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
