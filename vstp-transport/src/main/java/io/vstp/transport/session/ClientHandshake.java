package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client's half of the handshake (session.md §3): it sits between the codec and the {@link ClientSession} until
 * WELCOME, sends HELLO with the bearer token, reads WELCOME (or ERR), switches the codec when the server chose wire
 * v2, tells the session what was agreed and removes itself. With {@link ClientSession#detectPeerWithoutSessions} it
 * also recognises a peer without sessions (the Rust crate) by its silence or its answer. A legacy session, which
 * sends no HELLO, never has one.
 */
final class ClientHandshake extends ChannelInboundHandlerAdapter {
    static final String NAME = "handshake";

    /**
     * What WELCOME said.
     *
     * @param subject    the subject the server authenticated, or null when it does not authenticate
     * @param expiresAt  when the server stops accepting our credentials, or null
     * @param maxMessage the largest message the server accepts (v2), {@link Integer#MAX_VALUE} on v1
     * @param agreed     the wire v2 agreement, or null for wire v1
     */
    record Settled(
            String sessionId,
            String serverImplementation,
            String subject,
            Instant expiresAt,
            int maxFrame,
            int maxInFlight,
            int maxMessage,
            V2Handshake.Agreement agreed) {}

    private final ClientSession session;
    private final TransportLimits limits;
    private final ProtocolOptions protocol;
    /** The bearer token for HELLO, or null for none; called on the event loop. */
    private final Supplier<String> tokens;
    /**
     * How long HELLO may go unanswered before the peer is taken for one without sessions; null never. Read from the
     * session when the channel becomes active, so {@link ClientSession#detectPeerWithoutSessions} may come late.
     */
    private Duration legacyProbe;

    private ChannelHandlerContext ctx;

    ClientHandshake(ClientSession session, TransportLimits limits, ProtocolOptions protocol, Supplier<String> tokens) {
        this.session = session;
        this.limits = limits;
        this.protocol = protocol;
        this.tokens = tokens;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        legacyProbe = session.legacyProbe();
        super.channelActive(ctx); // the session starts its handshake timer first
        boolean tls = V2Handshake.overTls(ctx);
        Headers hello = V2Handshake.hello(protocol, limits, tls);
        String token;
        try {
            token = tokens == null ? null : tokens.get();
        } catch (RuntimeException e) {
            session.closeWith(new SessionException(
                    ErrorCode.UNAUTHENTICATED, VstpException.Scope.CONNECTION, "no token to send: " + e.getMessage()));
            return;
        }
        ctx.writeAndFlush(SessionAuth.withToken(FrameType.HELLO, hello, token));
        if (probing()) {
            ctx.executor()
                    .schedule(
                            () -> {
                                if (!ctx.isRemoved() && ctx.channel().isActive() && !session.isFailed()) {
                                    session.withoutSessions(
                                            "did not answer HELLO within " + legacyProbe.toMillis() + " ms");
                                }
                            },
                            legacyProbe.toNanos(),
                            TimeUnit.NANOSECONDS);
        }
    }

    /** Only in plaintext: the crate does not speak TLS, so over TLS a silent server is just a broken one. */
    private boolean probing() {
        return legacyProbe != null && !V2Handshake.overTls(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || session.isFailed()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FrameType type = frame.type();
        if (type.equals(FrameType.PING)) {
            frame.release(); // not answered before the session is open (session.md §5.1)
        } else if (type.equals(FrameType.WELCOME)) {
            welcome(frame);
        } else if (type.equals(FrameType.ERR)) {
            SessionException e = SessionFrames.readErr(frame, VstpException.Scope.CONNECTION);
            frame.release();
            session.closeWith(e);
        } else if (probing()) {
            frame.release();
            session.withoutSessions("answered HELLO with " + type.name());
        } else {
            frame.release();
            session.fail(ErrorCode.PROTOCOL_VIOLATION, "expected WELCOME, got " + type.name());
        }
    }

    private void welcome(Frame welcome) {
        Settled settled;
        try {
            String sessionId = String.valueOf(welcome.headers().value(SessionFrames.SESSION_ID));
            String implementation = String.valueOf(welcome.headers().value(SessionFrames.IMPL));
            String subject = welcome.headers().value(SessionAuth.SUBJECT);
            Instant expiresAt = SessionAuth.expiry(welcome);
            if (protocol.v2() && "2".equals(welcome.headers().value(SessionFrames.VERSION))) {
                V2Handshake.Agreement agreed =
                        V2Handshake.fromWelcome(welcome, protocol, limits, V2Handshake.overTls(ctx));
                settled = new Settled(
                        sessionId,
                        implementation,
                        subject,
                        expiresAt,
                        agreed.peerMaxFrame(),
                        agreed.peerMaxStreams(),
                        agreed.peerMaxMessage(),
                        agreed);
            } else {
                long maxFrame = SessionFrames.longHeader(
                        welcome, SessionFrames.MAX_FRAME, limits.frame().maxFrameSize());
                long maxInFlight =
                        SessionFrames.longHeader(welcome, SessionFrames.MAX_IN_FLIGHT, limits.maxInFlightRequests());
                // Never above our own limits, never below what a frame needs: the server's word is bounded.
                settled = new Settled(
                        sessionId,
                        implementation,
                        subject,
                        expiresAt,
                        (int) Math.max(15, Math.min(maxFrame, limits.frame().maxFrameSize())),
                        (int) Math.max(1, Math.min(maxInFlight, limits.maxInFlightRequests())),
                        Integer.MAX_VALUE,
                        null);
            }
        } finally {
            welcome.release();
        }
        if (settled.agreed() != null) {
            if (settled.agreed().integrity() == null) {
                session.fail(ErrorCode.PROTOCOL_VIOLATION, "the server chose an integrity mode that was not offered");
                return;
            }
        }
        session.settle(settled);
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(this);
        if (settled.agreed() != null) {
            // After leaving: replacing the decoder hands the bytes it still holds to the new one at once, and
            // they must reach the settled session, never this handshake again.
            V2Handshake.switchCodec(pipeline, settled.agreed(), protocol, limits);
        }
        session.announceOpen(); // last: a caller told now may write at once, in the agreed wire version
    }
}
