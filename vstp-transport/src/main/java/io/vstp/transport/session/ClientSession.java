package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ClientStream;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client end of one connection (docs/spec/session.md): sends HELLO, waits for WELCOME, numbers requests with
 * {@code req-id} and matches responses to them, keeps the connection alive with PING, and closes with BYE.
 *
 * <p>Public methods may be called from any thread; they hop to the event loop, which alone touches the state.
 */
public final class ClientSession extends SessionHandler {
    private static final VstpException.Scope REQUEST = VstpException.Scope.REQUEST;

    private final boolean legacy;
    private final ProtocolOptions protocol;
    /** Wire v2 only (null on v1): the streams of the connection. Event loop only. */
    private StreamMultiplexer mux;

    private volatile int wireVersion = 1;
    private volatile String wireSummary = "wire v1";
    private final CompletableFuture<Void> established = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    // Event loop only. Keyed by req-id without boxing.
    private final LongObjectHashMap<Pending> pending = new LongObjectHashMap<>();
    /** v2: the streams opened with {@link #openStream()}, until their response. Event loop only. */
    private final LongObjectHashMap<SessionStream> clientStreams = new LongObjectHashMap<>();

    private final Map<Long, PingWait> pings = new HashMap<>();
    private volatile Consumer<Frame> pushHandler = Frame::release;
    /** How requests are matched with their answers: by req-id until WELCOME picks v2, then by stream. */
    private Requests requests = new ByRequestId();

    private long nextPingId = 1;
    // Read by send() on caller threads, written on the event loop.
    private volatile boolean open;
    private volatile boolean byeSent;
    private volatile boolean byeReceived;
    private volatile String sessionId = "";
    private volatile String serverImplementation = "";
    private volatile int serverMaxFrame;
    private volatile int serverMaxInFlight;
    /** v2: the largest message the server accepts (WELCOME {@code max-message}). */
    private volatile int serverMaxMessage = Integer.MAX_VALUE;

    private volatile FrameWriter writer;
    private volatile SessionException closeCause;

    /**
     * A request awaiting its response until {@code deadlineNanos} ({@link System#nanoTime()}); a v2 stream still
     * being sent ({@code timeout} null) has no deadline yet.
     */
    private record Pending(CompletableFuture<Frame> future, long deadlineNanos, Duration timeout) {
        boolean lateAt(long now) {
            return timeout != null && now - deadlineNanos >= 0;
        }
    }

    /**
     * How often outstanding requests are checked for timeouts and cancellation, while there are any. One periodic
     * sweep instead of a timer per request: scheduling and cancelling a timer for every request costs more than
     * the request's own encoding. Timeouts therefore fire up to this much late.
     */
    static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private ScheduledFuture<?> sweeper;

    private final java.util.function.Supplier<String> tokens;
    private volatile String authenticatedSubject;
    /** Renews the credentials inside the session; set when the session opens. */
    private volatile CredentialRefresh refresh;

    private record PingWait(long startNanos, CompletableFuture<Duration> future) {}

    /** @param legacy talk to a peer without sessions (the Rust crate): no HELLO, no BYE, no PING. */
    public ClientSession(
            TransportLimits limits, ProtocolOptions protocol, boolean legacy, Consumer<ErrorCode> errorCounter) {
        this(limits, protocol, legacy, errorCounter, null);
    }

    /**
     * Plaintext only: how long HELLO may go unanswered before the peer is taken for one without sessions (the
     * Rust crate, session.md §6); null never. See {@link #peerWithoutSessions()}.
     */
    private Duration legacyProbe;
    /** The peer left HELLO unanswered, or answered it with a frame that is neither WELCOME nor ERR. */
    private volatile boolean peerWithoutSessions;

