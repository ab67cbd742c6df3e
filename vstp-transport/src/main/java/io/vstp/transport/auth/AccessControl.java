package io.vstp.transport.auth;

import io.vstp.transport.Session;
import java.util.concurrent.CompletionStage;

/**
 * What a server asks before it lets a peer in and before each request (docs/spec/session.md §3.4). The transport
 * declares it; {@code vstp-security} implements it (JWT, introspection, mTLS, role rules, plugins, audit).
 *
 * <h2>Threads</h2>
 * {@link #authenticate} is called on the connection's event loop and may complete later on any thread (fetching
 * keys, calling an introspection endpoint); the handshake timeout bounds it. {@link #authorize} runs on the event
 * loop for every request and must not block.
 */
public interface AccessControl {
    /**
     * Proves who the peer is. Completes with the principal, or fails with an {@link AuthenticationException}
     * (any other failure is reported to the peer as "authentication failed").
     */
    CompletionStage<Principal> authenticate(Credentials credentials);

    /** Decides whether {@code principal} may perform {@code action} on {@code session}; must not block. */
    AccessDecision authorize(Principal principal, Action action, Session session);

    /**
     * Decides on a whole request: its action and, when it names a second path ({@code to}, a move's destination),
     * that one too (services.md §2a). Transports call this, so no request is checked on one path only.
     */
    default AccessDecision authorizeRequest(Principal principal, io.vstp.core.frame.Headers request, Session session) {
        return Action.decideEveryPath(request, action -> authorize(principal, action, session));
    }
}
