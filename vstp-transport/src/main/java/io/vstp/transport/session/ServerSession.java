package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.internal.Failures;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.Session;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The server end of one connection (docs/spec/session.md): waits for HELLO, answers WELCOME, runs requests
 * through the {@link RequestHandler} with at most {@code maxInFlightRequests} unfinished, pauses reading while
 * that many are running or the socket is not writable, and drains on BYE.
 */
public final class ServerSession extends SessionHandler implements Session {
    private enum State {
        AWAIT_HELLO,
        OPEN,
        LEGACY
    }

    private final RequestHandler handler;
    private final ProtocolOptions protocol;
    private final boolean legacyAllowed;
    /** A response left (or failed): one shared listener instead of a future per response. */
    private final StreamMultiplexer.Sent finishOnSent = failure -> finished();
    /** Wire v2 only (null on v1): the streams of the connection. */
    private StreamMultiplexer mux;
    /** Wire v2: the messages waiting while an earlier one of the same stream is in the handler. */
    private final StreamQueues waiting = new StreamQueues();

    /**
     * Decoded header bytes that messages waiting behind their stream's earlier one may hold on one connection
     * (session.md §8; {@link StreamQueues}).
     */
    public static final int MAX_WAITING_HEADER_BYTES = StreamQueues.MAX_HEADER_BYTES;
    /**
     * Bytes one connection may hold (session.md §8): payloads of the requests in the handler plus answers its peer
     * has not read yet (in the socket's queue or waiting for flow-control credit). A request or an answer that
     * would go past it is refused with TOO_MANY_IN_FLIGHT, unless nothing else is held: one message alone is always
     * served, up to the largest message allowed.
     */
    public static final long MAX_HELD_BYTES = 64L << 20;
    /** Payload bytes of the requests now in the handler. */
    private long heldRequestBytes;

    private final ErrorCode rejection;
    /** Null when the server has no authentication: every peer is {@link Principal#ANONYMOUS} and may do anything. */
    private final AccessControl access;

    private volatile Principal principal = Principal.ANONYMOUS;
    /** Until the session opens: the handler that runs the handshake ahead of this one. */
    private ServerHandshake handshake;
    /** How requests are answered: by req-id until the handshake agrees on v2, then on streams. */
    private volatile Replies replies = new ByRequestId();
    /** An AUTH refresh is being checked: a second one is refused until it ends. */
    private boolean refreshing;

    private State state = State.AWAIT_HELLO;
    private final io.vstp.transport.MemoryBudget budget;
    /** This connection's part of the budget; null without a budget. */
    private io.vstp.transport.MemoryBudget.Share share;
    /** The budget asked to refuse new requests and stop reading; rechecked by {@link #pressureTimer}. */
    private boolean pressured;
    /** Chosen by the budget to go: reads nothing more. */
    private boolean shedding;

    private io.netty.util.concurrent.ScheduledFuture<?> pressureTimer;
    private String id = "";
    private int inFlight;
    private boolean byeSent;
    private boolean byeReceived;

    /**
     * @param legacyAllowed accept peers that send no HELLO (plaintext only: the Rust crate)
     * @param rejection     non-null when the server's connection limits refuse this connection
     */
    public ServerSession(
            TransportLimits limits,
            ProtocolOptions protocol,
            RequestHandler handler,
            boolean legacyAllowed,
            ErrorCode rejection,
            Consumer<ErrorCode> errorCounter) {
        this(limits, protocol, handler, legacyAllowed, rejection, errorCounter, null);
    }

    /** @param access authentication and authorisation, or null for none (session.md §3.4) */
    public ServerSession(
            TransportLimits limits,
            ProtocolOptions protocol,
            RequestHandler handler,
            boolean legacyAllowed,
            ErrorCode rejection,
            Consumer<ErrorCode> errorCounter,
            AccessControl access) {
        this(limits, protocol, handler, legacyAllowed, rejection, errorCounter, access, null);
    }

    /** @param budget the server's memory budget (session.md §8.1), or null for none */
    public ServerSession(
            TransportLimits limits,
            ProtocolOptions protocol,
            RequestHandler handler,
            boolean legacyAllowed,
            ErrorCode rejection,
            Consumer<ErrorCode> errorCounter,
            AccessControl access,
            io.vstp.transport.MemoryBudget budget) {
        super(limits, errorCounter);
        this.budget = budget;
        this.access = access;
        this.handler = handler;
        this.protocol = protocol;
        this.legacyAllowed = legacyAllowed;
        this.rejection = rejection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        if (budget != null && ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress remote) {
            share = budget.open(remote.getAddress(), () -> onLoop(this::shed));
        }
        if (rejection != null) {
            fail(rejection, "server connection limit reached");
        }
    }

