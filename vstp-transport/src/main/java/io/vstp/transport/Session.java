package io.vstp.transport;

import io.vstp.core.frame.Frame;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/** The server's view of one connected peer, handed to the {@link RequestHandler} with every request. */
public interface Session {
    /** The id the server assigned in WELCOME (32 hex digits); {@code "legacy-…"} for a peer without HELLO. */
    String id();

    SocketAddress remoteAddress();

    /** True for a peer that sent no HELLO (the Rust crate, plaintext only): see docs/spec/session.md §6. */
    boolean legacy();

    /**
     * Who the peer proved to be (docs/spec/session.md §3.4): its token's or certificate's subject, roles and claims.
     * {@link io.vstp.transport.auth.Principal#ANONYMOUS} on a server without authentication. It may change once,
     * to the same subject with new claims, when the peer refreshes its token.
     */
    io.vstp.transport.auth.Principal principal();

    /** The wire version agreed in the handshake: 2 (docs/spec/wire-v2.md) or 1. */
    int wireVersion();

    /**
     * Sends a frame to the peer without a request (a push). Takes over {@code frame}. The future completes when
     * the frame is written to the socket; respect {@link #isWritable()} to keep the outbound queue short.
     */
    CompletableFuture<Void> send(Frame frame);

    /**
     * Wire v2: sends {@code message} on the stream of a request being handled, ahead of the response the handler
     * returns (which ends the stream): a long answer in many messages, for example a file. Takes over
     * {@code message}. The future completes once the message has left under the client's flow-control credit,
     * so a producer that waits for it goes no faster than the client consumes. Fails with
     * {@code PROTOCOL_VIOLATION} on a v1 session, {@code CANCELLED} once the stream is gone.
     */
    CompletableFuture<Void> sendOnStream(long streamId, Frame message);

    /** False while the outbound buffer is above its high-water mark: a producer should wait. */
    boolean isWritable();

    /**
     * Completes (on the event loop) once the connection is writable, at once if it is now; fails if it closes
     * first. Producers chain their next send on it, so a slow reader slows them instead of growing a queue.
     */
    CompletableFuture<Void> whenWritable();

    /** Bytes written by the application but not yet handed to the socket. */
    long pendingWriteBytes();

    /**
     * Completes once the connection has closed (at once if it has): work still queued for this peer may be
     * dropped, since nobody will read its answers.
     */
    java.util.concurrent.CompletionStage<Void> closeFuture();
}
