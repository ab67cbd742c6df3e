package io.vstp.transport.udp.dtls;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.DTLSTransport;

/**
 * One DTLS peer of a {@link DtlsDatagramLink}: its queue, its handshake and, once established, its record layer.
 *
 * <p>Lifecycle: created {@link State#HANDSHAKING} on the event loop (server: after a valid cookie; client: by
 * {@code connect} or the first {@code send}); the handshake runs on a handshake thread; the event loop then makes
 * it {@link State#ESTABLISHED} or removes it. From then on only the event loop touches the record layer, for both
 * directions, so BouncyCastle's {@code DTLSTransport} never sees two threads at once (its retransmission of the
 * last handshake flight briefly switches the write epoch, which a concurrent send would corrupt).
 *
 * <p>Fields without {@code volatile} belong to the event loop.
 */
final class Association {
    enum State {
        HANDSHAKING,
        ESTABLISHED,
        CLOSED
    }

    final InetSocketAddress peer;
    final QueuedDatagramTransport transport;
    final CompletableFuture<DtlsSessionInfo> established = new CompletableFuture<>();
    /** System.nanoTime() by which the handshake must have finished. */
    final long handshakeDeadline;

    private final ArrayDeque<byte[]> pendingSends = new ArrayDeque<>();
    private final int maxPendingSends;

    volatile State state = State.HANDSHAKING;
    volatile DtlsSessionInfo session;
    /** Set from BouncyCastle's alert callback (handshake thread or event loop). */
    volatile boolean peerClosed;

    DTLSTransport dtls;
    int sendLimit;
    long lastActivity;
    /**
     * The random of the ClientHello that started this association (server), to tell a retransmission from a restart.
     */
    byte[] clientRandom;

    Future<?> handshake;

    Association(
            InetSocketAddress peer,
            QueuedDatagramTransport transport,
            long now,
            long handshakeTimeoutNanos,
            int maxPendingSends) {
        this.peer = peer;
        this.transport = transport;
        this.handshakeDeadline = now + handshakeTimeoutNanos;
        this.lastActivity = now;
        this.maxPendingSends = maxPendingSends;
    }

    /** Milliseconds left for the handshake, at least 1 if any time is left, else 0 or less. */
    int remainingHandshakeMillis() {
        long remaining = (handshakeDeadline - System.nanoTime()) / 1_000_000;
        return remaining > 0 ? (int) Math.min(remaining, Integer.MAX_VALUE) : 0;
    }

    /** Keeps a plaintext datagram until the handshake ends; false if too many wait already. */
    boolean queueSend(byte[] plaintext) {
        if (pendingSends.size() >= maxPendingSends) {
            return false;
        }
        pendingSends.add(plaintext);
        return true;
    }

    byte[] pollPendingSend() {
        return pendingSends.poll();
    }

    /** Forgets the datagrams waiting for the handshake; returns how many there were. */
    int discardPendingSends() {
        int n = pendingSends.size();
        pendingSends.clear();
        return n;
    }

    /** BouncyCastle's alert callback: a fatal alert or close_notify from the peer ends the association. */
    void alertReceived(short level, short description) {
        if (level == AlertLevel.fatal || description == AlertDescription.close_notify) {
            peerClosed = true;
        }
    }
}