    /**
     * Takes the peer for one without sessions when HELLO gets no WELCOME or ERR within {@code wait}, or gets any
     * other frame: the connection then closes (no ERR: such a peer does not know it) and
     * {@link #peerWithoutSessions()} is true, so the caller can connect again in legacy mode. Call before the
     * channel is active.
     */
    public ClientSession detectPeerWithoutSessions(Duration wait) {
        this.legacyProbe = wait;
        return this;
    }

    /** What {@link #detectPeerWithoutSessions} asked for, or null. */
    Duration legacyProbe() {
        return legacyProbe;
    }

    /** True when {@link #detectPeerWithoutSessions} found a peer without sessions; the connection is closed. */
    public boolean peerWithoutSessions() {
        return peerWithoutSessions;
    }

    /** The peer turned out to have no sessions ({@link #detectPeerWithoutSessions}): closes, without ERR. */
    void withoutSessions(String why) {
        peerWithoutSessions = true;
        closeCause = new SessionException(
                ErrorCode.NO_COMMON_VERSION,
                VstpException.Scope.CONNECTION,
                "the server " + why + ": a peer without sessions (the Rust crate); connect in legacy mode");
        ctx.close();
    }

    /**
     * @param tokens the bearer token for HELLO and for refreshes (session.md §3.4), or null for none; called on
     *               the event loop, so it must be quick (a field, a small file)
     */
    public ClientSession(
            TransportLimits limits,
            ProtocolOptions protocol,
            boolean legacy,
            Consumer<ErrorCode> errorCounter,
            java.util.function.Supplier<String> tokens) {
        super(limits, errorCounter);
        this.tokens = tokens;
        this.legacy = legacy;
        this.protocol = protocol;
        this.serverMaxFrame = limits.frame().maxFrameSize();
        this.serverMaxInFlight = limits.maxInFlightRequests();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        if (!legacy) {
            ctx.pipeline()
                    .addBefore(ctx.name(), ClientHandshake.NAME, new ClientHandshake(this, limits, protocol, tokens));
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        if (legacy) {
            markOpen(); // a peer without sessions: nothing to agree on
            established.complete(null);
        }
    }

    /** The handshake ended in an ERR from the server, or could not start: the connection closes for this cause. */
    void closeWith(SessionException cause) {
        closeCause = cause;
        ctx.close();
    }

    /** Takes frames and requests from here on, within the server's frame size; the handshake timer stops. */
    private void markOpen() {
        open = true;
        writer = new FrameWriter(serverMaxFrame);
        established();
    }

    /** Completes when WELCOME has arrived (at once for a legacy peer); fails with the reason otherwise. */
    public CompletableFuture<Void> whenEstablished() {
        return established;
    }

    /** Completes when the channel has closed. */
    public CompletableFuture<Void> whenClosed() {
        return closed;
    }

    @Override
    protected String violation(Frame frame) {
        return mux != null ? V2Frames.violation(frame) : null;
    }

    @Override
    protected boolean sendsErr() {
        return !legacy;
    }

    @Override
    protected boolean answersPing() {
        return open;
    }

    @Override
    protected void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (mux != null) {
            if (V2Frames.isStreamFrame(frame)) {
                mux.onFrame(frame);
                return;
            }
            if (!type.isKnown()) {
                frame.release(); // an ignorable extension type (the decoder refuses critical ones)
                return;
            }
        }
        if (type.equals(FrameType.PONG) && !legacy) {
            long id = SessionFrames.longHeader(frame, "ping-id", -1);
            frame.release();
            PingWait w = pings.remove(id);
            if (w != null) {
                w.future.complete(Duration.ofNanos(System.nanoTime() - w.startNanos));
            }
            return;
        }
        if (type.equals(FrameType.AUTH) && mux != null) {
            refresh.onAnswer(frame);
            return;
        }
        if (type.equals(FrameType.BYE) && !legacy) {
            frame.release();
            byeReceived = true;
            drain();
            return;
        }
        if ((type.equals(FrameType.HELLO) || type.equals(FrameType.WELCOME)) && !legacy) {
            frame.release();
            fail(ErrorCode.PROTOCOL_VIOLATION, "unexpected " + type.name() + " in an open session");
            return;
        }
        if (requests.answers(frame)) {
            return;
        }
        if (type.equals(FrameType.ERR)) {
            closeCause = SessionFrames.readErr(frame, VstpException.Scope.CONNECTION);
            frame.release();
            ctx.close();
            return;
        }
        pushHandler.accept(frame);
    }

