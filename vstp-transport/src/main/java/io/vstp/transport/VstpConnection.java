package io.vstp.transport;

import io.vstp.core.frame.Frame;
import io.vstp.transport.session.ClientSession;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One established session with a server. Thread-safe: many threads may issue requests at once, and many requests
 * may be in flight (up to what the server allows in WELCOME).
 *
 * <h2>Ownership</h2>
 * Every method that takes a {@link Frame} takes over the caller's reference. Every response is the caller's to
 * release.
 */
public final class VstpConnection implements AutoCloseable {
    private final ClientSession session;
    private final Duration requestTimeout;

    VstpConnection(ClientSession session, Duration requestTimeout) {
        this.session = session;
        this.requestTimeout = requestTimeout;
    }

    /** Sends a request with the client's default timeout; completes with the response. */
    public CompletableFuture<Frame> request(Frame request) {
        return session.request(request, requestTimeout);
    }

    /**
     * Sends a request; completes with the response or fails with a {@link SessionException}: {@code
     * REQUEST_TIMEOUT}, {@code TOO_MANY_IN_FLIGHT}, {@code SHUTTING_DOWN}, {@code CONNECTION_CLOSED}, or the code
     * of the server's ERR. Cancelling the future forgets the request; a late response is released.
     */
    public CompletableFuture<Frame> request(Frame request, Duration timeout) {
        return session.request(request, timeout);
    }

    /** Sends a frame that expects no response; completes once written to the socket. */
    /**
     * Opens a stream for a long exchange: many messages, then one response, with flow control per stream
     * (docs/spec/wire-v2.md §7). Needs wire v2 ({@link #wireVersion()}); fails on a v1 session.
     */
    public CompletableFuture<ClientStream> openStream() {
        return session.openStream();
    }

    /** The wire version agreed in the handshake: 2, or 1 with a v1 peer (the Rust crate, an older server). */
    public int wireVersion() {
        return session.wireVersion();
    }

    /** What the handshake agreed, for humans and logs (wire version, compression, integrity mode). */
    public String wireSummary() {
        return session.legacy() ? session.wireSummary() + ", legacy peer without sessions" : session.wireSummary();
    }

    /** True when the server is a legacy peer without sessions (the Rust crate): no HELLO was sent (session.md §6). */
    public boolean legacyPeer() {
        return session.legacy();
    }

    public CompletableFuture<Void> send(Frame frame) {
        return session.send(frame);
    }

    /** The round-trip time of one PING. */
    public CompletableFuture<Duration> ping() {
        return session.ping();
    }

    /** Receives frames the server sends without a request. The consumer owns (and releases) each frame. */
    public void onPush(Consumer<Frame> consumer) {
        session.onPush(consumer);
    }

    /** False while the outbound buffer is above its high-water mark: producers of one-way sends should wait. */
    public boolean isWritable() {
        return session.isWritable();
    }

    /** Completes once the connection is writable (at once if it is now): chain the next one-way send on it. */
    public CompletableFuture<Void> whenWritable() {
        return session.whenWritable();
    }

    /** Bytes sent by the application but not yet handed to the socket. */
    public long pendingWriteBytes() {
        return session.pendingWriteBytes();
    }

    /** The TLS protocol negotiated ({@code TLSv1.3}), or null for a plaintext connection. */
    public String tlsProtocol() {
        javax.net.ssl.SSLSession s = session.tlsSession();
        return s == null ? null : s.getProtocol();
    }

    /**
     * The TLS key-exchange group negotiated ({@code X25519MLKEM768} is the post-quantum hybrid), or null for a
     * plaintext connection or a provider that does not report it (the JDK's).
     */
    public String tlsGroup() {
        javax.net.ssl.SSLSession s = session.tlsSession();
        return s == null ? null : io.vstp.transport.tls.TlsProtocols.namedGroup(s);
    }

    /** The TLS cipher suite negotiated, or null for a plaintext connection. */
    public String tlsCipherSuite() {
        javax.net.ssl.SSLSession s = session.tlsSession();
        return s == null ? null : s.getCipherSuite();
    }

    /** The SHA-256 fingerprint ({@code sha256:…}) of the server's certificate, or null in plaintext. */
    public String peerCertificateFingerprint() {
        javax.net.ssl.SSLSession s = session.tlsSession();
        if (s == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = s.getPeerCertificates();
            return chain.length == 0
                    ? null
                    : io.vstp.transport.tls.CertificateFingerprints.sha256(
                            (java.security.cert.X509Certificate) chain[0]);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The ALPN protocol agreed ({@code vstp/1}), or null. */
    public String applicationProtocol() {
        return session.applicationProtocol();
    }

    /** The subject the server authenticated this connection as, or null when it does not authenticate. */
    public String authenticatedSubject() {
        return session.authenticatedSubject();
    }

    /** When the server stops accepting this connection's credentials (null: they do not expire). */
    public java.time.Instant credentialsExpireAt() {
        return session.credentialsExpireAt();
    }

    /**
     * Replaces the connection's credentials with {@code token} (same subject) before they expire: AUTH on wire v2
     * (docs/spec/session.md §3.5). A client built with {@link VstpClient.Builder#bearerToken} does this by itself.
     * Completes with the new expiry; fails with {@code UNAUTHENTICATED} when the server refuses the token, or
     * {@code PROTOCOL_VIOLATION} on wire v1 (reconnect instead).
     */
    public java.util.concurrent.CompletableFuture<java.time.Instant> refreshCredentials(String token) {
        return session.refreshCredentials(token);
    }

    public String sessionId() {
        return session.sessionId();
    }

    /** The server's {@code impl} from WELCOME, e.g. {@code vstp-java/0.1.0}. */
    public String serverImplementation() {
        return session.serverImplementation();
    }

    /** How many requests the server lets this connection have in flight, from WELCOME. */
    public int serverMaxInFlight() {
        return session.serverMaxInFlight();
    }

    /** The largest frame the server accepts, from WELCOME. */
    public int serverMaxFrame() {
        return session.serverMaxFrame();
    }

    /** Completes when the connection has closed, for whatever reason. */
    public CompletableFuture<Void> closeFuture() {
        return session.whenClosed();
    }

    /** Graceful close: waits for pending responses (at most {@code deadline}), says BYE, closes. */
    public CompletableFuture<Void> close(Duration deadline) {
        return session.close(deadline);
    }

    /** {@link #close(Duration)} with 5 s, waiting for it. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5)).join();
    }

    /** A blocking view of this connection, for scripts and simple callers. */
    public Blocking blocking() {
        return new Blocking();
    }

    /** Blocking calls on the same connection; exceptions are the {@link SessionException}s of the async API. */
    public final class Blocking {
        private Blocking() {}

        public Frame request(Frame request) {
            return await(VstpConnection.this.request(request), requestTimeout.plusSeconds(1));
        }

        public Frame request(Frame request, Duration timeout) {
            return await(VstpConnection.this.request(request, timeout), timeout.plusSeconds(1));
        }

        public void send(Frame frame) {
            await(VstpConnection.this.send(frame), requestTimeout);
        }

        public Duration ping() {
            return await(VstpConnection.this.ping(), requestTimeout);
        }
    }

    private static <T> T await(CompletableFuture<T> future, Duration max) {
        try {
            return future.get(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new SessionException(
                    io.vstp.core.error.ErrorCode.REQUEST_TIMEOUT,
                    io.vstp.core.error.VstpException.Scope.REQUEST,
                    "no result within " + max.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
