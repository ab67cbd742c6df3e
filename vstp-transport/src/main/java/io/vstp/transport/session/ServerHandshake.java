package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The server's half of the handshake (session.md §3 and §6): it sits between the codec and the {@link ServerSession}
 * until the session opens, reads HELLO (or the first frame of a peer without sessions), checks the credentials,
 * answers WELCOME, switches the codec when wire v2 is agreed, tells the session what was settled, and removes itself.
 * No frame of an open session passes through it, and the session holds no handshake state.
 */
final class ServerHandshake extends ChannelInboundHandlerAdapter {
    static final String NAME = "handshake";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What the handshake settled.
     *
     * @param agreed the wire v2 agreement, or null for wire v1
     * @param legacy a peer without sessions (the Rust crate): no HELLO, no ERR, no BYE
     */
    record Settled(String id, Principal principal, boolean legacy, V2Handshake.Agreement agreed) {}

    private final ServerSession session;
    private final TransportLimits limits;
    private final ProtocolOptions protocol;
    private final boolean legacyAllowed;
    /** Null when the server has no authentication. */
    private final AccessControl access;

    private ChannelHandlerContext ctx;
    /** The HELLO held while its credentials are checked; nothing is read meanwhile. */
    private Frame pendingHello;

    ServerHandshake(
            ServerSession session,
            TransportLimits limits,
            ProtocolOptions protocol,
            boolean legacyAllowed,
            AccessControl access) {
        this.session = session;
        this.limits = limits;
        this.protocol = protocol;
        this.legacyAllowed = legacyAllowed;
        this.access = access;
    }

    /** Whether a HELLO's credentials are being checked: the session must not resume reading. */
    boolean checkingCredentials() {
        return pendingHello != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld(); // the check may never end; the buffer goes back now
        super.channelInactive(ctx);
    }

    private void releaseHeld() {
        if (pendingHello != null) {
            pendingHello.release();
            pendingHello = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame) || session.isFailed()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        FrameType type = frame.type();
        if (type.equals(FrameType.PING)) {
            frame.release(); // PING is ignored until the session is open (session.md §5.1)
            return;
        }
        if (pendingHello != null) {
            // The client sent more than HELLO before WELCOME (session.md §3.3), even a second HELLO.
            frame.release();
            session.fail(ErrorCode.PROTOCOL_VIOLATION, "frame " + type.name() + " before WELCOME");
            return;
        }
        // The crate's send_hello() is a HELLO without headers: a greeting, not an offer (session.md §6).
        boolean greeting =
                type.equals(FrameType.HELLO) && legacyAllowed && frame.headers().value(SessionFrames.VERSIONS) == null;
        if (type.equals(FrameType.HELLO) && !greeting) {
            if (access != null) {
                authenticate(frame);
            } else {
                welcome(frame, Principal.ANONYMOUS, hexId(16));
            }
            return;
        }
        if (!legacyAllowed) {
            frame.release();
            session.fail(ErrorCode.PROTOCOL_VIOLATION, "expected HELLO, got " + type.name());
            return;
        }
        startLegacy(frame, greeting);
    }

    /**
     * A peer without sessions: its first frame is already the application's (unless it is the crate's empty HELLO,
     * which its server answers with nothing, and so do we).
     */
    private void startLegacy(Frame first, boolean greeting) {
        String id = "legacy-" + hexId(8);
        Principal principal = Principal.ANONYMOUS;
        if (access != null) {
            principal = legacyPrincipal(id);
            if (principal == null) {
                first.release();
                ctx.close(); // no credentials, no anonymous access: a legacy peer gets no ERR (§6)
                return;
            }
        }
        session.open(new Settled(id, principal, true, null));
        if (greeting) {
            first.release();
        } else {
            ctx.fireChannelRead(first);
        }
        leave();
    }