    /**
     * WELCOME arrived ({@link ClientHandshake}): the session takes what was settled and is open to frames, before the
     * codec switch hands it any v2 bytes that came with WELCOME; {@link #announceOpen} tells callers afterwards.
     */
    void settle(ClientHandshake.Settled settled) {
        authenticatedSubject = settled.subject();
        sessionId = settled.sessionId();
        serverImplementation = settled.serverImplementation();
        serverMaxFrame = settled.maxFrame();
        serverMaxInFlight = settled.maxInFlight();
        serverMaxMessage = settled.maxMessage();
        V2Handshake.Agreement agreed = settled.agreed();
        if (agreed != null) {
            mux = V2Handshake.multiplexer(ctx, agreed, protocol, limits, true, new MuxListener());
            requests = new ByStream();
            wireSummary = "wire v2: HPACK, streams, compression "
                    + (agreed.compression().isEmpty()
                            ? "none"
                            : io.vstp.core.compress.CompressionAlgorithm.toList(agreed.compression()))
                    + ", integrity " + agreed.integrity().wireName();
            wireVersion = 2;
        }
        refresh = new CredentialRefresh(
                ctx,
                tokens,
                limits.handshakeTimeout(),
                settled.expiresAt(),
                () -> open && !byeSent && !byeReceived && ctx.channel().isActive());
        markOpen();
    }

    /** After {@link #settle} and the codec switch: callers learn that the session is open, and may write. */
    void announceOpen() {
        if (isFailed() || !ctx.channel().isActive()) {
            return; // closed() fails whenEstablished() with the reason
        }
        established.complete(null);
        if (mux != null) {
            refresh.schedule(); // AUTH exists on wire v2 only
        }
    }

    /** The subject the server authenticated (WELCOME {@code auth-subject}), or null when it does not authenticate. */
    public String authenticatedSubject() {
        return authenticatedSubject;
    }

    /** When the server stops accepting this session's credentials, or null when they do not expire. */
    public java.time.Instant credentialsExpireAt() {
        CredentialRefresh r = refresh;
        return r == null ? null : r.expiresAt();
    }

    /**
     * Sends new credentials for the same subject (AUTH, wire v2, session.md §3.5); completes with their expiry (null
     * when they do not expire), or fails with {@code UNAUTHENTICATED} and the server's reason, in which case the
     * session keeps its current credentials until they expire.
     */
    public CompletableFuture<java.time.Instant> refreshCredentials(String token) {
        CompletableFuture<java.time.Instant> done = new CompletableFuture<>();
        onLoop(() -> {
            if (mux == null || !open) {
                done.completeExceptionally(new SessionException(
                        ErrorCode.PROTOCOL_VIOLATION,
                        REQUEST,
                        "refreshing credentials needs an open wire v2 session; on v1, reconnect"));
            } else {
                refresh.refresh(token, done);
            }
        });
        return done;
    }

    /** Sets who receives frames the server sends without a request (pushes). The consumer owns each frame. */
    public void onPush(Consumer<Frame> handler) {
        this.pushHandler = handler;
    }

    /** Sends a request and completes with its response, which the caller must release. Takes over {@code frame}. */
    public CompletableFuture<Frame> request(Frame frame, Duration timeout) {
        CompletableFuture<Frame> future = new CompletableFuture<>();
        try {
            onLoop(() -> startRequest(frame, timeout, future));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The client closed and its event loop with it: a request now fails like one on a closed connection.
            frame.release();
            future.completeExceptionally(
                    new SessionException(ErrorCode.CONNECTION_CLOSED, REQUEST, "connection is closed"));
        }
        return future;
    }

