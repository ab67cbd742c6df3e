package io.vstp.transport.session;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.core.internal.Failures;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Credentials on the wire (docs/spec/session.md §3.4, §3.5): a bearer token as the payload of HELLO or AUTH under
 * header {@code auth: bearer}, the AUTH answer, and the client certificate of an mTLS session.
 */
public final class SessionAuth {
    /** Header naming the credential scheme of the payload. */
    public static final String AUTH = "auth";

    public static final String BEARER = "bearer";
    public static final String STATUS = "auth-status";
    public static final String SUBJECT = "auth-subject";
    public static final String EXPIRES_IN_MS = "auth-expires-in-ms";
    public static final String MESSAGE = "message";
    public static final String OK = "ok";
    public static final String REFUSED = "refused";

    /**
     * The largest token a server reads (session.md §3.4). Real JWTs are 1-4 KiB; the bound stops a peer from making
     * the server decode and hash megabytes per handshake. Validators may set a smaller one.
     */
    public static final int MAX_TOKEN_BYTES = 64 * 1024;

    private SessionAuth() {}

    /**
     * The bearer token a HELLO, an AUTH or a datagram's credentials request (services.md §2b) carries, or null when
     * it carries none; refused (scheme, empty, size) as §3.4 says. Does not release {@code frame}.
     */
    public static String bearerToken(Frame frame) {
        String scheme = frame.headers().value(AUTH);
        if (scheme == null) {
            return null;
        }
        if (!BEARER.equals(scheme)) {
            throw new AuthenticationException("unsupported credential scheme");
        }
        int n = frame.payload().readableBytes();
        if (n == 0) {
            throw new AuthenticationException("empty bearer token");
        }
        if (n > MAX_TOKEN_BYTES) {
            throw new AuthenticationException("token larger than " + MAX_TOKEN_BYTES + " bytes");
        }
        return frame.payload().toString(frame.payload().readerIndex(), n, StandardCharsets.US_ASCII);
    }

    /**
     * A frame of {@code type} carrying a bearer token (session.md §3.4): {@code headers} plus {@code auth: bearer},
     * the token as payload. Used for HELLO, AUTH refreshes and the credentials request over DTLS; without a token,
     * {@code headers} alone.
     */
    public static Frame withToken(FrameType type, Headers headers, String token) {
        if (token == null) {
            return SessionFrames.control(type, headers);
        }
        Headers.Builder b = Headers.builder(headers.size() + 1);
        headers.forEach(b::add);
        b.add(AUTH, BEARER);
        return new Frame(
                type, Flags.NONE, b.build(), Unpooled.wrappedBuffer(token.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * What a HELLO or an AUTH frame presents: its bearer token, the certificate chain TLS verified, the peer's address.
     *
     * @throws AuthenticationException when the token is malformed or too large
     */
    static Credentials credentials(Frame frame, ChannelHandlerContext ctx, String sessionId) {
        return new Credentials(
                bearerToken(frame), clientCertificates(ctx), ctx.channel().remoteAddress(), sessionId);
    }

    /** The certificate chain the TLS handshake verified for the client (mTLS), leaf first; empty without one. */
    static List<X509Certificate> clientCertificates(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** WELCOME, AUTH or datagram-credentials headers that tell the client who it is and for how long. */
    public static void describe(Headers.Builder b, Principal principal, Instant now) {
        b.add(SUBJECT, truncate(principal.subject()));
        if (principal.expiresAt() != null) {
            b.add(
                    EXPIRES_IN_MS,
                    Long.toString(Math.max(
                            0, Duration.between(now, principal.expiresAt()).toMillis())));
        }
    }

    /** The server's answer to AUTH: {@code ok} with the new expiry, or {@code refused} with why. */
    static Frame answer(Principal principal, String refusal) {
        Headers.Builder b = Headers.builder(3);
        if (refusal == null) {
            b.add(STATUS, OK);
            describe(b, principal, Instant.now());
        } else {
            b.add(STATUS, REFUSED)
                    .add(SessionFrames.CODE, Integer.toString(io.vstp.core.error.ErrorCode.UNAUTHENTICATED.code()))
                    .add(MESSAGE, truncate(refusal));
        }
        return SessionFrames.control(FrameType.AUTH, b.build());
    }

    /** When the credentials a WELCOME or AUTH answer describes stop being accepted ({@code expires-in-ms}), or null. */
    static Instant expiry(Frame frame) {
        long ms = SessionFrames.longHeader(frame, EXPIRES_IN_MS, -1);
        return ms < 0 ? null : Instant.now().plusMillis(ms);
    }

    /** Asks {@code access} about {@code credentials}; a validator that throws or answers null refuses. */
    static CompletionStage<Principal> check(AccessControl access, Credentials credentials) {
        try {
            CompletionStage<Principal> stage = access.authenticate(credentials);
            return stage != null ? stage : CompletableFuture.failedFuture(new AuthenticationException("refused"));
        } catch (RuntimeException | LinkageError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What the peer learns about refused credentials: the validator's class of problem, nothing else. */
    public static String refusal(Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof AuthenticationException a) {
            return a.detail();
        }
        return cause instanceof NullPointerException
                ? "authentication failed"
                : "authentication failed (" + cause.getClass().getSimpleName() + ")";
    }

    /** At most 200 UTF-8 bytes, cut between code points: v1 header values hold 255 bytes. */
    private static String truncate(String s) {
        if (s.length() <= 50) {
            return s; // 50 chars are at most 200 bytes
        }
        StringBuilder b = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > 200) {
                break;
            }
            b.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return b.toString();
    }
}
