package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.Session;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The server end of one connection (docs/spec/session.md): waits for HELLO, answers WELCOME, runs requests
 * through the {@link RequestHandler} with at most {@code maxInFlightRequests} unfinished, pauses reading while
 * that many are running or the socket is not writable, and drains on BYE.
 */
public final class ServerSession extends SessionHandler implements Session {
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { AWAIT_HELLO, OPEN, LEGACY }

    private final RequestHandler handler;
    private final boolean legacyAllowed;
    private final ErrorCode rejection;
    private State state = State.AWAIT_HELLO;
    private String id = "";
    private int inFlight;
    private boolean byeSent;
    private boolean byeReceived;

    /**
     * @param legacyAllowed accept peers that send no HELLO (plaintext only: the Rust crate)
     * @param rejection     non-null when the server's connection limits refuse this connection
     */
    public ServerSession(TransportLimits limits, RequestHandler handler, boolean legacyAllowed,
                         ErrorCode rejection, Consumer<ErrorCode> errorCounter) {
        super(limits, errorCounter);
        this.handler = handler;
        this.legacyAllowed = legacyAllowed;
        this.rejection = rejection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        if (rejection != null) {
            fail(rejection, "server connection limit reached");
        }
    }

    @Override
    protected boolean sendsErr() {
        return state != State.LEGACY;
    }

    @Override
    protected boolean answersPing() {
        return state != State.AWAIT_HELLO;
    }