    private void startRequest(Frame frame, Duration timeout, CompletableFuture<Frame> future) {
        SessionException refused = refusal();
        if (refused == null && pending.size() >= serverMaxInFlight) {
            refused = new SessionException(
                    ErrorCode.TOO_MANY_IN_FLIGHT,
                    REQUEST,
                    pending.size() + " requests already in flight, the session allows " + serverMaxInFlight);
        }
        if (refused != null) {
            frame.release();
            future.completeExceptionally(refused);
            return;
        }
        requests.start(frame, new Pending(future, System.nanoTime() + timeout.toNanos(), timeout));
    }

    /**
     * How the requests of a session are sent and their answers matched (session.md §4 on wire v1, wire-v2.md §7):
     * one of two ways, chosen by the handshake. Both track the caller's future in {@link #pending}, and both run on
     * the event loop.
     */
    private interface Requests {
        /** Sends {@code request} (taken over); {@code pending} completes with its answer, or fails. */
        void start(Frame request, Pending pending);

        /**
         * Whether {@code frame}, a frame of the open session that is no session frame, answers a request; if so it
         * has been handed to the request (or released).
         */
        boolean answers(Frame frame);
    }

    /**
     * Wire v1: each request carries a {@code req-id}, and its answer the same. A legacy peer (the crate) that
     * copies no {@code req-id} answers in order, so an answer without one goes to the oldest request.
     */
    private final class ByRequestId implements Requests {
        private long nextId = 1;

        @Override
        public void start(Frame request, Pending p) {
            long id = nextId++;
            Frame out = SessionFrames.withHeader(request, SessionFrames.REQ_ID, Long.toString(id));
            try {
                writer.encodedSize(out);
            } catch (FrameException e) {
                out.release();
                p.future.completeExceptionally(e);
                return;
            }
            track(id, p);
            ctx.writeAndFlush(out).addListener(f -> {
                if (!f.isSuccess()) {
                    failPending(id, f.cause());
                }
            });
        }

        @Override
        public boolean answers(Frame frame) {
            FrameType type = frame.type();
            long reqId = SessionFrames.longHeader(frame, SessionFrames.REQ_ID, -1);
            if (reqId < 0
                    && legacy
                    && !pending.isEmpty()
                    && (type.equals(FrameType.DATA) || type.equals(FrameType.ERR))) {
                reqId = oldest();
            }
            if (reqId < 0) {
                return false;
            }
            Pending p = pending.remove(reqId);
            if (p == null) {
                frame.release(); // a response after its request timed out or was cancelled
                return true;
            }
            if (type.equals(FrameType.ERR)) {
                p.future.completeExceptionally(SessionFrames.readErr(frame, REQUEST));
                frame.release();
            } else if (!p.future.complete(frame)) {
                frame.release();
            }
            drain();
            return true;
        }

        /** The id of the oldest unanswered request (ids grow), or -1. */
        private long oldest() {
            long oldest = -1;
            for (long id : pending.keySet()) {
                if (oldest < 0 || id < oldest) {
                    oldest = id;
                }
            }
            return oldest;
        }
    }

    /**
     * Wire v2: each request opens a stream and is its one message; the answer comes on that stream
     * ({@link MuxListener}), so no frame outside the streams answers one.
     */
    private final class ByStream implements Requests {
        @Override
        public void start(Frame request, Pending p) {
            int size = request.payload().readableBytes();
            if (size > serverMaxMessage) {
                request.release();
                p.future.completeExceptionally(new SessionException(
                        ErrorCode.MESSAGE_TOO_LARGE,
                        REQUEST,
                        "a " + size + "-byte message is above the server's max-message of " + serverMaxMessage));
                return;
            }
            long id = mux.open();
            track(id, p);
            mux.send(id, request, true, failure -> {
                if (failure != null) {
                    failPending(id, failure);
                }
            });
        }

