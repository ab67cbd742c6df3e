package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.SessionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A client's renewal of its credentials inside an open wire v2 session (session.md §3.5): one AUTH at a time, its
 * answer matched to it, and, with a token source, a renewal when three quarters of the credentials' life has passed,
 * so a long-lived connection never meets an expired token. Event loop only, like the session that owns it.
 */
final class CredentialRefresh {
    private static final VstpException.Scope REQUEST = VstpException.Scope.REQUEST;

    private final ChannelHandlerContext ctx;
    /** The token source, or null: then credentials are renewed only when the application asks. */
    private final Supplier<String> tokens;
    /** How long the server may take to answer AUTH: it checks within its handshake timeout. */
    private final Duration answerWait;
    /** Whether the session still takes new work; a renewal timer that fires after it closed does nothing. */
    private final BooleanSupplier active;

    private volatile Instant expiresAt;
    /** The AUTH awaiting the server's answer. */
    private CompletableFuture<Instant> waiting;

    private ScheduledFuture<?> timer;
    /** Why the session closed, once it has: every refresh after that fails with it at once. */
    private volatile SessionException closed;

    CredentialRefresh(
            ChannelHandlerContext ctx,
            Supplier<String> tokens,
            Duration answerWait,
            Instant expiresAt,
            BooleanSupplier active) {
        this.ctx = ctx;
        this.tokens = tokens;
        this.answerWait = answerWait;
        this.expiresAt = expiresAt;
        this.active = active;
    }

    /** When the server stops accepting the session's credentials, or null when they do not expire. */
    Instant expiresAt() {
        return expiresAt;
    }

    /**
     * Sends {@code token} in AUTH and completes with the new expiry; a second call waits for the first to end. A
     * server that never answers fails it after twice its handshake timeout, so refreshes never stop for good.
     */
    void refresh(String token, CompletableFuture<Instant> done) {
        if (closed != null) {
            done.completeExceptionally(closed);
            return;
        }
        if (waiting != null) {
            waiting.whenComplete((t, e) -> {
                try {
                    ctx.executor().execute(() -> refresh(token, done));
                } catch (RejectedExecutionException gone) {
                    // The event loop stopped with the client: nothing will answer this refresh.
                    done.completeExceptionally(
                            closed != null
                                    ? closed
                                    : new SessionException(
                                            ErrorCode.CONNECTION_CLOSED, REQUEST, "connection is closed"));
                }
            });
            return;
        }
        waiting = done;
        ctx.writeAndFlush(
                SessionAuth.withToken(FrameType.AUTH, Headers.builder(1).build(), token));
        long wait = 2 * answerWait.toNanos();
        ctx.executor()
                .schedule(
                        () -> {
                            if (waiting == done) {
                                waiting = null;
                                done.completeExceptionally(new SessionException(
                                        ErrorCode.REQUEST_TIMEOUT,
                                        REQUEST,
                                        "no answer to AUTH within " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms"));
                            }
                        },
                        wait,
                        TimeUnit.NANOSECONDS);
    }

    /** The server's answer to AUTH; one nobody asked for is ignored. Takes over {@code answer}. */
    void onAnswer(Frame answer) {
        CompletableFuture<Instant> done = waiting;
        waiting = null;
        try {
            if (done == null) {
                return;
            }
            if (SessionAuth.OK.equals(answer.headers().value(SessionAuth.STATUS))) {
                expiresAt = SessionAuth.expiry(answer);
                done.complete(expiresAt);
                schedule();
            } else {
                String why = answer.headers().value(SessionAuth.MESSAGE);
                done.completeExceptionally(new SessionException(
                        ErrorCode.UNAUTHENTICATED,
                        REQUEST,
                        (why != null ? why : "refused") + " (reported by the peer)"));
            }
        } finally {
            answer.release();
        }
    }

    /** With a token source and credentials that expire, plans the next renewal; a failed one is retried later. */
    void schedule() {
        Instant expires = expiresAt;
        if (tokens == null || expires == null || closed != null) {
            return;
        }
        SessionHandler.cancel(timer);
        long left = Duration.between(Instant.now(), expires).toMillis();
        long delay = Math.max(1_000, left * 3 / 4);
        timer = ctx.executor()
                .schedule(
                        () -> {
                            if (closed != null || !active.getAsBoolean()) {
                                return;
                            }
                            String token;
                            try {
                                token = tokens.get();
                            } catch (RuntimeException e) {
                                return;
                            }
                            CompletableFuture<Instant> done = new CompletableFuture<>();
                            refresh(token, done);
                            done.whenComplete((t, e) -> {
                                Instant until = expiresAt;
                                if (e != null
                                        && closed == null
                                        && until != null
                                        && Instant.now().isBefore(until)) {
                                    ctx.executor().execute(this::schedule);
                                }
                            });
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
    }

    /** The session closed: no more renewals, and a pending one fails with {@code cause}. */
    void close(SessionException cause) {
        closed = cause;
        SessionHandler.cancel(timer);
        if (waiting != null) {
            waiting.completeExceptionally(cause);
            waiting = null;
        }
    }
}
