package io.vstp.transport.session;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Headers;
import io.vstp.transport.Session;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Principal;
import java.time.Instant;

/**
 * The rules a server applies to a request before its handler sees it (session.md §8), one method each, so each can
 * be read and tested on its own. Each answers why the request is refused, or null to let it through; the session
 * checks them in the order of {@link ServerSession}'s {@code admit}: closing, requests in flight, access, memory
 * pressure, bytes held.
 */
final class RequestAdmission {
    /**
     * Why a request is refused.
     *
     * @param counted whether the refusal counts as an error of the peer's (the server's own state, such as closing,
     *                is not)
     */
    record Refusal(ErrorCode code, String message, boolean counted) {}

    private RequestAdmission() {}

    /** No new request once either side has said BYE. */
    static Refusal closing(boolean byeSent, boolean byeReceived) {
        return byeSent || byeReceived ? new Refusal(ErrorCode.SHUTTING_DOWN, "session is closing", false) : null;
    }

    /** At most {@code max} requests in the handler or waiting behind their stream. */
    static Refusal inFlight(int inFlight, int max) {
        return inFlight >= max
                ? new Refusal(ErrorCode.TOO_MANY_IN_FLIGHT, "more than " + max + " requests in flight", true)
                : null;
    }

    /**
     * The principal's credentials have not expired and the access control allows the request. A failing authoriser
     * denies.
     *
     * @param canRefresh wire v2, where AUTH renews credentials in the session; v1 must reconnect
     */
    static Refusal access(
            AccessControl access,
            Principal principal,
            Headers request,
            Session session,
            boolean canRefresh,
            Instant now) {
        if (principal.expiredAt(now)) {
            return new Refusal(
                    ErrorCode.UNAUTHENTICATED,
                    canRefresh ? "credentials expired: refresh them with AUTH" : "credentials expired: reconnect",
                    true);
        }
        AccessDecision decision;
        try {
            decision = access.authorizeRequest(principal, request, session);
        } catch (RuntimeException | LinkageError e) {
            decision = AccessDecision.deny("authoriser failed: " + e.getClass().getSimpleName());
        }
        return decision == null || !decision.allowed()
                ? new Refusal(ErrorCode.PERMISSION_DENIED, "permission denied", true)
                : null;
    }

    /** The server-wide memory budget asked this connection to take nothing new (session.md §8.1). */
    static Refusal memoryPressure(boolean pressured) {
        return pressured
                ? new Refusal(ErrorCode.TOO_MANY_IN_FLIGHT, "the server is short of memory; try again shortly", true)
                : null;
    }

    /**
     * A peer that sends faster than it reads, or whose small frames decompress to large ones: what it already made
     * the server hold is the bound, not the number of requests. One request alone is always served.
     *
     * @param held bytes this connection holds now (requests in the handler, answers not yet read)
     * @param size the payload bytes of the new request
     */
    static Refusal heldBytes(long held, int size, long max) {
        return held > 0 && held + size > max
                ? new Refusal(
                        ErrorCode.TOO_MANY_IN_FLIGHT,
                        "the server holds " + held + " bytes for this connection; at most " + max
                                + " (read the answers)",
                        true)
                : null;
    }
}