        @Override
        public boolean answers(Frame frame) {
            return false;
        }
    }

    private void track(long id, Pending p) {
        pending.put(id, p);
        if (sweeper == null) {
            sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, SWEEP_NANOS, SWEEP_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void failPending(long id, Throwable cause) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.future.completeExceptionally(cause);
            drain();
        }
    }

    /**
     * Opens a v2 stream for a long exchange (docs/spec/wire-v2.md §7): many messages from us, then one response.
     * Fails with {@code PROTOCOL_VIOLATION} when the session speaks v1.
     */
    public CompletableFuture<ClientStream> openStream() {
        CompletableFuture<ClientStream> result = new CompletableFuture<>();
        onLoop(() -> {
            SessionException refused = mux == null
                    ? new SessionException(
                            ErrorCode.PROTOCOL_VIOLATION, REQUEST, "streams need wire v2; this session speaks v1")
                    : refusal();
            if (refused == null && pending.size() >= serverMaxInFlight) {
                refused = new SessionException(
                        ErrorCode.TOO_MANY_STREAMS,
                        REQUEST,
                        pending.size() + " streams already open, the session allows " + serverMaxInFlight);
            }
            if (refused != null) {
                result.completeExceptionally(refused);
                return;
            }
            long id = mux.open();
            CompletableFuture<Frame> response = new CompletableFuture<>();
            track(id, new Pending(response, 0, null));
            SessionStream stream = new SessionStream(this, id, response);
            clientStreams.put(id, stream);
            response.whenComplete((r, e) -> onLoop(() -> clientStreams.remove(id)));
            result.complete(stream);
        });
        return result;
    }

