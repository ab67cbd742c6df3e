package io.vstp.transport;

import io.vstp.core.frame.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * The application side of a server: receives every DATA (and other non-session) frame a peer sends.
 *
 * <h2>Ownership</h2>
 * The transport releases {@code request} once the returned stage completes, so a handler that keeps the payload
 * beyond that must {@link Frame#retain() retain} it. The transport takes over the response frame. A stage that
 * never completes keeps its request (and an in-flight slot) forever, even after the connection closes: the
 * transport cannot know the handler is done with the payload. Complete every stage, with a timeout if need be.
 *
 * <h2>Threads</h2>
 * {@code handle} runs on the connection's event loop: it must not block. Do slow work elsewhere and complete the
 * stage later; the connection stops reading while {@link TransportLimits#maxInFlightRequests()} requests are
 * unfinished, which is how a slow handler slows its clients.
 */
@FunctionalInterface
public interface RequestHandler {
    /**
     * @return the response, or a stage completing with {@code null} for no response. For a request with a
     *         {@code req-id} the transport adds that header to the response; a failed stage becomes an ERR
     *         {@code HANDLER_ERROR} (or the stage's {@link SessionException} code) for that request only.
     */
    CompletionStage<Frame> handle(Frame request, Session session);

    /** A handler computed synchronously on the event loop (for fast, non-blocking logic). */
    static RequestHandler of(BiFunction<Frame, Session, Frame> fn) {
        return (request, session) -> CompletableFuture.completedFuture(fn.apply(request, session));
    }

    /** Answers every request with a DATA frame carrying the request's payload and headers. */
    static RequestHandler echo() {
        return of((request, session) -> new Frame(
                io.vstp.core.frame.FrameType.DATA,
                request.flags(),
                request.headers(),
                request.payload().retainedSlice()));
    }
}
