package io.vstp.transport.session;

import io.vstp.core.frame.Frame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One wire-v2 stream opened by a client (docs/spec/wire-v2.md §7): any number of messages to the server, the last
 * one ending the stream; the server may answer each message ({@link #onMessage}) and ends the stream with its
 * response ({@link #response()}). Messages on one stream reach the server's handler one at a time, in order. Flow control applies per stream: {@link #send} completes
 * when the message has left under the credit the server granted, so a producer that waits for it never runs
 * ahead of a slow server, and other streams on the connection keep moving.
 *
 * <p>Thread-safe: calls hop to the connection's event loop.
 */
public final class ClientStream {
    private final ClientSession session;
    private final long id;
    private final CompletableFuture<Frame> response;
    private volatile MessageConsumer messages = (message, consumed) -> {
        message.release();
        consumed.run();
    };

    /** Receives the server's messages on a stream before its last one, and says when it is done with each. */
    @FunctionalInterface
    public interface MessageConsumer {
        /**
         * Owns {@code message}; runs on the event loop and must not block. Call {@code consumed} (from any thread)
         * once the message is processed: only then does its flow-control credit go back to the server, so a slow
         * consumer slows the server's stream down instead of buffering it.
         */
        void accept(Frame message, Runnable consumed);
    }

    ClientStream(ClientSession session, long id, CompletableFuture<Frame> response) {
        this.session = session;
        this.id = id;
        this.response = response;
    }

    public long id() {
        return id;
    }

    /** Sends a message that more will follow. Takes over {@code message}; completes once it is written. */
    public CompletableFuture<Void> send(Frame message) {
        return session.sendOnStream(id, message, false, null);
    }

    /**
     * Sends the last message and completes with the server's response (which the caller releases), failing
     * after {@code timeout} without one.
     */
    public CompletableFuture<Frame> finish(Frame last, Duration timeout) {
        session.sendOnStream(id, last, true, timeout);
        return response;
    }

    /**
     * Who receives the server's messages on this stream before its last one (an acknowledgement per message sent,
     * or the parts of a long answer). Set it before sending; without one they are released. Each message's
     * flow-control credit goes back to the server only when the consumer runs {@code consumed}.
     */
    public ClientStream onMessage(MessageConsumer consumer) {
        this.messages = java.util.Objects.requireNonNull(consumer, "consumer");
        return this;
    }

    void deliver(Frame message, Runnable consumed) {
        messages.accept(message, consumed);
    }

    /** Abandons the stream: a CANCEL to the server; the response fails with {@code CANCELLED}. */
    public void cancel() {
        session.cancelStream(id);
    }

    /** The response, also available before {@link #finish} (the server may answer early, or fail the stream). */
    public CompletableFuture<Frame> response() {
        return response;
    }
}
