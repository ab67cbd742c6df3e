package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.testing.Resources;
import io.vstp.security.SecurityOptions;
import io.vstp.security.SecurityPolicy;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload under a running server: a new jar version in the plugin directory authenticates the next handshakes,
 * sessions authenticated by the old version keep their principal, and a broken jar leaves the last good version in
 * charge. Only plugins named in {@code auth.plugins.use} take part.
 */
class PluginServerReloadTest {
    @TempDir
    Path dir;

    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private VstpConnection connect(VstpServer server, String token) throws Exception {
        VstpClient client = resources.use(VstpClient.builder()
                .threads(1)
                .bearerToken(() -> token)
                .tls(TlsClientOptions.builder()
                        .home(dir.resolve("client"))
                        .trustOnFirstUse(true)
                        .build())
                .build());
        return resources.use(client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
    }

    private static String ask(VstpConnection conn) throws Exception {
        Frame reply =
                conn.request(Frame.builder(FrameType.DATA).payload("?").build()).get(5, TimeUnit.SECONDS);
        try {
            return reply.payloadAsString();
        } finally {
            reply.release();
        }
    }

    /** The version of the plugin that authenticates a fresh connection now. */
    private String versionForNewSessions(VstpServer server) throws Exception {
        VstpConnection c = connect(server, "user:probe");
        try {
            return ask(c).split(" ")[1];
        } finally {
            c.close();
        }
    }

    @Test
    void aNewJarVersionServesNewHandshakesWithoutRestart() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        PluginJars.plugin("greeter", "1").writeTo(plugins.resolve("greeter.jar"));
        SecurityPolicy policy = resources.use(new SecurityOptions(
                        Map.of(
                                "auth.plugins.dir", plugins.toString(),
                                "auth.plugins.use", "greeter",
                                "auth.plugins.poll-interval", "200ms",
                                "auth.plugin.greeter.greeting", "hello",
                                "auth.audit", "none"),
                        dir,
                        Map.of())
                .build());
        VstpServer server = resources.use(VstpServer.builder()
                .port(0)
                .threads(2)
                .accessControl(policy)
                .tls(TlsServerOptions.builder().home(dir.resolve("server")).build())
                .handler(RequestHandler.of((request, session) -> Frame.builder(FrameType.DATA)
                        .payload(session.principal().subject() + " "
                                + session.principal().claims().get("version") + " "
                                + session.principal().claims().get("greeting"))
                        .build()))
                .start());

        VstpConnection early = connect(server, "user:alice");
        assertThat(ask(early)).isEqualTo("alice 1 hello");

        PluginJars.plugin("greeter", "2").writeTo(plugins.resolve("greeter.jar"));
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(versionForNewSessions(server)).isEqualTo("2"));
        assertThat(ask(early))
                .as("a session authenticated by v1 keeps its principal")
                .isEqualTo("alice 1 hello");

        // A broken v3 is refused; v2 stays in charge.
        PluginJars.plugin("greeter", "3", "", "if (true) throw new IllegalStateException(\"misconfigured\");")
                .writeTo(plugins.resolve("greeter.jar"));
        PluginRegistry registry = policy.plugins().orElseThrow();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !registry.errors().isEmpty());
        assertThat(registry.errors()).anySatisfy(e -> {
            assertThat(e.source()).contains("greeter.jar");
            assertThat(e.reason()).contains("misconfigured");
        });
        assertThat(versionForNewSessions(server)).isEqualTo("2");

        // Tokens no plugin recognises prove nothing.
        Throwable stranger = org.assertj.core.api.Assertions.catchThrowable(() -> connect(server, "bearer-of-nothing"));
        assertThat(stranger).hasMessageContaining("UNAUTHENTICATED");
    }

    @Test
    void aLoadedPluginNotNamedInUseTakesNoPart() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        PluginJars.plugin("greeter", "1").writeTo(plugins.resolve("greeter.jar"));
        SecurityPolicy policy = resources.use(new SecurityOptions(
                        Map.of(
                                "auth.plugins.dir", plugins.toString(),
                                "auth.plugins.use", "someone-else",
                                "auth.audit", "none"),
                        dir,
                        Map.of())
                .build());
        assertThat(policy.plugins().orElseThrow().plugins())
                .extracting(PluginInfo::name)
                .contains("greeter");
        VstpServer server = resources.use(VstpServer.builder()
                .port(0)
                .threads(1)
                .accessControl(policy)
                .tls(TlsServerOptions.builder().home(dir.resolve("server")).build())
                .start());
        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> connect(server, "user:alice"));
        assertThat(refused).hasMessageContaining("UNAUTHENTICATED");
    }
}
