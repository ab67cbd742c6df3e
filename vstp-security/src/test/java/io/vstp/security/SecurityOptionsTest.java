package io.vstp.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.ScriptedPeer;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.*} settings to a policy: what is refused at start, and introspection and anonymous access from settings.
 */
class SecurityOptionsTest {
    @TempDir
    Path dir;

    private SecurityOptions config(Map<String, String> settings, Map<String, String> env) {
        return new SecurityOptions(settings, dir, env);
    }

    private static Credentials bearer(String token) {
        return new Credentials(token, List.of(), new InetSocketAddress("127.0.0.1", 1), "s");
    }

    @Test
    void nothingConfiguredMeansNoPolicyAndMistakesAreNamed() throws Exception {
        assertThat(config(Map.of("port", "7000"), Map.of()).build()).isNull();
        assertThatThrownBy(() -> config(Map.of("auth.jwt.isuer", "x"), Map.of()))
                .hasMessageContaining("unknown setting auth.jwt.isuer");
        assertThatThrownBy(() -> config(Map.of("auth.role.r", "echo"), Map.of()).build())
                .hasMessageContaining("nothing authenticates");
        assertThatThrownBy(() -> config(
                                Map.of("auth.jwt.jwks-file", "/nonexistent/jwks.json", "auth.jwt.audience", "a"),
                                Map.of())
                        .build())
                .hasMessageContaining("auth.jwt.issuer is required");
        assertThatThrownBy(() -> config(Map.of("auth.anonymous-roles", "guest", "auth.role.guest", "files:"), Map.of())
                        .build())
                .hasMessageContaining("permission");
        assertThatThrownBy(
                        () -> config(Map.of("auth.anonymous-roles", "", "auth.plugins.poll-interval", "1s"), Map.of())
                                .build())
                .hasMessageContaining("auth.plugins.poll-interval needs auth.plugins.dir");
        assertThatThrownBy(() -> config(
                                Map.of(
                                        "auth.anonymous-roles",
                                        "",
                                        "auth.plugins.poll-interval",
                                        "soon",
                                        "auth.plugins.dir",
                                        dir.toString()),
                                Map.of())
                        .build())
                .hasMessageContaining("auth.plugins.poll-interval")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> config(
                                Map.of(
                                        "auth.introspection.url",
                                        "http://127.0.0.1:1/x",
                                        "auth.introspection.client-id",
                                        "vstp"),
                                Map.of())
                        .build())
                .hasMessageContaining("client secret is missing");
    }

    @Test
    void anonymousRolesLetPeersWithoutCredentialsInWithThoseRolesOnly() throws Exception {
        try (SecurityPolicy policy = config(
                        Map.of("auth.anonymous-roles", "guest", "auth.role.guest", "echo", "auth.audit", "none"),
                        Map.of())
                .build()) {
            Principal guest = policy.authenticate(new Credentials(null, List.of(), null, "s"))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(guest.subject()).isEqualTo("anonymous");
            assertThat(guest.roles()).containsExactly("guest");
            assertThat(policy.decide(guest, new Action("echo", "", "")).allowed())
                    .isTrue();
            assertThat(policy.decide(guest, new Action("files", "list", "")).allowed())
                    .isFalse();
            // A token nobody recognises is not anonymous: it is refused.
            assertThat(policy.authenticate(bearer("opaque")).toCompletableFuture())
                    .failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void introspectionFromSettingsWithTheSecretFromAFileOrTheEnvironment() throws Exception {
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/introspect", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] body = (form.contains("token=good")
                            ? "{\"active\":true,\"sub\":\"svc\",\"scope\":\"read write\"}"
                            : "{\"active\":false}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        try {
            String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/introspect";
            Path secret = Files.writeString(dir.resolve("secret"), "s3cret\n");
            for (Map<String, String> env :
                    List.of(Map.<String, String>of(), Map.of("VSTP_INTROSPECTION_SECRET", "s3cret"))) {
                Map<String, String> settings = new java.util.HashMap<>(Map.of(
                        "auth.introspection.url",
                        url,
                        "auth.introspection.client-id",
                        "vstp",
                        "auth.introspection.role-map.write",
                        "writer",
                        "auth.role.writer",
                        "files:write",
                        "auth.audit",
                        "none"));
                if (env.isEmpty()) {
                    settings.put("auth.introspection.client-secret-file", secret.toString());
                }
                try (SecurityPolicy policy = config(settings, env).build()) {
                    Principal svc = policy.authenticate(bearer("good"))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS);
                    assertThat(svc.subject()).isEqualTo("svc");
                    assertThat(svc.method()).isEqualTo("introspection");
                    assertThat(svc.roles()).containsExactly("writer");
                    assertThat(authorization.get())
                            .isEqualTo("Basic "
                                    + Base64.getEncoder()
                                            .encodeToString("vstp:s3cret".getBytes(StandardCharsets.UTF_8)));
                    Throwable refused =
                            org.assertj.core.api.Assertions.catchThrowable(() -> policy.authenticate(bearer("bad"))
                                    .toCompletableFuture()
                                    .join());
                    assertThat(refused)
                            .isInstanceOf(CompletionException.class)
                            .hasCauseInstanceOf(AuthenticationException.class)
                            .hasMessageContaining("not active");
                }
            }
        } finally {
            idp.stop(0);
        }
    }

    /** A peer without HELLO (the Rust crate's way, plaintext) is a peer without credentials. */
    @Test
    void legacyPeersGetTheAnonymousRolesOrNothing() throws Exception {
        for (boolean anonymousMayEcho : new boolean[] {true, false}) {
            Map<String, String> settings = new java.util.HashMap<>(Map.of("auth.audit", "none"));
            if (anonymousMayEcho) {
                settings.putAll(Map.of("auth.anonymous-roles", "guest", "auth.role.guest", "echo"));
            } else {
                settings.putAll(Map.of("auth.mtls.subject", "cn")); // authentication on, no anonymous access
            }
            try (SecurityPolicy policy = config(settings, Map.of()).build();
                    io.vstp.transport.VstpServer server = io.vstp.transport.VstpServer.builder()
                            .port(0)
                            .threads(1)
                            .plain()
                            .accessControl(policy)
                            .start();
                    ScriptedPeer crate = ScriptedPeer.connect(server.port())) {
                crate.send(Frame.builder(FrameType.DATA)
                        .payload("{\"content\":\"hi\"}")
                        .build());
                if (anonymousMayEcho) {
                    crate.expect(
                            FrameType.DATA,
                            echo -> assertThat(echo.payloadAsString())
                                    .as("the echo comes back")
                                    .isEqualTo("{\"content\":\"hi\"}"));
                } else {
                    crate.expectClose(); // no credentials, no anonymous access: disconnected, no ERR for a legacy peer
                }
            }
        }
    }

    /** {@code --dev-auth}: the development key's JWKS and three roles make a policy that accepts its tokens. */
    @Test
    void developmentSettingsMakeAPolicyThatAcceptsTheDevelopmentKeysTokens() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>();
        SecurityOptions.developmentSettings(dir).forEach((k, v) -> settings.put(k, v));
        SecurityOptions.developmentRoles().forEach((k, v) -> settings.put(k, v));
        settings.put("auth.audit", "none");
        String token = io.vstp.security.token.DevTokenIssuer.loadOrCreate(
                        dir.resolve(SecurityOptions.DEV_DIRECTORY).resolve("key.json"))
                .issue("dana", List.of("writer"));
        try (SecurityPolicy policy = config(settings, Map.of()).build()) {
            Principal dana =
                    policy.authenticate(bearer(token)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(dana.subject()).isEqualTo("dana");
            assertThat(policy.decide(dana, new Action("files", "put-begin", "x"))
                            .allowed())
                    .isTrue();
            assertThat(policy.decide(
                                    new Principal("r", java.util.Set.of("reader"), Map.of(), "jwt", null),
                                    new Action("files", "put-begin", "x"))
                            .allowed())
                    .isFalse();
        }
    }

    /** Every JWT setting is read, and a value that is not what its key needs is refused naming the key. */
    @Test
    void everyJwtSettingIsReadAndABadValueNamesItsKey() throws Exception {
        Map<String, String> base = new java.util.HashMap<>(SecurityOptions.developmentSettings(dir));
        base.putAll(Map.of(
                "auth.jwt.key-id",
                "dev",
                "auth.jwt.clock-skew",
                "30s",
                "auth.jwt.required-claims",
                "sub, exp",
                "auth.jwt.max-token-bytes",
                "4096",
                "auth.jwt.jwks-cache-ttl",
                "5m",
                "auth.jwt.jwks-rate-limit",
                "10s",
                "auth.jwt.role-map.writer",
                "files-writer",
                "auth.audit",
                "none"));
        try (SecurityPolicy policy = config(base, Map.of()).build()) {
            assertThat(policy).isNotNull();
        }
        for (String[] bad : new String[][] {
            {"auth.jwt.clock-skew", "soon"}, {"auth.jwt.jwks-cache-ttl", "later"}, {"auth.jwt.max-token-bytes", "lots"}
        }) {
            Map<String, String> settings = new java.util.HashMap<>(base);
            settings.put(bad[0], bad[1]);
            assertThatThrownBy(() -> config(settings, Map.of()).build())
                    .as(bad[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad[0]);
        }
    }

    /** Where the audit log goes, as the start-up line says it. */
    @Test
    void theAuditDestinationIsAFileStandardErrorOrNone() throws Exception {
        Map<String, String> anonymous = Map.of("auth.anonymous-roles", "", "auth.audit", "-");
        assertThat(config(anonymous, Map.of()).auditDestination()).isEqualTo("standard error");
        try (SecurityPolicy policy = config(anonymous, Map.of()).build()) {
            assertThat(policy.audit()).isNotNull();
        }
        assertThat(config(Map.of("auth.anonymous-roles", ""), Map.of()).auditDestination())
                .isEqualTo(dir.resolve("audit.log").toString());
    }

    /** The optional introspection settings are read; an empty secret file is refused, not sent. */
    @Test
    void introspectionOptionsAreReadAndAnEmptySecretFileIsRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "s3cret");
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "auth.introspection.url",
                "http://127.0.0.1:1/introspect",
                "auth.introspection.client-id",
                "vstp",
                "auth.introspection.client-secret-file",
                secret.toString(),
                "auth.introspection.issuer",
                "idp",
                "auth.introspection.audience",
                "vstp",
                "auth.introspection.cache-ttl",
                "30s",
                "auth.introspection.negative-cache-ttl",
                "5s",
                "auth.introspection.timeout",
                "2s",
                "auth.audit",
                "none"));
        try (SecurityPolicy policy = config(settings, Map.of()).build()) {
            assertThat(policy).isNotNull();
        }
        Files.writeString(secret, "  \n");
        assertThatThrownBy(() -> config(settings, Map.of()).build()).hasMessageContaining("is empty");
    }

    /**
     * {@code auth.access-token-file}: the server's own token file, with the roles of {@code auth.access-token-roles}.
     */
    @Test
    void theAccessTokenFileFromSettingsProvesItsOwnerWithTheConfiguredRoles() throws Exception {
        Path file = dir.resolve("access-token");
        String token =
                io.vstp.security.token.AccessTokenAuthenticator.loadOrCreate(file, new java.security.SecureRandom());
        Map<String, String> settings =
                new java.util.HashMap<>(Map.of("auth.access-token-file", file.toString(), "auth.audit", "none"));
        try (SecurityPolicy policy = config(settings, Map.of()).build()) {
            Principal owner =
                    policy.authenticate(bearer(token)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(owner.subject()).isEqualTo("owner");
            assertThat(owner.roles()).containsExactly("owner");
        }
        settings.put("auth.access-token-roles", "writer, reader");
        try (SecurityPolicy policy = config(settings, Map.of()).build()) {
            Principal owner =
                    policy.authenticate(bearer(token)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(owner.roles()).containsExactlyInAnyOrder("writer", "reader");
        }
    }

    /** {@code auth.jwt.public-key}: one PEM public key instead of a JWKS. */
    @Test
    void aPemPublicKeyFromSettingsVerifiesTokens() throws Exception {
        io.vstp.security.token.DevTokenIssuer issuer =
                io.vstp.security.token.DevTokenIssuer.loadOrCreate(dir.resolve("dev-key.json"));
        java.security.interfaces.ECPublicKey key = com.nimbusds.jose.jwk.JWKSet.parse(issuer.publicJwks())
                .getKeys()
                .get(0)
                .toECKey()
                .toECPublicKey();
        Path pem = Files.writeString(
                dir.resolve("idp.pem"),
                "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        try (SecurityPolicy policy = config(
                        Map.of(
                                "auth.jwt.public-key",
                                pem.toString(),
                                "auth.jwt.issuer",
                                io.vstp.security.token.DevTokenIssuer.DEFAULT_ISSUER,
                                "auth.jwt.audience",
                                io.vstp.security.token.DevTokenIssuer.DEFAULT_AUDIENCE,
                                "auth.audit",
                                "none"),
                        Map.of())
                .build()) {
            Principal dana = policy.authenticate(bearer(issuer.issue("dana", List.of("writer"))))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(dana.subject()).isEqualTo("dana");
            assertThat(dana.roles()).containsExactly("writer");
        }
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> config(
                                Map.of(
                                        "auth.jwt.public-key",
                                        pem.toString(),
                                        "auth.jwt.issuer",
                                        "i",
                                        "auth.jwt.audience",
                                        "a",
                                        "auth.audit",
                                        "none"),
                                Map.of())
                        .build())
                .isInstanceOf(java.io.IOException.class)
                .hasMessage(pem + " holds no PEM 'PUBLIC KEY'");
    }

    /** A setting that fails after the plugin registry started (here the audit log) stops the registry's watcher. */
    @Test
    void aFailureLateInBuildClosesWhatWasAlreadyStarted() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        Path audit = notADirectory.resolve("audit.log");
        Map<String, String> settings = Map.of(
                "auth.anonymous-roles",
                "",
                "auth.plugins.dir",
                dir.resolve("plugins").toString(),
                "auth.audit",
                audit.toString());
        assertThatThrownBy(() -> config(settings, Map.of()).build())
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot open audit log " + audit + ": ");
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("vstp-plugin-watcher") && t.isAlive());
    }
}
