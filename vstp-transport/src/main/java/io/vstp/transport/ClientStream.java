package io.vstp.transport;

import io.vstp.core.frame.Frame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One wire-v2 stream opened by a client (docs/spec/wire-v2.md §7): any number of messages to the server, the last
 * one ending the stream; the server may answer each message ({@link #onMessage}) and ends the stream with its
 * response ({@link #response()}). Messages on one stream reach the server's handler one at a time, in order. Flow
 * control applies per stream: {@link #send} completes when the message has left under the credit the server
 * granted, so a producer that waits for it never runs ahead of a slow server, and other streams on the connection
 * keep moving.
 *
 * <p>An interface so that its implementation can stay with the session machinery, which the module does not export.
 *
 * <p>Thread-safe: calls hop to the connection's event loop.
 */
public interface ClientStream {

    /** Receives the server's messages on a stream before its last one, and says when it is done with each. */
    @FunctionalInterface
    interface MessageConsumer {
        /**
         * Owns {@code message}; runs on the event loop and must not block. Call {@code consumed} (from any thread)
         * once the message is processed: only then does its flow-control credit go back to the server, so a slow
         * consumer slows the server's stream down instead of buffering it.
         */
        void accept(Frame message, Runnable consumed);
    }

    long id();

    /** Sends a message that more will follow. Takes over {@code message}; completes once it is written. */
    CompletableFuture<Void> send(Frame message);

    /**
     * Sends the last message and completes with the server's response (which the caller releases), failing
     * after {@code timeout} without one.
     */
    CompletableFuture<Frame> finish(Frame last, Duration timeout);

    /**
     * Who receives the server's messages on this stream before its last one (an acknowledgement per message sent,
     * or the parts of a long answer). Set it before sending; without one they are released. Each message's
     * flow-control credit goes back to the server only when the consumer runs {@code consumed}.
     */
    ClientStream onMessage(MessageConsumer consumer);

    /** Abandons the stream: a CANCEL to the server; the response fails with {@code CANCELLED}. */
    void cancel();

    /** The response, also available before {@link #finish} (the server may answer early, or fail the stream). */
    CompletableFuture<Frame> response();
}
