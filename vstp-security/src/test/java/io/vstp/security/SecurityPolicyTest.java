package io.vstp.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.vstp.core.frame.Headers;
import io.vstp.security.audit.AuditLog;
import io.vstp.security.rbac.RoleRules;
import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.Authorizer;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The policy's own decisions with authenticators and authorisers that misbehave as third-party plugins can: an
 * authoriser that throws, one that denies, an authenticator that throws or fails with something other than a
 * refusal; and the datagram decisions (no session), each audited.
 */
class SecurityPolicyTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4040);
    private static final Principal READER = new Principal("rita", Set.of("reader"), Map.of(), "jwt", null);

    private final ByteArrayOutputStream auditBytes = new ByteArrayOutputStream();

    private SecurityPolicy policy(
            List<Authenticator> authenticators,
            Map<String, String> rules,
            List<Authorizer> authorizers,
            Set<String> anonymousRoles) {
        return new SecurityPolicy(
                () -> authenticators,
                RoleRules.parse(rules),
                () -> authorizers,
                anonymousRoles,
                AuditLog.toStream(auditBytes),
                List.of());
    }

    /** The audit lines written so far, waiting (at most 5 s) until there are {@code count}. */
    private List<Map<String, Object>> auditLines(SecurityPolicy policy, int count) throws Exception {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> policy.audit().written() >= count);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : auditBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSONObjectUtils.parse(line));
            }
        }
        return lines;
    }

    /** An authoriser whose vote throws, as a buggy plugin's may. */
    static final class Exploding implements Authorizer {
        @Override
        public Vote vote(Principal principal, Action action) {
            throw new IllegalStateException("plugin bug");
        }
    }

    /** An authoriser that denies anything under {@code secret}. */
    static final class Secrets implements Authorizer {
        @Override
        public Vote vote(Principal principal, Action action) {
            return action.resource().startsWith("secret") ? Vote.DENY : Vote.ABSTAIN;
        }
    }

    /** An authoriser that allows the echo service. */
    static final class EchoForAll implements Authorizer {
        @Override
        public Vote vote(Principal principal, Action action) {
            return action.service().equals("echo") ? Vote.ALLOW : Vote.ABSTAIN;
        }
    }

    @Test
    void anAuthoriserThatThrowsDeniesTheRequestAndIsNamedInTheReason() {
        try (SecurityPolicy policy =
                policy(List.of(), Map.of("reader", "files:read"), List.of(new Exploding(), new EchoForAll()), null)) {
            AccessDecision d = policy.decide(READER, new Action("files", "get", "a.txt"));
            assertThat(d.allowed())
                    .as("a rule allows it, but a failing authoriser must not be skipped")
                    .isFalse();
            assertThat(d.reason())
                    .isEqualTo("authoriser " + Exploding.class.getName() + " failed: IllegalStateException");
            assertThat(policy.rules().rules()).containsOnlyKeys("reader");
        }
    }

    @Test
    void anyDenyWinsOverARuleAndOneAllowIsEnough() {
        try (SecurityPolicy policy =
                policy(List.of(), Map.of("reader", "files:read"), List.of(new Secrets(), new EchoForAll()), null)) {
            assertThat(policy.decide(READER, new Action("files", "get", "secret/plan.txt")))
                    .isEqualTo(AccessDecision.deny("denied by " + Secrets.class.getName()));
            assertThat(policy.decide(READER, new Action("files", "get", "notes.txt")))
                    .isEqualTo(AccessDecision.allow("reader → "
                            + RoleRules.parse(Map.of("reader", "files:read"))
                                    .rules()
                                    .get("reader")
                                    .get(0)));
            assertThat(policy.decide(READER, new Action("echo", "", "")))
                    .isEqualTo(AccessDecision.allow("allowed by " + EchoForAll.class.getName()));
            assertThat(policy.decide(READER, new Action("files", "put-begin", "notes.txt")))
                    .isEqualTo(AccessDecision.deny("no rule allows it"));
        }
    }

    @Test
    void anAuthenticatorThatThrowsOrFailsOddlyRefusesWithAGenericReasonAndIsAudited() throws Exception {
        Authenticator throwing = credentials -> {
            throw new IllegalStateException("plugin bug");
        };
        Authenticator failing = credentials -> CompletableFuture.failedFuture(new java.io.IOException("idp down"));
        for (Authenticator broken : List.of(throwing, failing)) {
            auditBytes.reset();
            Authenticator never = credentials -> {
                throw new AssertionError("the chain must stop at the failure");
            };
            try (SecurityPolicy policy = policy(List.of(broken, never), Map.of(), List.of(), Set.of("guest"))) {
                CompletableFuture<Principal> result = policy.authenticate(
                                new Credentials("opaque-token", List.of(), PEER, "s-9"))
                        .toCompletableFuture();
                Throwable refused =
                        org.assertj.core.api.Assertions.catchThrowable(() -> result.get(5, TimeUnit.SECONDS));
                assertThat(refused).isInstanceOf(ExecutionException.class);
                assertThat(refused.getCause())
                        .isInstanceOf(AuthenticationException.class)
                        .hasCauseInstanceOf(
                                broken == throwing ? IllegalStateException.class : java.io.IOException.class);
                assertThat(((AuthenticationException) refused.getCause()).detail())
                        .isEqualTo("authentication failed");
                assertThat(auditLines(policy, 1))
                        .singleElement()
                        .satisfies(line -> assertThat(line)
                                .containsEntry("event", "authenticate")
                                .containsEntry("allowed", false)
                                .containsEntry("reason", "authentication failed")
                                .containsEntry("session", "s-9"));
            }
        }
    }

    @Test
    void datagramRequestsWithoutCredentialsNeedAnonymousRolesAndEveryPathAllowed() throws Exception {
        Headers echo = Headers.of();
        Headers move = Headers.of("service", "files", "op", "move", "path", "inbox/a", "to", "archive/a");
        try (SecurityPolicy closed = policy(List.of(), Map.of("guest", "echo"), List.of(), null)) {
            assertThat(closed.authorizeAnonymous(echo, "udp", PEER))
                    .isEqualTo(AccessDecision.deny("credentials required"));
        }
        auditBytes.reset();
        try (SecurityPolicy open =
                policy(List.of(), Map.of("guest", "echo, files:write:inbox"), List.of(), Set.of("guest"))) {
            assertThat(open.authorizeAnonymous(echo, "udp", PEER).allowed()).isTrue();
            AccessDecision moved = open.authorizeAnonymous(move, "udp", PEER);
            assertThat(moved.allowed()).as("the destination is outside inbox").isFalse();
            List<Map<String, Object>> lines = auditLines(open, 3);
            assertThat(lines)
                    .extracting(
                            l -> l.get("subject"),
                            l -> l.get("path"),
                            l -> l.get("allowed"),
                            l -> l.get("session"),
                            l -> l.get("remote"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("anonymous", null, true, "udp", PEER.toString()),
                            org.assertj.core.groups.Tuple.tuple("anonymous", "inbox/a", true, "udp", PEER.toString()),
                            org.assertj.core.groups.Tuple.tuple(
                                    "anonymous", "archive/a", false, "udp", PEER.toString()));
        }
    }

    @Test
    void theFirstAuthenticatorThatRecognisesTheCredentialsDecides() throws Exception {
        Authenticator notMine = credentials -> CompletableFuture.completedFuture(Optional.empty());
        Authenticator mine = credentials -> CompletableFuture.completedFuture(Optional.of(READER));
        try (SecurityPolicy policy = policy(List.of(notMine, mine), Map.of(), List.of(), null)) {
            assertThat(policy.authenticate(new Credentials("t", List.of(), PEER, "s"))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS))
                    .isSameAs(READER);
            assertThat(policy.plugins()).isEmpty();
        }
    }
}
