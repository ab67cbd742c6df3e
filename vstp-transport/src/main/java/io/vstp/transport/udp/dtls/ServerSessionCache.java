package io.vstp.transport.udp.dtls;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.tls.TlsSession;

/**
 * The server's sessions for resumption (RFC 5246 §7.3 session IDs), by session ID: bounded in number (the oldest
 * goes first) and in age. Used from handshake threads, hence synchronized; a lookup is a hash-map access.
 */
final class ServerSessionCache {
    private static final HexFormat HEX = HexFormat.of();

    private record Entry(TlsSession session, long created) {}

    private final int capacity;
    private final long lifetimeNanos;
    private final Map<String, Entry> sessions;

    ServerSessionCache(int capacity, long lifetimeNanos) {
        this.capacity = capacity;
        this.lifetimeNanos = lifetimeNanos;
        this.sessions = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > ServerSessionCache.this.capacity;
            }
        };
    }

    boolean isEnabled() {
        return capacity > 0;
    }

    /** The resumable session with this ID, or null (unknown, expired, or invalidated after a failure). */
    synchronized TlsSession get(byte[] sessionId) {
        if (sessionId == null || sessionId.length == 0) {
            return null;
        }
        String key = HEX.formatHex(sessionId);
        Entry entry = sessions.get(key);
        if (entry == null) {
            return null;
        }
        if (System.nanoTime() - entry.created() > lifetimeNanos
                || !entry.session().isResumable()) {
            sessions.remove(key);
            return null;
        }
        return entry.session();
    }

    /** Keeps a session from a full handshake; a resumed one keeps its original age (RFC 5246 §F.1.4). */
    synchronized void put(TlsSession session) {
        byte[] id = session.getSessionID();
        if (capacity == 0 || id == null || id.length == 0) {
            return;
        }
        sessions.putIfAbsent(HEX.formatHex(id), new Entry(session, System.nanoTime()));
    }

    synchronized int size() {
        return sessions.size();
    }
}
