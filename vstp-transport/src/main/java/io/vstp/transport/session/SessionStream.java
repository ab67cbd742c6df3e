package io.vstp.transport.session;

import io.vstp.core.frame.Frame;
import io.vstp.transport.ClientStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A {@link ClientStream} of a {@link ClientSession}: every call goes through the session, on its event loop. */
final class SessionStream implements ClientStream {
    private final ClientSession session;
    private final long id;
    private final CompletableFuture<Frame> response;
    private volatile MessageConsumer messages = (message, consumed) -> {
        message.release();
        consumed.run();
    };

    SessionStream(ClientSession session, long id, CompletableFuture<Frame> response) {
        this.session = session;
        this.id = id;
        this.response = response;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public CompletableFuture<Void> send(Frame message) {
        return session.sendOnStream(id, message, false, null);
    }

    @Override
    public CompletableFuture<Frame> finish(Frame last, Duration timeout) {
        session.sendOnStream(id, last, true, timeout);
        return response;
    }

    @Override
    public ClientStream onMessage(MessageConsumer consumer) {
        this.messages = java.util.Objects.requireNonNull(consumer, "consumer");
        return this;
    }

    void deliver(Frame message, Runnable consumed) {
        messages.accept(message, consumed);
    }

    @Override
    public void cancel() {
        session.cancelStream(id);
    }

    @Override
    public CompletableFuture<Frame> response() {
        return response;
    }
}