    @Override
    protected String violation(Frame frame) {
        return mux != null ? V2Frames.violation(frame) : null;
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
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        handshake = new ServerHandshake(this, limits, protocol, legacyAllowed, access);
        ctx.pipeline().addBefore(ctx.name(), ServerHandshake.NAME, handshake);
    }

    /** The handshake is over ({@link ServerHandshake}): from here on every frame comes to {@link #onFrame}. */
    void open(ServerHandshake.Settled settled) {
        handshake = null;
        id = settled.id();
        principal = settled.principal();
        state = settled.legacy() ? State.LEGACY : State.OPEN;
        established();
        if (settled.agreed() != null) {
            mux = V2Handshake.multiplexer(ctx, settled.agreed(), protocol, limits, false, new MuxListener());
            replies = new ByStream();
        }
        updateAutoRead();
    }

    @Override
    protected void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (state == State.LEGACY) {
            // A legacy peer has no session frames: every frame is the application's (HELLO, WELCOME and ERR
            // included), except BYE, which ends it once its requests are answered.
            if (type.equals(FrameType.BYE)) {
                frame.release();
                byeReceived = true;
                drainAndClose();
            } else {
                request(frame);
            }
            return;
        }
        if (type.equals(FrameType.HELLO) || type.equals(FrameType.WELCOME)) {
            frame.release();
            fail(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + type.name() + " in an open session");
        } else if (mux != null && V2Frames.isStreamFrame(frame)) {
            mux.onFrame(frame);
        } else if (mux != null && !type.isKnown()) {
            frame.release(); // an ignorable extension type (the decoder refuses critical ones)
        } else if (type.equals(FrameType.BYE)) {
            frame.release();
            byeReceived = true;
            drainAndClose();
        } else if (type.equals(FrameType.PONG)) {
            frame.release();
        } else if (type.equals(FrameType.AUTH)) {
            refresh(frame);
        } else if (type.equals(FrameType.ERR)) {
            SessionException e = SessionFrames.readErr(frame, VstpException.Scope.CONNECTION);
            frame.release();
            countError(e.code());
            ctx.close();
        } else {
            request(frame);
        }
    }

    /**
     * AUTH (wire v2, session.md §3.5): new credentials for the same subject replace the session's before they
     * expire. A refusal keeps the session and its current credentials until they expire.
     */
    private void refresh(Frame auth) {
        Credentials credentials;
        try {
            String reason = access == null
                    ? "this server does not authenticate"
                    : refreshing ? "a refresh is already being checked" : null;
            if (reason != null) {
                ctx.writeAndFlush(SessionAuth.answer(principal, reason));
                return;
            }
            credentials = SessionAuth.credentials(auth, ctx, id);
        } catch (AuthenticationException e) {
            ctx.writeAndFlush(SessionAuth.answer(principal, e.detail()));
            return;
        } finally {
            auth.release();
        }
        refreshing = true;
        SessionAuth.check(access, credentials)
                .toCompletableFuture()
                .orTimeout(limits.handshakeTimeout().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .whenComplete((p, error) -> onLoop(() -> {
                    refreshing = false;
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    String reason = error instanceof java.util.concurrent.TimeoutException
                                    || error != null
                                            && error.getCause() instanceof java.util.concurrent.TimeoutException
                            ? "credentials not checked in time"
                            : error != null
                                    ? SessionAuth.refusal(error)
                                    : p == null
                                            ? "authentication failed"
                                            : !sameIdentity(principal, p)
                                                    ? "a refresh must keep the session's identity"
                                                    : null;
                    if (reason == null) {
                        principal = p;
                    } else {
                        countError(ErrorCode.UNAUTHENTICATED);
                    }
                    ctx.writeAndFlush(SessionAuth.answer(principal, reason));
                }));
    }

    /** A session never changes identity: same subject, proved the same way, by the same issuer if any. */
    private static boolean sameIdentity(Principal current, Principal next) {
        return current.subject().equals(next.subject())
                && current.method().equals(next.method())
                && java.util.Objects.equals(
                        current.claims().get("iss"), next.claims().get("iss"));
    }

    private void request(Frame frame) {
        request(frame, 0);
    }

    /**
     * Runs one request (v1: a frame with or without {@code req-id}; v2: a message on a stream, or one-way on
     * stream 0, holding {@code credit} bytes of the peer's flow-control windows until it is answered).
     */
    private void request(Frame frame, int credit) {
        String reqId = replies.correlation(frame);
        long stream = frame.streamId();
        RequestAdmission.Refusal refusal = admit(frame);
        if (refusal != null) {
            frame.release();
            if (refusal.counted()) {
                countError(refusal.code());
            }
            replies.refuse(reqId, stream, credit, refusal.code(), refusal.message());
            return;
        }
        int size = frame.payload().readableBytes();
        heldRequestBytes += size;
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
            respond(frame, size, reqId, credit, response, error);
            return;
        }
        stage.whenComplete((response, error) -> {
            if (ctx.executor().inEventLoop()) {
                respond(frame, size, reqId, credit, response, error);
            } else {
                try {
                    ctx.executor().execute(() -> respond(frame, size, reqId, credit, response, error));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // The server stopped before the handler answered: nobody to answer, but the buffers go back.
                    frame.release();
                    if (response != null) {
                        response.release();
                    }
                }
            }
        });
    }

    /** The first rule that refuses {@code request} ({@link RequestAdmission}), or null when it may run. */
    private RequestAdmission.Refusal admit(Frame request) {
        RequestAdmission.Refusal r = RequestAdmission.closing(byeSent, byeReceived);
        if (r == null) {
            r = RequestAdmission.inFlight(inFlight, limits.maxInFlightRequests());
        }
        if (r == null && access != null) {
            r = RequestAdmission.access(access, principal, request.headers(), this, mux != null, Instant.now());
        }
        if (r == null) {
            r = RequestAdmission.memoryPressure(pressured);
        }
        if (r == null) {
            r = RequestAdmission.heldBytes(
                    heldRequestBytes + pendingWriteBytes(), request.payload().readableBytes(), MAX_HELD_BYTES);
        }
        return r;
    }

    /** @param size the request's payload bytes, as counted in {@link #heldRequestBytes} when it was dispatched */
    private void respond(Frame request, int size, String reqId, int credit, Frame response, Throwable error) {
        long stream = request.streamId();
        boolean end = request.flags().has(Flags.END_STREAM);
        request.release();
        heldRequestBytes -= size;
        if (error == null && response != null && overBudget(response)) {
            int dropped = response.payload().readableBytes();
            response.release();
            response = null; // errorFor counts it
            error = new SessionException(
                    ErrorCode.TOO_MANY_IN_FLIGHT,
                    VstpException.Scope.REQUEST,
                    "answer of "
                            + dropped + " bytes dropped: " + pendingWriteBytes()
                            + " bytes already wait for the peer to read "
                            + "them");
        }
        replies.answer(stream, end, reqId, credit, response, error);
    }

    /** The ERR frame for a failed handler; counts the error. */
    private Frame errorFor(Throwable error, String reqId) {
        ErrorCode code = Failures.code(error);
        countError(code);
        return SessionFrames.err(code, Failures.detail(error), reqId);
    }

    /** v2: a message of {@code stream} finished in the handler: hand over the stream's next one. */
    private void nextOnStream(long stream) {
        StreamQueues.Waiting next = waiting.next(stream);
        if (next != null) {
            request(next.message(), next.credit());
        }
    }

    /** v2: stream {@code stream} failed or was cancelled: its waiting messages go, their credit comes back. */
    private void dropWaiting(long stream) {
        waiting.drop(stream, w -> {
            w.message().release();
            mux.consumed(stream, w.credit());
        });
    }

    @Override
    protected void closed() {
        if (share != null) {
            share.close();
        }
        if (pressureTimer != null) {
            pressureTimer.cancel(false);
            pressureTimer = null;
        }
        waiting.clear();
        if (mux != null) {
            mux.close(new SessionException(
                    ErrorCode.CONNECTION_CLOSED, VstpException.Scope.CONNECTION, "connection closed"));
        }
    }

    /**
     * How a session answers its requests (session.md §4 on wire v1, wire-v2.md §7): one of two ways, chosen by the
     * handshake. Both run on the event loop, and both end each request with {@link #finished()}.
     */
    private interface Replies {
        /** What ties an answer to {@code request}: its {@code req-id} on v1; null on v2, where the stream does. */
        String correlation(Frame request);

        /** Answers a request that ran: its response (taken over), or its error; one of them may be null. */
        void answer(long stream, boolean end, String reqId, int credit, Frame response, Throwable error);

        /** Answers a request refused before it ran (not counted in {@link #inFlight}). */
        void refuse(String reqId, long stream, int credit, ErrorCode code, String message);

        /** A message the server sends on its own (a push); completes once written. Takes over {@code frame}. */
        void push(Frame frame, CompletableFuture<Void> done);
    }

    /**
     * Wire v1: an answer carries its request's {@code req-id}; a request without one gets no answer. A legacy peer
     * (the crate) reads no ERR and matches answers by their order.
     */
    private final class ByRequestId implements Replies {
        @Override
        public String correlation(Frame request) {
            return request.headers().value(SessionFrames.REQ_ID);
        }

        @Override
        public void answer(long stream, boolean end, String reqId, int credit, Frame response, Throwable error) {
            Frame out;
            if (error != null) {
                if (response != null) {
                    response.release();
                }
                if (state == State.LEGACY) {
                    // A legacy peer reads no ERR and matches answers in order: left unanswered, this request would
                    // shift every later answer onto the wrong request, and answers of requests still running may come
                    // from after it. It learns of the failure as of a protocol error, by the close (session.md §6).
                    countError(Failures.code(error));
                    ctx.close();
                    out = null;
                } else {
                    out = reqId == null ? null : errorFor(error, reqId);
                }
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

        @Override
        public void refuse(String reqId, long stream, int credit, ErrorCode code, String message) {
            if (state == State.LEGACY) {
                // A legacy peer matches answers in order and reads no ERR: one request left unanswered would shift
                // every later answer onto the wrong request. It learns of the refusal as of a protocol error, by the
                // close, once the requests before this one are answered (session.md §6); later ones are not run.
                byeReceived = true;
                drainAndClose();
            } else if (reqId != null) {
                ctx.writeAndFlush(SessionFrames.err(code, message, reqId));
            }
        }

        @Override
        public void push(Frame frame, CompletableFuture<Void> done) {
            ctx.writeAndFlush(frame).addListener(f -> {
                if (f.isSuccess()) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f.cause());
                }
            });
        }
    }

    /**
     * Wire v2: the answer goes on the request's stream, and the flow-control credit the request held goes back to
     * the peer; a stream's next message waits in {@link #waiting} until the one before it is answered.
     */
    private final class ByStream implements Replies {
        @Override
        public String correlation(Frame request) {
            return null;
        }

        @Override
        public void answer(long stream, boolean end, String reqId, int credit, Frame response, Throwable error) {
            mux.consumed(stream, credit);
            if (!ctx.channel().isActive()) {
                if (response != null) {
                    response.release();
                }
                finished();
                nextOnStream(stream);
                return;
            }
            if (error != null) {
                if (response != null) {
                    response.release();
                }
                if (stream != 0) {
                    ErrorCode code = Failures.code(error);
                    countError(code);
                    mux.sendError(stream, code, Failures.detail(error));
                    dropWaiting(stream);
                }
                finished();
                return;
            }
            if (response == null) {
                finished();
                nextOnStream(stream);
                return;
            }
            mux.send(stream, response, end && stream != 0, finishOnSent);
            nextOnStream(stream);
        }

        @Override
        public void refuse(String reqId, long stream, int credit, ErrorCode code, String message) {
            mux.consumed(stream, credit);
            if (stream != 0) {
                mux.sendError(stream, code, message);
                dropWaiting(stream);
            }
        }

        @Override
        public void push(Frame frame, CompletableFuture<Void> done) {
            // A push is a one-way message on stream 0, inside the connection's flow-control window.
            onLoop(() -> mux.send(0, frame, false, StreamMultiplexer.Sent.of(done)));
        }
    }

    /** What the streams of a v2 connection deliver. */
    private final class MuxListener implements StreamMultiplexer.Listener {
        @Override
        public void onMessage(Frame message, boolean end, int credit) {
            long stream = message.streamId();
            if (waiting.claim(stream)) {
                request(message, credit);
                return;
            }
            // The window bounds waiting payloads; their number and decoded headers are bounded per connection.
            if (!waiting.offer(
                    message,
                    end,
                    credit,
                    inFlight,
                    limits.maxInFlightRequests(),
                    heldRequestBytes + pendingWriteBytes(),
                    MAX_HELD_BYTES)) {
                message.release();
                countError(ErrorCode.TOO_MANY_IN_FLIGHT);
                replies.refuse(
                        null,
                        stream,
                        credit,
                        ErrorCode.TOO_MANY_IN_FLIGHT,
                        "more than "
                                + limits.maxInFlightRequests() + " messages or " + MAX_WAITING_HEADER_BYTES
                                + " bytes of headers waiting on this connection");
                return;
            }
            updateAutoRead();
        }

        @Override
        public void onStreamFailed(long id, SessionException error) {
            dropWaiting(id);
        }

        @Override
        public void onViolation(ErrorCode code, String message) {
            fail(code, message);
        }

        @Override
        public void onDrained() {
            resumeWriters();
        }
    }

    /** Whether queueing {@code response} would take what this connection's peer has not read past the budget. */
    private boolean overBudget(Frame response) {
        long pending = pendingWriteBytes();
        return pending > 0 && pending + response.payload().readableBytes() > MAX_HELD_BYTES;
    }

    /** Reports what this connection holds to the budget, and does what it asks (session.md §8.1). */
    private void account() {
        if (share == null || !ctx.channel().isActive()) {
            return;
        }
        long held = pendingFrameBytes()
                + heldRequestBytes
                + waiting.heldBytes()
                + (mux != null ? mux.joiningBytes() : 0)
                + pendingWriteBytes();
        io.vstp.transport.MemoryBudget.Pressure p = share.update(held);
        if (p == io.vstp.transport.MemoryBudget.Pressure.SHED) {
            shed();
            return;
        }
        setPressured(p == io.vstp.transport.MemoryBudget.Pressure.REFUSE);
        updateAutoRead(); // whether it is inside a frame changes with every read
    }

    private void setPressured(boolean now) {
        if (now == pressured) {
            return;
        }
        pressured = now;
        updateAutoRead();
        if (now && pressureTimer == null) {
            // Paused, this connection reads nothing that would make it look again: a timer does.
            pressureTimer = ctx.executor()
                    .scheduleAtFixedRate(
                            () -> {
                                if (share != null && share.pressure() == io.vstp.transport.MemoryBudget.Pressure.NONE) {
                                    setPressured(false);
                                }
                            },
                            50,
                            50,
                            java.util.concurrent.TimeUnit.MILLISECONDS);
        } else if (!now && pressureTimer != null) {
            pressureTimer.cancel(false);
            pressureTimer = null;
        }
    }

    private boolean midFrame() {
        return pendingFrameBytes() > 0;
    }

    /** The budget is exhausted and this connection holds the most: it goes, and says why. */
    private void shed() {
        shedding = true;
        ctx.channel().config().setAutoRead(false); // it goes: nothing more is read from it
        fail(
                ErrorCode.TOO_MANY_IN_FLIGHT,
                "closed: the server's memory budget is exhausted and this connection " + "holds the most of it");
        // The ERR waits behind what the peer has not read; if it never reads, the connection goes anyway.
        ctx.executor()
                .schedule(
                        () -> {
                            ctx.close();
                        },
                        500,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        super.channelReadComplete(ctx);
        account(); // a frame still arriving holds its bytes: counted as they come
    }

    private void finished() {
        account();
        inFlight--;
        updateAutoRead();
        if (byeSent || byeReceived) {
            drainAndClose();
        }
    }

    private void updateAutoRead() {
        if (handshake != null && handshake.checkingCredentials()) {
            return; // no frame is read while a HELLO's credentials are checked
        }
        // Under pressure a connection stops reading, unless it is inside a frame (pausing it there would only keep
        // the part it sent until the frame timeout; reading on, it finishes the frame or grows into the one shed),
        // or has answers waiting for the peer's credit (it must read the WINDOW_UPDATE that lets them go).
        boolean read = inFlight + waiting.messages() < limits.maxInFlightRequests()
                && ctx.channel().isWritable()
                && (!pressured || midFrame() || unsentBytes() > 0)
                && !shedding;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        account();
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

    /** Who the peer is: {@link Principal#ANONYMOUS} without authentication or before the handshake. */
    @Override
    public Principal principal() {
        return principal;
    }

    @Override
    public boolean legacy() {
        return state == State.LEGACY;
    }

    @Override
    public CompletableFuture<Void> sendOnStream(long streamId, Frame message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable send = () -> {
            if (mux == null || streamId == 0) {
                message.release();
                done.completeExceptionally(new SessionException(
                        ErrorCode.PROTOCOL_VIOLATION,
                        VstpException.Scope.REQUEST,
                        mux == null ? "streams need wire v2" : "stream 0 is one-way"));
                return;
            }
            mux.send(streamId, message, false, StreamMultiplexer.Sent.of(done));
        };
        if (ctx.executor().inEventLoop()) {
            send.run();
        } else {
            ctx.executor().execute(send);
        }
        return done;
    }

    @Override
    public int wireVersion() {
        return mux != null ? 2 : 1;
    }

    @Override
    public CompletableFuture<Void> send(Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        replies.push(frame, done);
        return done;
    }

    @Override
    protected long unsentBytes() {
        StreamMultiplexer m = mux;
        return m == null ? 0 : m.unsentBytes();
    }

    /** The number of requests whose response is not yet written (for tests and stats). */
    public int inFlight() {
        return inFlight;
    }
}
