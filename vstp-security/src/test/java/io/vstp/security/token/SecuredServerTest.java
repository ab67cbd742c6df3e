package io.vstp.security.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.testing.Resources;
import io.vstp.security.SecurityOptions;
import io.vstp.security.SecurityPolicy;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.SessionException;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with a policy built from {@code auth.*} settings, trusting a JWKS endpoint (the JDK's HttpServer on
 * 127.0.0.1) that rotates its keys while sessions are open: established sessions keep their principal, new tokens
 * signed with the new key are accepted on connect and on AUTH refresh, tokens of the retired key are refused, the
 * group claim maps to roles, and the audit log holds no token.
 */
class SecuredServerTest {
    @TempDir
    Path dir;

    private JwksEndpoint idp;
    private final Resources resources = new Resources();

    @BeforeEach
    void startIdentityProvider() throws Exception {
        idp = new JwksEndpoint();
    }

    @AfterEach
    void stop() throws Exception {
        resources.close();
        idp.close();
    }

    private static String token(JWK key, String subject, List<String> groups, Duration ttl) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .claim("realm_access", Map.of("roles", groups))
                .build();
        return TestTokens.sign(key, key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256, claims);
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

    private static String whoAmI(VstpConnection conn, String service) throws Exception {
        Frame.Builder b = Frame.builder(FrameType.DATA).payload("?");
        if (service != null) {
            b.header("service", service).header("op", "stat").header("path", "reports/q3.pdf");
        }
        Frame reply = conn.request(b.build()).get(5, TimeUnit.SECONDS);
        try {
            return reply.payloadAsString();
        } finally {
            reply.release();
        }
    }

    private static ErrorCode refusal(ThrowingCall call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            return ((SessionException) e.getCause()).code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a refusal");
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void keysRotateUnderLiveSessions() throws Exception {
        RSAKey k1 = TestTokens.rsa("k1");
        ECKey k2 = TestTokens.ec("k2");
        idp.publish(k1);
        Path audit = dir.resolve("audit.log");
        SecurityPolicy policy = resources.use(new SecurityOptions(
                        Map.of(
                                "auth.jwt.jwks-url", idp.uri().toString(),
                                "auth.jwt.issuer", TestTokens.ISSUER,
                                "auth.jwt.audience", TestTokens.AUDIENCE,
                                "auth.jwt.roles-claim", "realm_access.roles",
                                "auth.jwt.role-map.finance", "analyst",
                                "auth.jwt.role-map.staff", "member",
                                "auth.jwt.jwks-rate-limit", "1s",
                                "auth.role.member", "echo",
                                "auth.role.analyst", "files:read:reports",
                                "auth.audit", audit.toString()),
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
                                + session.principal().roles())
                        .build()))
                .start());

        String aliceK1 = token(k1, "alice", List.of("staff", "finance", "unmapped"), Duration.ofMinutes(5));
        VstpConnection alice = connect(server, aliceK1);
        assertThat(whoAmI(alice, null)).isEqualTo("alice [analyst, member]");
        assertThat(whoAmI(alice, "files")).isEqualTo("alice [analyst, member]");
        VstpConnection staff = connect(server, token(k1, "sam", List.of("staff"), Duration.ofMinutes(5)));
        assertThat(refusal(() -> whoAmI(staff, "files"))).isEqualTo(ErrorCode.PERMISSION_DENIED);

        // The identity provider rotates: k2 replaces k1.
        idp.publish(k2);
        Thread.sleep(1_100); // past the refresh rate limit
        VstpConnection bob = connect(server, token(k2, "bob", List.of("staff"), Duration.ofMinutes(5)));
        assertThat(whoAmI(bob, null)).isEqualTo("bob [member]");
        // Sessions established under k1 keep their principal.
        assertThat(whoAmI(alice, null)).isEqualTo("alice [analyst, member]");
        // Alice refreshes on her live session with a k2 token; a k1 token is no longer trusted anywhere.
        assertThat(alice.refreshCredentials(token(k2, "alice", List.of("staff"), Duration.ofMinutes(10)))
                        .get(10, TimeUnit.SECONDS))
                .isAfter(Instant.now().plus(Duration.ofMinutes(9)));
        assertThat(refusal(() -> whoAmI(alice, "files"))).isEqualTo(ErrorCode.PERMISSION_DENIED);
        Throwable retired = org.assertj.core.api.Assertions.catchThrowable(() -> connect(server, aliceK1));
        assertThat(retired).hasRootCauseInstanceOf(SessionException.class).hasMessageContaining("unknown signing key");
        assertThat(idp.fetches()).isBetween(2, 6);

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> policy.audit().written() >= 10);
        String log = Files.readString(audit);
        assertThat(log)
                .contains("\"subject\":\"sam\"")
                .contains("\"reason\":\"unknown signing key\"")
                .contains("\"reason\":\"analyst → files:read:reports\"");
        for (String t : List.of(aliceK1)) {
            assertThat(log)
                    .doesNotContain(t)
                    .doesNotContain(t.substring(t.lastIndexOf('.') + 1))
                    .doesNotContain(t.substring(0, t.indexOf('.')));
        }
    }
}