    /**
     * A peer without HELLO (the crate) presents no credentials: it is whatever the access control makes of none
     * (for example anonymous roles) if it decides at once, and null (the connection closes) otherwise. Its requests
     * are authorised like any other and refused silently, since a legacy peer gets no ERR (session.md §6).
     */
    private Principal legacyPrincipal(String id) {
        CompletableFuture<Principal> none = SessionAuth.check(
                        access, new Credentials(null, List.of(), ctx.channel().remoteAddress(), id))
                .toCompletableFuture();
        return none.isDone() && !none.isCompletedExceptionally() ? none.join() : null;
    }

    /**
     * Checks the credentials of a HELLO (its bearer token, the mTLS certificate) before anything else happens: no
     * frame is read meanwhile, and the handshake timeout bounds the check (session.md §3.4).
     */
    private void authenticate(Frame hello) {
        String id = hexId(16);
        Credentials credentials;
        try {
            credentials = SessionAuth.credentials(hello, ctx, id);
        } catch (AuthenticationException e) {
            hello.release();
            session.fail(ErrorCode.UNAUTHENTICATED, e.detail());
            return;
        }
        pendingHello = hello;
        ctx.channel().config().setAutoRead(false);
        SessionAuth.check(access, credentials)
                .whenComplete((p, error) -> session.onLoop(() -> {
                    Frame held = pendingHello;
                    pendingHello = null;
                    if (held == null) {
                        return; // closed meanwhile: the buffer went back then
                    }
                    if (session.isFailed() || !ctx.channel().isActive()) {
                        held.release(); // the handshake timed out (or failed) while the check ran
                        return;
                    }
                    if (error != null || p == null) {
                        held.release();
                        session.fail(
                                ErrorCode.UNAUTHENTICATED,
                                error != null ? SessionAuth.refusal(error) : "authentication failed");
                        return;
                    }
                    welcome(held, p, id);
                }));
    }

    private void welcome(Frame hello, Principal principal, String id) {
        String offered = hello.headers().value(SessionFrames.VERSIONS);
        boolean v2 = protocol.v2() && V2Handshake.offers(hello, "2");
        if (!v2 && !V2Handshake.offers(hello, "1")) {
            hello.release();
            session.fail(
                    ErrorCode.NO_COMMON_VERSION,
                    "server speaks versions " + (protocol.v2() ? "2,1" : "1")
                            + (offered != null
                                    ? ", client offered " + offered
                                    : ", HELLO offers none (a peer without sessions, such as the Rust crate, is served "
                                            + "only in "
                                            + "plaintext)"));
            return;
        }
        V2Handshake.Agreement agreed = null;
        Headers welcome;
        try {
            if (v2) {
                agreed = V2Handshake.accept(hello, protocol, limits, V2Handshake.overTls(ctx));
                welcome = V2Handshake.welcome(agreed, protocol, limits, id);
            } else {
                welcome = SessionFrames.welcome("1", id, limits, 7).build();
            }
        } finally {
            hello.release();
        }
        ctx.writeAndFlush(SessionFrames.control(FrameType.WELCOME, withIdentity(welcome, principal)));
        session.open(new Settled(id, principal, false, agreed));
        ChannelPipeline pipeline = ctx.pipeline();
        leave();
        if (agreed != null) {
            // Last: replacing the decoder hands the bytes it still holds (a client that did not wait for WELCOME)
            // to the new one at once, and they must reach the open session, never this handshake again.
            V2Handshake.switchCodec(pipeline, agreed, protocol, limits);
        }
    }

    /** WELCOME tells an authenticated client its subject and how long its credentials last (session.md §3.4). */
    private Headers withIdentity(Headers welcome, Principal principal) {
        if (access == null) {
            return welcome;
        }
        Headers.Builder b = Headers.builder(welcome.size() + 2);
        welcome.forEach(b::add);
        SessionAuth.describe(b, principal, Instant.now());
        return b.build();
    }

    private void leave() {
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    private static String hexId(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
