package io.vstp.services;

import io.vstp.transport.auth.Principal;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsSessionInfo;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who each DTLS association proved to be (services.md §2b). A principal is bound to the association it was proved
 * on, not merely to the peer's address: when that association ends or is replaced by a new handshake from the same
 * address, the binding no longer holds and the peer is anonymous again. Bounded in entries, since every peer that
 * completes a handshake can ask.
 */
final class DatagramCredentials {
    /** Associations with credentials at once; beyond it, stale ones are dropped, then new ones refused. */
    static final int MAX_BOUND = 4096;

    private record Bound(DtlsSessionInfo association, Principal principal) {}

    private final Map<InetSocketAddress, Bound> byPeer = new ConcurrentHashMap<>();
    private final VstpUdpEndpoint[] endpoint;

    /** @param endpoint holds the endpoint once it has started (the handler is built before it) */
    DatagramCredentials(VstpUdpEndpoint[] endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Binds {@code principal} to {@code peer}'s current association; false when there is none (plaintext, or it
     * ended) or when the table is full of live bindings.
     */
    boolean bind(InetSocketAddress peer, Principal principal) {
        return bind(peer, principal, association(peer));
    }

    /**
     * Binds {@code principal} to {@code peer} only if its current association is still {@code arrivedOn}, the one
     * the credentials came over: a handshake that replaced it meanwhile (authentication is asynchronous) proved
     * nothing.
     */
    boolean bind(InetSocketAddress peer, Principal principal, DtlsSessionInfo arrivedOn) {
        DtlsSessionInfo association = association(peer);
        if (association == null || association != arrivedOn) {
            return false;
        }
        if (byPeer.size() >= MAX_BOUND && !byPeer.containsKey(peer)) {
            byPeer.entrySet()
                    .removeIf(e -> e.getValue().association() != association(e.getKey())
                            || e.getValue().principal().expiredAt(Instant.now()));
            if (byPeer.size() >= MAX_BOUND) {
                return false;
            }
        }
        byPeer.put(peer, new Bound(association, principal));
        return true;
    }

    /** The principal {@code peer}'s current association proved, or null (none, another association, expired). */
    Principal current(InetSocketAddress peer) {
        Bound b = byPeer.get(peer);
        if (b == null) {
            return null;
        }
        // Identity, not equality: each handshake makes its own session object, and only this one was authenticated.
        if (b.association() != association(peer) || b.principal().expiredAt(Instant.now())) {
            byPeer.remove(peer, b);
            return null;
        }
        return b.principal();
    }

    int size() {
        return byPeer.size();
    }

    /** {@code peer}'s current association, or null (captured when credentials arrive, checked when they bind). */
    DtlsSessionInfo association(InetSocketAddress peer) {
        return endpoint[0] == null ? null : endpoint[0].dtlsSession(peer).orElse(null);
    }
}