    /** See {@link ClientStream}. */
    CompletableFuture<Void> sendOnStream(long id, Frame message, boolean last, Duration responseTimeout) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        onLoop(() -> {
            Pending p = pending.get(id);
            if (p == null || !ctx.channel().isActive()) {
                message.release();
                sent.completeExceptionally(
                        closeCause != null
                                ? closeCause
                                : new SessionException(ErrorCode.CANCELLED, REQUEST, "stream " + id + " is closed"));
                return;
            }
            if (last) {
                pending.put(id, new Pending(p.future, System.nanoTime() + responseTimeout.toNanos(), responseTimeout));
            }
            mux.send(id, message, last).whenComplete((ok, e) -> {
                if (e != null) {
                    sent.completeExceptionally(e);
                    failPending(id, e);
                } else {
                    sent.complete(null);
                }
            });
        });
        return sent;
    }

    /** See {@link ClientStream#cancel()}. */
    void cancelStream(long id) {
        onLoop(() -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(
                        new SessionException(ErrorCode.CANCELLED, REQUEST, "stream " + id + " cancelled"));
                mux.cancel(id, ErrorCode.CANCELLED);
                drain();
            }
        });
    }

    /** What the streams of a v2 connection deliver. */
    private final class MuxListener implements StreamMultiplexer.Listener {
        @Override
        public void onMessage(Frame message, boolean end, int credit) {
            long id = message.streamId();
            SessionStream stream = end || id == 0 ? null : clientStreams.get(id);
            if (stream != null) {
                // A message of a longer answer: its credit returns when the application says it is done.
                java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
                stream.deliver(message, () -> {
                    if (once.compareAndSet(false, true)) {
                        onLoop(() -> mux.consumed(id, credit));
                    }
                });
                return;
            }
            // A response is consumed when it is handed over: its reader owns it from then on.
            mux.consumed(id, credit);
            if (id == 0) {
                pushHandler.accept(message);
                return;
            }
            Pending p = pending.remove(id);
            if (p == null || !p.future.complete(message)) {
                message.release(); // after a timeout or cancellation
            }
            if (!end && mux.isOpen(id)) {
                // request() takes one response; the rest of a longer answer is not wanted.
                mux.cancel(id, ErrorCode.CANCELLED);
            }
            drain();
        }

        @Override
        public void onStreamFailed(long id, SessionException error) {
            failPending(id, error);
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

    /**
     * Sends a frame that expects no response. Takes over {@code frame}; completes when it is written. Called off
     * the event loop, the write is handed to Netty at once, so its bytes count against the write-buffer
     * water marks before the event loop runs it: {@link #isWritable()} is exact for a producer thread.
     */
    public CompletableFuture<Void> send(Frame frame) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        SessionException refused = refusal();
        if (refused != null) {
            frame.release();
            future.completeExceptionally(refused);
            return future;
        }
        if (wireVersion == 2) {
            StreamMultiplexer m = mux;
            m.account(frame.payload().readableBytes());
            onLoop(() -> m.sendAccounted(0, frame, false, StreamMultiplexer.Sent.of(future)));
            return future;
        }
        try {
            writer.encodedSize(frame);
        } catch (FrameException e) {
            frame.release();
            future.completeExceptionally(e);
            return future;
        }
        ctx.writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                future.complete(null);
            } else {
                future.completeExceptionally(f.cause());
            }
        });
        return future;
    }

    /** Round trip of a PING; fails for a legacy peer, which does not answer PING. */
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        onLoop(() -> {
            SessionException refused = legacy
                    ? new SessionException(ErrorCode.PROTOCOL_VIOLATION, REQUEST, "a legacy peer does not answer PING")
                    : refusal();
            if (refused != null) {
                future.completeExceptionally(refused);
                return;
            }
            long id = nextPingId++;
            pings.put(id, new PingWait(System.nanoTime(), future));
            ctx.writeAndFlush(SessionFrames.control(FrameType.PING, Headers.of("ping-id", Long.toString(id))));
        });
        return future;
    }

    @Override
    protected void onKeepalive() {
        if (open && !legacy && !byeSent) {
            ctx.writeAndFlush(SessionFrames.control(FrameType.PING, Headers.EMPTY));
        }
    }

    /**
     * Graceful close: no new requests; once every pending response has arrived, BYE; the server answers BYE and
     * closes. Completes when the channel is closed; after {@code deadline} the channel is closed regardless.
     */
    public CompletableFuture<Void> close(Duration deadline) {
        onLoop(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!open) {
                ctx.close();
                return;
            }
            byeReceived |= legacy;
            closing = true;
            drain();
            ctx.executor()
                    .schedule(
                            () -> {
                                ctx.close();
                            },
                            deadline.toNanos(),
                            TimeUnit.NANOSECONDS);
        });
        return closed;
    }

    private volatile boolean closing;

    private void drain() {
        if (!(closing || byeReceived) || !pending.isEmpty() || !ctx.channel().isActive()) {
            return;
        }
        if (legacy) {
            ctx.close();
        } else if (!byeSent) {
            byeSent = true;
            ctx.writeAndFlush(SessionFrames.bye(byeReceived ? "ack" : "client closing"));
        }
        if (byeReceived && byeSent) {
            // The server closes after our BYE; closing here too makes the end not depend on it.
            ctx.channel()
                    .eventLoop()
                    .schedule(
                            () -> {
                                ctx.close();
                            },
                            1,
                            TimeUnit.SECONDS);
        }
    }

    private SessionException refusal() {
        if (!open || !ctx.channel().isActive()) {
            return closeCause != null
                    ? closeCause
                    : new SessionException(ErrorCode.CONNECTION_CLOSED, REQUEST, "connection is closed");
        }
        if (closing || byeSent || byeReceived) {
            return new SessionException(ErrorCode.SHUTTING_DOWN, REQUEST, "session is closing");
        }
        return null;
    }

    /** The negotiated TLS session, or null in plaintext mode. */
    public javax.net.ssl.SSLSession tlsSession() {
        io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    /** The ALPN protocol agreed in the TLS handshake, or null. */
    public String applicationProtocol() {
        io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return ssl == null ? null : ssl.applicationProtocol();
    }

    @Override
    protected long unsentBytes() {
        StreamMultiplexer m = mux;
        return m == null ? 0 : m.unsentBytes();
    }

    public String sessionId() {
        return sessionId;
    }

    public String serverImplementation() {
        return serverImplementation;
    }

    public int serverMaxFrame() {
        return serverMaxFrame;
    }

    public int serverMaxInFlight() {
        return serverMaxInFlight;
    }

    public boolean legacy() {
        return legacy;
    }

    /** The wire version agreed in the handshake: 2 or 1. */
    public int wireVersion() {
        return wireVersion;
    }

    /** What the handshake agreed, for humans: "wire v2: HPACK, streams, compression zstd,lz4, integrity none". */
    public String wireSummary() {
        return wireSummary;
    }

    @Override
    protected void onFailure(ErrorCode code, String message) {
        if (closeCause == null) {
            closeCause = new SessionException(code, VstpException.Scope.CONNECTION, message);
        }
    }

    @Override
    protected void onTransportFailure(Throwable cause) {
        if (closeCause == null) {
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            boolean tls = cause instanceof javax.net.ssl.SSLException
                    || root instanceof javax.net.ssl.SSLException
                    || root instanceof java.security.cert.CertificateException;
            closeCause = new SessionException(
                    tls ? ErrorCode.TLS_FAILED : ErrorCode.CONNECTION_CLOSED,
                    VstpException.Scope.CONNECTION,
                    root.getClass().getSimpleName() + ": " + root.getMessage(),
                    cause);
        }
    }

    @Override
    protected void closed() {
        SessionException cause = closeCause != null
                ? closeCause
                : new SessionException(
                        ErrorCode.CONNECTION_CLOSED,
                        REQUEST,
                        "connection closed by " + (byeSent || byeReceived ? "BYE" : "the peer or network"));
        established.completeExceptionally(cause);
        if (mux != null) {
            mux.close(cause);
        }
        cancel(sweeper);
        sweeper = null;
        if (refresh != null) {
            refresh.close(cause);
        }
        List<Pending> left = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : left) {
            p.future.completeExceptionally(cause);
        }
        List<PingWait> waits = new ArrayList<>(pings.values());
        pings.clear();
        waits.forEach(w -> w.future.completeExceptionally(cause));
        closed.complete(null);
    }

    /**
     * Fails requests past their deadline with {@code REQUEST_TIMEOUT} and forgets cancelled ones, freeing their
     * in-flight slots; stops itself once nothing is outstanding.
     */
    private void sweep() {
        if (pending.isEmpty()) {
            cancel(sweeper);
            sweeper = null;
            return;
        }
        long now = System.nanoTime();
        List<Pending> expired = null;
        boolean removed = false;
        for (var it = pending.entries().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Pending p = entry.value();
            boolean late = p.lateAt(now);
            if (late || p.future.isDone()) {
                it.remove();
                removed = true;
                if (mux != null) {
                    mux.cancel(entry.key(), ErrorCode.CANCELLED); // the server may stop working on it
                }
                if (late && !p.future.isDone()) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(p);
                }
            }
        }
        if (expired != null) {
            for (Pending p : expired) {
                p.future.completeExceptionally(new SessionException(
                        ErrorCode.REQUEST_TIMEOUT, REQUEST, "no response within " + p.timeout.toMillis() + " ms"));
            }
        }
        if (removed && legacy) {
            // Answers without req-id are matched in order (session.md §6): one that will never be claimed would
            // shift every later answer onto the wrong request, so the connection cannot go on.
            closeCause = new SessionException(
                    ErrorCode.REQUEST_TIMEOUT,
                    VstpException.Scope.CONNECTION,
                    "a request to a legacy peer timed out or was cancelled; answers can no longer be matched");
            ctx.close();
            return;
        }
        if (removed) {
            drain();
        }
    }
}
