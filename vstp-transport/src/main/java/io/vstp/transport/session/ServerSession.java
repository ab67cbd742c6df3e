package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.core.frame.Flags;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.Session;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.time.Instant;
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
    /** The HELLO held while its credentials are checked (released on close if the check never ends). */
    private Frame pendingHello;
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
    public ServerSession(TransportLimits limits, ProtocolOptions protocol, RequestHandler handler,
                         boolean legacyAllowed, ErrorCode rejection, Consumer<ErrorCode> errorCounter) {
        this(limits, protocol, handler, legacyAllowed, rejection, errorCounter, null);
    }

    /** @param access authentication and authorisation, or null for none (session.md §3.4) */
    public ServerSession(TransportLimits limits, ProtocolOptions protocol, RequestHandler handler,
                         boolean legacyAllowed, ErrorCode rejection, Consumer<ErrorCode> errorCounter,
                         AccessControl access) {
        this(limits, protocol, handler, legacyAllowed, rejection, errorCounter, access, null);
    }

    /** @param budget the server's memory budget (session.md §8.1), or null for none */
    public ServerSession(TransportLimits limits, ProtocolOptions protocol, RequestHandler handler,
                         boolean legacyAllowed, ErrorCode rejection, Consumer<ErrorCode> errorCounter,
                         AccessControl access, io.vstp.transport.MemoryBudget budget) {
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
            share = budget.open(remote.getAddress(), () -> onEventLoop(this::shed));
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
    protected void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (state == State.AWAIT_HELLO) {
            if (pendingHello != null) {
                // The client sent more than HELLO before WELCOME (session.md §3.3), even a second HELLO.
                frame.release();
                fail(ErrorCode.PROTOCOL_VIOLATION, "frame " + type.name() + " before WELCOME");
                return;
            }
            // The crate's send_hello() is a HELLO without headers: a greeting, not an offer (session.md §6).
            boolean greeting = type.equals(FrameType.HELLO) && legacyAllowed
                    && frame.headers().value(SessionFrames.VERSIONS) == null;
            if (type.equals(FrameType.HELLO) && !greeting) {
                if (access != null) {
                    authenticate(frame);
                } else {
                    welcome(frame);
                }
                return;
            }
            if (!legacyAllowed) {
                frame.release();
                fail(ErrorCode.PROTOCOL_VIOLATION, "expected HELLO, got " + type.name());
                return;
            }
            state = State.LEGACY;
            id = "legacy-" + HexFormat.of().formatHex(randomBytes(8));
            if (access != null) {
                Principal p = legacyPrincipal();
                if (p == null) {
                    frame.release();
                    ctx.close(); // no credentials, no anonymous access: a legacy peer gets no ERR (§6)
                    return;
                }
                principal = p;
            }
            established();
            if (greeting) {
                frame.release(); // the crate's server answers it with nothing, and so do we
                return;
            }
        }
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

    private void welcome(Frame hello) {
        String offered = hello.headers().value(SessionFrames.VERSIONS);
        boolean v2 = protocol.v2() && V2Handshake.offers(hello, "2");
        if (!v2 && !V2Handshake.offers(hello, "1")) {
            hello.release();
            fail(ErrorCode.NO_COMMON_VERSION, "server speaks versions " + (protocol.v2() ? "2,1" : "1")
                    + (offered != null ? ", client offered " + offered
                    : ", HELLO offers none (a peer without sessions, such as the Rust crate, is served only in "
                    + "plaintext)"));
            return;
        }
        if (id.isEmpty()) {
            id = HexFormat.of().formatHex(randomBytes(16));
        }
        state = State.OPEN;
        established();
        if (v2) {
            V2Handshake.Agreement agreed;
            try {
                agreed = V2Handshake.accept(hello, protocol, limits, V2Handshake.overTls(ctx));
            } finally {
                hello.release();
            }
            ctx.writeAndFlush(SessionFrames.control(FrameType.WELCOME,
                    withIdentity(V2Handshake.welcome(agreed, protocol, limits, id))));
            V2Handshake.switchCodec(ctx, agreed, protocol, limits);
            mux = V2Handshake.multiplexer(ctx, agreed, protocol, limits, false, new MuxListener());
            updateAutoRead();
            return;
        }
        hello.release();
        Headers h = Headers.builder()
                .add(SessionFrames.IMPL, SessionFrames.implementation())
                .add(SessionFrames.VERSION, "1")
                .add(SessionFrames.SESSION_ID, id)
                .add(SessionFrames.MAX_FRAME, Integer.toString(limits.frame().maxFrameSize()))
                .add(SessionFrames.MAX_HEADERS, Integer.toString(limits.frame().maxHeaderCount()))
                .add(SessionFrames.MAX_IN_FLIGHT, Integer.toString(limits.maxInFlightRequests()))
                .add(SessionFrames.IDLE_TIMEOUT_MS, Long.toString(limits.idleTimeout().toMillis()))
                .build();
        ctx.writeAndFlush(SessionFrames.control(FrameType.WELCOME, withIdentity(h)));
        updateAutoRead();
    }

    /** WELCOME tells an authenticated client its subject and how long its credentials last (session.md §3.4). */
    private Headers withIdentity(Headers welcome) {
        if (access == null) {
            return welcome;
        }
        Headers.Builder b = Headers.builder(welcome.size() + 2);
        welcome.forEach(b::add);
        SessionAuth.describe(b, principal, Instant.now());
        return b.build();
    }

    /**
     * Checks the credentials of a HELLO (its bearer token, the mTLS certificate) before anything else happens: no
     * frame is read meanwhile, and the handshake timeout bounds the check (session.md §3.4).
     */
    private void authenticate(Frame hello) {
        id = HexFormat.of().formatHex(randomBytes(16));
        Credentials credentials;
        try {
            credentials = new Credentials(SessionAuth.bearerToken(hello), SessionAuth.clientCertificates(ctx),
                    ctx.channel().remoteAddress(), id);
        } catch (AuthenticationException e) {
            hello.release();
            fail(ErrorCode.UNAUTHENTICATED, e.detail());
            return;
        }
        pendingHello = hello;
        ctx.channel().config().setAutoRead(false);
        checkCredentials(credentials).whenComplete((p, error) -> onEventLoop(() -> {
            Frame held = pendingHello;
            pendingHello = null;
            if (held == null) {
                return; // closed meanwhile: closed() released it
            }
            if (isFailed() || !ctx.channel().isActive()) {
                held.release(); // the handshake timed out (or failed) while the check ran
                return;
            }
            if (error != null || p == null) {
                held.release();
                fail(ErrorCode.UNAUTHENTICATED, error != null ? refusal(error) : "authentication failed");
                return;
            }
            principal = p;
            welcome(held);
        }));
    }

    /**
     * A peer without HELLO (the crate) presents no credentials: it is whatever the access control makes of none
     * (for example anonymous roles) if it decides at once, and null (the connection closes) otherwise. Its requests
     * are authorised like any other and refused silently, since a legacy peer gets no ERR (session.md §6).
     */
    private Principal legacyPrincipal() {
        CompletableFuture<Principal> none = checkCredentials(new Credentials(null, java.util.List.of(),
                ctx.channel().remoteAddress(), id)).toCompletableFuture();
        return none.isDone() && !none.isCompletedExceptionally() ? none.join() : null;
    }

    private CompletionStage<Principal> checkCredentials(Credentials credentials) {
        try {
            CompletionStage<Principal> stage = access.authenticate(credentials);
            return stage != null ? stage : CompletableFuture.failedFuture(new AuthenticationException("refused"));
        } catch (RuntimeException | LinkageError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What the peer learns about refused credentials: the validator's class of problem, nothing else. */
    private static String refusal(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof AuthenticationException a) {
            return a.detail();
        }
        return cause instanceof NullPointerException ? "authentication failed"
                : "authentication failed (" + cause.getClass().getSimpleName() + ")";
    }

    /**
     * AUTH (wire v2, session.md §3.5): new credentials for the same subject replace the session's before they
     * expire. A refusal keeps the session and its current credentials until they expire.
     */
    private void refresh(Frame auth) {
        Credentials credentials;
        try {
            String reason = access == null ? "this server does not authenticate"
                    : refreshing ? "a refresh is already being checked" : null;
            if (reason != null) {
                ctx.writeAndFlush(SessionAuth.answer(principal, reason));
                return;
            }
            credentials = new Credentials(SessionAuth.bearerToken(auth), SessionAuth.clientCertificates(ctx),
                    ctx.channel().remoteAddress(), id);
        } catch (AuthenticationException e) {
            ctx.writeAndFlush(SessionAuth.answer(principal, e.detail()));
            return;
        } finally {
            auth.release();
        }
        refreshing = true;
        checkCredentials(credentials).toCompletableFuture()
                .orTimeout(limits.handshakeTimeout().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .whenComplete((p, error) -> onEventLoop(() -> {
            refreshing = false;
            if (!ctx.channel().isActive()) {
                return;
            }
            String reason = error instanceof java.util.concurrent.TimeoutException
                    || error != null && error.getCause() instanceof java.util.concurrent.TimeoutException
                    ? "credentials not checked in time" : error != null ? refusal(error)
                    : p == null ? "authentication failed"
                    : !sameIdentity(principal, p) ? "a refresh must keep the session's identity" : null;
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
        return current.subject().equals(next.subject()) && current.method().equals(next.method())
                && java.util.Objects.equals(current.claims().get("iss"), next.claims().get("iss"));
    }

    /**
     * Whether the session's principal may make {@code request}: its credentials have not expired and the access
     * control allows the action. A refusal answers the request (ERR, or ERR on its stream) and releases it.
     */
    private boolean permitted(Frame request, String reqId, long stream, int credit) {
        Principal p = principal;
        ErrorCode code = null;
        String message = null;
        if (p.expiredAt(Instant.now())) {
            code = ErrorCode.UNAUTHENTICATED;
            message = mux != null ? "credentials expired: refresh them with AUTH" : "credentials expired: reconnect";
        } else {
            AccessDecision decision;
            try {
                decision = access.authorizeRequest(p, request.headers(), this);
            } catch (RuntimeException | LinkageError e) {
                decision = AccessDecision.deny("authoriser failed: " + e.getClass().getSimpleName());
            }
            if (decision == null || !decision.allowed()) {
                code = ErrorCode.PERMISSION_DENIED;
                message = "permission denied";
            }
        }
        if (code == null) {
            return true;
        }
        request.release();
        countError(code);
        refuse(reqId, stream, credit, code, message);
        return false;
    }

    private void onEventLoop(Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    private void request(Frame frame) {
        request(frame, 0);
    }

    /**
     * Runs one request (v1: a frame with or without {@code req-id}; v2: a message on a stream, or one-way on
     * stream 0, holding {@code credit} bytes of the peer's flow-control windows until it is answered).
     */
    private void request(Frame frame, int credit) {
        String reqId = mux != null ? null : frame.headers().value(SessionFrames.REQ_ID);
        long stream = frame.streamId();
        if (byeSent || byeReceived) {
            frame.release();
            refuse(reqId, stream, credit, ErrorCode.SHUTTING_DOWN, "session is closing");
            return;
        }
        if (inFlight >= limits.maxInFlightRequests()) {
            frame.release();
            countError(ErrorCode.TOO_MANY_IN_FLIGHT);
            refuse(reqId, stream, credit, ErrorCode.TOO_MANY_IN_FLIGHT,
                    "more than " + limits.maxInFlightRequests() + " requests in flight");
            return;
        }
        if (access != null && !permitted(frame, reqId, stream, credit)) {
            return;
        }
        if (pressured) {
            frame.release();
            countError(ErrorCode.TOO_MANY_IN_FLIGHT);
            refuse(reqId, stream, credit, ErrorCode.TOO_MANY_IN_FLIGHT, "the server is short of memory; try again "
                    + "shortly");
            return;
        }
        int size = frame.payload().readableBytes();
        long held = heldRequestBytes + pendingWriteBytes();
        if (held > 0 && held + size > MAX_HELD_BYTES) {
            // A peer that sends faster than it reads, or whose small frames decompress to large ones: what it
            // already made the server hold is the bound, not the number of requests.
            frame.release();
            countError(ErrorCode.TOO_MANY_IN_FLIGHT);
            refuse(reqId, stream, credit, ErrorCode.TOO_MANY_IN_FLIGHT, "the server holds " + held
                    + " bytes for this connection; at most " + MAX_HELD_BYTES + " (read the answers)");
            return;
        }
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
            error = new SessionException(ErrorCode.TOO_MANY_IN_FLIGHT, VstpException.Scope.REQUEST, "answer of "
                    + dropped + " bytes dropped: " + pendingWriteBytes() + " bytes already wait for the peer to read "
                    + "them");
        }
        if (mux != null) {
            respondOnStream(stream, end, credit, response, error);
            return;
        }
        Frame out;
        if (error != null) {
            if (response != null) {
                response.release();
            }
            if (state == State.LEGACY) {
                // A legacy peer reads no ERR and matches answers in order: left unanswered, this request would
                // shift every later answer onto the wrong request, and answers of requests still running may come
                // from after it. It learns of the failure as of a protocol error, by the close (session.md §6).
                countError(codeOf(error));
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

    private static Throwable causeOf(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }

    /** The error code of a failed handler: its own if it says, HANDLER_ERROR otherwise. */
    private static ErrorCode codeOf(Throwable error) {
        return causeOf(error) instanceof VstpException ve ? ve.code() : ErrorCode.HANDLER_ERROR;
    }

    /** The ERR frame for a failed handler; counts the error. */
    private Frame errorFor(Throwable error, String reqId) {
        Throwable cause = causeOf(error);
        ErrorCode code = codeOf(error);
        countError(code);
        // The handler's message may hold application data; the peer gets only the error class.
        return SessionFrames.err(code, cause instanceof VstpException ve ? ve.detail()
                : "handler failed: " + cause.getClass().getSimpleName(), reqId);
    }

    /** v2: the answer goes on the request's stream; the credit the request held goes back to the peer. */
    private void respondOnStream(long stream, boolean end, int credit, Frame response, Throwable error) {
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
                Frame err = errorFor(error, null);
                ErrorCode code = ErrorCode.fromCode(Integer.parseInt(err.headers().value(SessionFrames.CODE)));
                String message = err.payloadAsString();
                err.release();
                mux.sendError(stream, code != null ? code : ErrorCode.HANDLER_ERROR, message);
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
        if (pendingHello != null) {
            pendingHello.release();
            pendingHello = null;
        }
        waiting.clear();
        if (mux != null) {
            mux.close(new SessionException(ErrorCode.CONNECTION_CLOSED, VstpException.Scope.CONNECTION,
                    "connection closed"));
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
            if (!waiting.offer(message, end, credit, inFlight, limits.maxInFlightRequests(),
                    heldRequestBytes + pendingWriteBytes(), MAX_HELD_BYTES)) {
                message.release();
                countError(ErrorCode.TOO_MANY_IN_FLIGHT);
                refuse(null, stream, credit, ErrorCode.TOO_MANY_IN_FLIGHT, "more than "
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
        long held = pendingFrameBytes() + heldRequestBytes + waiting.heldBytes()
                + (mux != null ? mux.joiningBytes() : 0) + pendingWriteBytes();
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
            pressureTimer = ctx.executor().scheduleAtFixedRate(() -> {
                if (share != null && share.pressure() == io.vstp.transport.MemoryBudget.Pressure.NONE) {
                    setPressured(false);
                }
            }, 50, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
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
        fail(ErrorCode.TOO_MANY_IN_FLIGHT, "closed: the server's memory budget is exhausted and this connection "
                + "holds the most of it");
        // The ERR waits behind what the peer has not read; if it never reads, the connection goes anyway.
        ctx.executor().schedule(() -> {
            ctx.close();
        }, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
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

    private void refuse(String reqId, long stream, int credit, ErrorCode code, String message) {
        if (mux != null) {
            mux.consumed(stream, credit);
            if (stream != 0) {
                mux.sendError(stream, code, message);
                dropWaiting(stream);
            }
        } else if (state == State.LEGACY) {
            // A legacy peer matches answers in order and reads no ERR: one request left unanswered would shift
            // every later answer onto the wrong request. It learns of the refusal as of a protocol error, by the
            // close, once the requests before this one are answered (session.md §6); later ones are not run.
            byeReceived = true;
            drainAndClose();
        } else if (reqId != null) {
            ctx.writeAndFlush(SessionFrames.err(code, message, reqId));
        }
    }

    private void updateAutoRead() {
        if (pendingHello != null) {
            return; // no frame is read while a HELLO's credentials are checked
        }
        // Under pressure a connection stops reading, unless it is inside a frame (pausing it there would only keep
        // the part it sent until the frame timeout; reading on, it finishes the frame or grows into the one shed),
        // or has answers waiting for the peer's credit (it must read the WINDOW_UPDATE that lets them go).
        boolean read = inFlight + waiting.messages() < limits.maxInFlightRequests() && ctx.channel().isWritable()
                && (!pressured || midFrame() || unsentBytes() > 0) && !shedding;
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
                done.completeExceptionally(new SessionException(ErrorCode.PROTOCOL_VIOLATION,
                        VstpException.Scope.REQUEST, mux == null ? "streams need wire v2" : "stream 0 is one-way"));
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
        if (mux != null) {
            // v2: a push is a one-way message on stream 0, inside the connection's flow-control window.
            CompletableFuture<Void> done = new CompletableFuture<>();
            Runnable push = () -> mux.send(0, frame, false, StreamMultiplexer.Sent.of(done));
            if (ctx.executor().inEventLoop()) {
                push.run();
            } else {
                ctx.executor().execute(push);
            }
            return done;
        }
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
    protected long unsentBytes() {
        StreamMultiplexer m = mux;
        return m == null ? 0 : m.unsentBytes();
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
