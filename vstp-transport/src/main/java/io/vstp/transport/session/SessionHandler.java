package io.vstp.transport.session;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.TransportLimits;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both ends of a session do alike (docs/spec/session.md): answer PING, time out handshakes, idle connections
 * and frames that never finish, and turn protocol errors into an ERR frame and a close. Everything here runs on
 * the channel's event loop, so no field needs synchronisation.
 */
public abstract class SessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class.getName());

    protected final TransportLimits limits;
    private final Consumer<ErrorCode> errorCounter;
    protected ChannelHandlerContext ctx;
    private ScheduledFuture<?> frameTimer;
    private ScheduledFuture<?> handshakeTimer;
    /** Set once the connection is doomed: frames still in the decoder's output are dropped. */
    private boolean failed;

    protected SessionHandler(TransportLimits limits, Consumer<ErrorCode> errorCounter) {
        this.limits = limits;
        this.errorCounter = errorCounter;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        handshakeTimer = ctx.executor()
                .schedule(
                        () -> fail(
                                ErrorCode.HANDSHAKE_TIMEOUT,
                                "session not established within "
                                        + limits.handshakeTimeout().toMillis() + " ms"),
                        limits.handshakeTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    /** Runs {@code task} on this channel's event loop: at once when already on it, else queued there. */
    protected final void onLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    /** Called by subclasses when HELLO/WELCOME completes. */
    protected final void established() {
        cancel(handshakeTimer);
        handshakeTimer = null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel(handshakeTimer);
        cancel(frameTimer);
        failWritableWaiters();
        closed();
        super.channelInactive(ctx);
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        cancel(frameTimer);
        frameTimer = null;
        String violation = violation(frame);
        if (violation != null) {
            frame.release();
            fail(ErrorCode.PROTOCOL_VIOLATION, violation);
            return;
        }
        if (frame.type().equals(FrameType.PING)) {
            try {
                if (answersPing()) {
                    ctx.writeAndFlush(SessionFrames.pong(frame));
                }
            } finally {
                frame.release();
            }
            return;
        }
        onFrame(frame);
    }

    /** Bytes of a frame started and not finished (the decoder stage's, whichever wire version it decodes). */
    protected final int pendingFrameBytes() {
        return ctx.pipeline().get(VstpFrameDecoder.NAME) instanceof VstpFrameDecoder d ? d.pendingBytes() : 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        boolean partial = pendingFrameBytes() > 0;
        if (partial && frameTimer == null && !failed) {
            frameTimer = ctx.executor()
                    .schedule(
                            () -> fail(
                                    ErrorCode.FRAME_TIMEOUT,
                                    "frame not completed within "
                                            + limits.frameTimeout().toMillis() + " ms"),
                            limits.frameTimeout().toNanos(),
                            TimeUnit.NANOSECONDS);
        } else if (!partial) {
            cancel(frameTimer);
            frameTimer = null;
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                fail(
                        ErrorCode.IDLE_TIMEOUT,
                        "nothing received for " + limits.idleTimeout().toMillis() + " ms");
            } else if (idle.state() == IdleState.ALL_IDLE) {
                onKeepalive();
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
            onTransportFailure(hs.cause());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof VstpException ve && ve.scope() == VstpException.Scope.CONNECTION) {
            fail(ve.code(), ve.detail());
            return;
        }
        LOG.atDebug().setMessage(() -> "closing " + ctx.channel() + ": " + c).log();
        onTransportFailure(c);
        failed = true;
        ctx.close();
    }

    /**
     * Ends the connection for {@code code}: an ERR frame first when the peer can understand one, then close.
     * Idempotent.
     */
    public final void fail(ErrorCode code, String message) {
        if (failed) {
            return;
        }
        failed = true;
        errorCounter.accept(code);
        LOG.atDebug()
                .setMessage(() -> "closing " + ctx.channel() + " with " + code + ": " + message)
                .log();
        onFailure(code, message);
        if (ctx.channel().isActive() && sendsErr()) {
            ctx.writeAndFlush(SessionFrames.err(code, message, null)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    protected final boolean isFailed() {
        return failed;
    }

    protected final void countError(ErrorCode code) {
        errorCounter.accept(code);
    }

    /** Why {@code frame} breaks a per-frame rule of the agreed wire version, or null (wire v2: its flag rules). */
    protected String violation(Frame frame) {
        return null;
    }

    /** Handles every frame but PING. Owns {@code frame}. */
    protected abstract void onFrame(Frame frame);

    /** True when the peer understands ERR frames (not a legacy crate peer). */
    protected abstract boolean sendsErr();

    /** True when PING is answered; false while the handshake is pending. */
    protected abstract boolean answersPing();

    /** The connection has been idle for the keepalive interval (clients only install this timer). */
    protected void onKeepalive() {}

    /** A local or peer-induced session error, just before the close. */
    protected void onFailure(ErrorCode code, String message) {}

    /** TLS or I/O failure; the channel closes after this. */
    protected void onTransportFailure(Throwable cause) {}

    /** The channel closed, for whatever reason. */
    protected void closed() {}

    private final java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Void>> writableWaiters =
            new java.util.ArrayDeque<>();

    /** See {@link io.vstp.transport.Session#whenWritable()}. */
    public final java.util.concurrent.CompletableFuture<Void> whenWritable() {
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        Runnable check = () -> {
            if (!ctx.channel().isActive()) {
                f.completeExceptionally(new io.vstp.transport.SessionException(
                        ErrorCode.CONNECTION_CLOSED, VstpException.Scope.CONNECTION, "connection is closed"));
            } else if (isWritable()) {
                f.complete(null);
            } else {
                writableWaiters.add(f);
            }
        };
        if (ctx.executor().inEventLoop()) {
            check.run();
        } else {
            ctx.executor().execute(check);
        }
        return f;
    }

    /**
     * See {@link io.vstp.transport.Session#closeFuture()}. One future per session, made on first use with one
     * listener on the channel: a caller may ask on every request without leaving anything behind.
     */
    public final java.util.concurrent.CompletionStage<Void> closeFuture() {
        java.util.concurrent.CompletableFuture<Void> f = closed;
        if (f != null) {
            return f;
        }
        synchronized (this) {
            if (closed == null) {
                java.util.concurrent.CompletableFuture<Void> made = new java.util.concurrent.CompletableFuture<>();
                io.netty.channel.ChannelFuture channelClosed = ctx.channel().closeFuture();
                if (channelClosed.isDone()) {
                    // Complete now, as documented: Netty would notify a listener added to a done future later, on
                    // the event loop, and a caller on another thread would see a closed session as open.
                    made.complete(null);
                } else {
                    channelClosed.addListener(x -> made.complete(null));
                }
                closed = made;
            }
            return closed;
        }
    }

    private volatile java.util.concurrent.CompletableFuture<Void> closed;

    /** See {@link io.vstp.transport.Session#pendingWriteBytes()}: the socket's queue plus what waits for credit. */
    public final long pendingWriteBytes() {
        io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return (out == null ? 0 : out.totalPendingWriteBytes()) + unsentBytes();
    }

    /**
     * False while the socket's queue is above its high-water mark, or while more than that much payload waits
     * for the peer's flow-control credit (wire v2): producers wait, so neither queue grows without bound.
     */
    public final boolean isWritable() {
        return ctx.channel().isWritable() && unsentBytes() < limits.writeBufferHighWaterMark();
    }

    /** Payload queued above the socket (wire v2: waiting for credit); 0 on v1. Any thread. */
    protected long unsentBytes() {
        return 0;
    }

    /** Wakes producers waiting in {@link #whenWritable()} if they may go on. Event loop only. */
    protected final void resumeWriters() {
        while (!writableWaiters.isEmpty() && isWritable()) {
            writableWaiters.poll().complete(null);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        resumeWriters();
        super.channelWritabilityChanged(ctx);
    }

    private void failWritableWaiters() {
        while (!writableWaiters.isEmpty()) {
            writableWaiters
                    .poll()
                    .completeExceptionally(new io.vstp.transport.SessionException(
                            ErrorCode.CONNECTION_CLOSED, VstpException.Scope.CONNECTION, "connection closed"));
        }
    }

    protected static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
