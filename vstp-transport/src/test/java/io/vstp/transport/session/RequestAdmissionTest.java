package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Headers;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Each rule a server applies before a request reaches its handler, on its own. */
class RequestAdmissionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Headers PUT =
            Headers.builder().add("op", "put").add("path", "a.txt").build();

    private static AccessControl deciding(AccessDecision decision) {
        return new AccessControl() {
            @Override
            public java.util.concurrent.CompletionStage<Principal> authenticate(
                    io.vstp.transport.auth.Credentials credentials) {
                return CompletableFuture.completedFuture(Principal.ANONYMOUS);
            }

            @Override
            public AccessDecision authorize(
                    Principal principal, io.vstp.transport.auth.Action action, io.vstp.transport.Session session) {
                if (decision == null) {
                    throw new IllegalStateException("authoriser bug");
                }
                return decision;
            }
        };
    }

    private static Principal alice(Instant expiresAt) {
        return new Principal("alice", Set.of("writer"), Map.of(), "bearer", expiresAt);
    }

    @Test
    void aClosingSessionRefusesWithoutCountingItAgainstThePeer() {
        assertThat(RequestAdmission.closing(false, false)).isNull();
        for (boolean[] bye : new boolean[][] {{true, false}, {false, true}}) {
            RequestAdmission.Refusal r = RequestAdmission.closing(bye[0], bye[1]);
            assertThat(r.code()).isEqualTo(ErrorCode.SHUTTING_DOWN);
            assertThat(r.counted()).isFalse();
        }
    }

    @Test
    void requestsInFlightAreBoundedAtTheLimitExactly() {
        assertThat(RequestAdmission.inFlight(15, 16)).isNull();
        RequestAdmission.Refusal r = RequestAdmission.inFlight(16, 16);
        assertThat(r.code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
        assertThat(r.message()).contains("16");
        assertThat(r.counted()).isTrue();
    }

    @Test
    void expiredCredentialsAreRefusedWithTheWayToRenewThemForTheWireVersion() {
        AccessControl allowAll = deciding(AccessDecision.allow("ok"));
        Principal expired = alice(NOW.minusSeconds(1));
        RequestAdmission.Refusal v2 = RequestAdmission.access(allowAll, expired, PUT, null, true, NOW);
        RequestAdmission.Refusal v1 = RequestAdmission.access(allowAll, expired, PUT, null, false, NOW);
        assertThat(v2.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(v2.message()).contains("AUTH");
        assertThat(v1.message()).contains("reconnect");
        assertThat(RequestAdmission.access(allowAll, alice(NOW.plusSeconds(60)), PUT, null, true, NOW))
                .isNull();
    }

    @Test
    void theAccessControlDecidesAndAFailingOrSilentAuthoriserDenies() {
        Principal p = alice(null);
        assertThat(RequestAdmission.access(deciding(AccessDecision.allow("writer")), p, PUT, null, true, NOW))
                .isNull();
        assertThat(RequestAdmission.access(deciding(AccessDecision.deny("reader")), p, PUT, null, true, NOW)
                        .code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(RequestAdmission.access(deciding(null), p, PUT, null, true, NOW)
                        .code())
                .as("an authoriser that throws")
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        AccessControl silent = new AccessControl() {
            @Override
            public java.util.concurrent.CompletionStage<Principal> authenticate(
                    io.vstp.transport.auth.Credentials credentials) {
                return null;
            }

            @Override
            public AccessDecision authorize(
                    Principal principal, io.vstp.transport.auth.Action action, io.vstp.transport.Session session) {
                return null;
            }
        };
        assertThat(RequestAdmission.access(silent, p, PUT, null, true, NOW).code())
                .as("an authoriser that answers nothing")
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void memoryPressureRefusesNewRequests() {
        assertThat(RequestAdmission.memoryPressure(false)).isNull();
        assertThat(RequestAdmission.memoryPressure(true).code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
    }

    @Test
    void heldBytesBoundTheConnectionButOneRequestAloneIsAlwaysServed() {
        long max = 1000;
        assertThat(RequestAdmission.heldBytes(0, 5000, max))
                .as("nothing held: served whatever its size")
                .isNull();
        assertThat(RequestAdmission.heldBytes(600, 400, max))
                .as("exactly at the bound")
                .isNull();
        RequestAdmission.Refusal r = RequestAdmission.heldBytes(600, 401, max);
        assertThat(r.code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
        assertThat(r.message()).contains("600").contains("1000");
    }
}