    @Override
    protected void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (state == State.AWAIT_HELLO) {
            if (type.equals(FrameType.HELLO)) {
                welcome(frame);
                return;
            }
            if (!legacyAllowed) {
                frame.release();
                fail(ErrorCode.PROTOCOL_VIOLATION, "expected HELLO, got " + type.name());
                return;
            }
            state = State.LEGACY;
            id = "legacy-" + HexFormat.of().formatHex(randomBytes(8));
            established();
        }
        if (type.equals(FrameType.HELLO) || type.equals(FrameType.WELCOME)) {
            frame.release();
            fail(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + type.name() + " in an open session");
        } else if (type.equals(FrameType.BYE)) {
            frame.release();
            byeReceived = true;
            drainAndClose();
        } else if (type.equals(FrameType.PONG)) {
            frame.release();
        } else if (type.equals(FrameType.ERR)) {
            SessionException e = SessionFrames.readErr(frame, VstpException.Scope.CONNECTION);
            frame.release();
            countError(e.code());
            ctx.close();
        } else {
            request(frame);
        }
    }

    private void welcome(Frame hello) {
        String offered = hello.headers().value(SessionFrames.VERSIONS);
        hello.release();
        if (offered == null || !java.util.Arrays.asList(offered.split(",")).contains("1")) {
            fail(ErrorCode.NO_COMMON_VERSION, "server speaks versions " + SessionFrames.SUPPORTED_VERSIONS
                    + ", client offered " + offered);
            return;
        }
        id = HexFormat.of().formatHex(randomBytes(16));
        state = State.OPEN;
        established();
        Headers h = Headers.builder()
                .add(SessionFrames.IMPL, SessionFrames.implementation())
                .add(SessionFrames.VERSION, "1")
                .add(SessionFrames.SESSION_ID, id)
                .add(SessionFrames.MAX_FRAME, Integer.toString(limits.frame().maxFrameSize()))
                .add(SessionFrames.MAX_HEADERS, Integer.toString(limits.frame().maxHeaderCount()))
                .add(SessionFrames.MAX_IN_FLIGHT, Integer.toString(limits.maxInFlightRequests()))
                .add(SessionFrames.IDLE_TIMEOUT_MS, Long.toString(limits.idleTimeout().toMillis()))
                .build();
        ctx.writeAndFlush(SessionFrames.control(FrameType.WELCOME, h));
    }

    private void request(Frame frame) {
        String reqId = frame.headers().value(SessionFrames.REQ_ID);
        if (byeSent || byeReceived) {
            frame.release();
            refuse(reqId, ErrorCode.SHUTTING_DOWN, "session is closing");
            return;
        }
        if (inFlight >= limits.maxInFlightRequests()) {
            frame.release();
            countError(ErrorCode.TOO_MANY_IN_FLIGHT);
            refuse(reqId, ErrorCode.TOO_MANY_IN_FLIGHT,
                    "more than " + limits.maxInFlightRequests() + " requests in flight");
            return;
        }
        inFlight++;
        updateAutoRead();
        CompletionStage<Frame> stage;
        try {
            stage = handler.handle(frame, this);
            if (stage == null) {
                stage = CompletableFuture.completedFuture(null);
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        if (stage instanceof CompletableFuture<Frame> done && done.isDone()) {
            // Answered synchronously (echo, fast handlers): respond now, without a completion callback per request.
            Frame response = null;
            Throwable error = null;
            try {
                response = done.getNow(null);
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                error = e;
            }
            respond(frame, reqId, response, error);
            return;
        }
        stage.whenComplete((response, error) -> {
            if (ctx.executor().inEventLoop()) {
                respond(frame, reqId, response, error);
            } else {
                ctx.executor().execute(() -> respond(frame, reqId, response, error));
            }
        });
    }

    private void respond(Frame request, String reqId, Frame response, Throwable error) {
        request.release();
        Frame out;
        if (error != null) {
            if (response != null) {
                response.release();
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            ErrorCode code = cause instanceof VstpException ve ? ve.code() : ErrorCode.HANDLER_ERROR;
            countError(code);
            // The handler's message may hold application data; the peer gets only the error class.
            out = state == State.LEGACY || reqId == null ? null
                    : SessionFrames.err(code, cause instanceof VstpException ve ? ve.detail()
                            : "handler failed: " + cause.getClass().getSimpleName(), reqId);
        } else if (response == null) {
            out = null;
        } else {
            out = reqId != null ? SessionFrames.withHeader(response, SessionFrames.REQ_ID, reqId) : response;
        }
        if (out == null || !ctx.channel().isActive()) {
            if (out != null) {
                out.release();
            }
            finished();
            return;
        }
        ctx.writeAndFlush(out).addListener(f -> finished());
    }

    private void finished() {
        inFlight--;
        updateAutoRead();
        if (byeSent || byeReceived) {
            drainAndClose();
        }
    }

    private void refuse(String reqId, ErrorCode code, String message) {
        if (reqId != null && state != State.LEGACY) {
            ctx.writeAndFlush(SessionFrames.err(code, message, reqId));
        }
    }

    private void updateAutoRead() {
        boolean read = inFlight < limits.maxInFlightRequests() && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        updateAutoRead();
        super.channelWritabilityChanged(ctx);
    }


    /**
     * Starts a graceful close: BYE to the peer, no new requests, close once in-flight work is answered and the
     * peer has said BYE too (or at once for a legacy peer, which has no BYE).
     */
    public void shutdown() {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(this::shutdown);
            return;
        }
        if (state == State.AWAIT_HELLO) {
            ctx.close();
            return;
        }
        if (state == State.LEGACY) {
            byeReceived = true; // a crate peer never says BYE: behave as if it had
        }
        drainAndClose();
    }

    private void drainAndClose() {
        if (!ctx.channel().isActive() || inFlight > 0) {
            return;
        }
        if (state == State.LEGACY) {
            ctx.close();
            return;
        }
        if (!byeSent) {
            byeSent = true;
            ctx.writeAndFlush(SessionFrames.bye(byeReceived ? "ack" : "shutdown"))
                    .addListener(f -> {
                        if (byeReceived) {
                            ctx.close();
                        }
                    });
        } else if (byeReceived) {
            ctx.close();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    @Override
    public boolean legacy() {
        return state == State.LEGACY;
    }

    @Override
    public CompletableFuture<Void> send(Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ctx.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    /** The number of requests whose response is not yet written (for tests and stats). */
    public int inFlight() {
        return inFlight;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
