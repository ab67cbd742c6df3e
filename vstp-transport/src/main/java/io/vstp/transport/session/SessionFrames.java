package io.vstp.transport.session;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import java.nio.charset.StandardCharsets;

/** The session frames and header names of docs/spec/session.md, built and read in one place. */
public final class SessionFrames {
    public static final String IMPL = "impl";
    public static final String VERSIONS = "versions";
    public static final String VERSION = "version";
    public static final String SESSION_ID = "session-id";
    public static final String MAX_FRAME = "max-frame";
    public static final String MAX_HEADERS = "max-headers";
    public static final String MAX_IN_FLIGHT = "max-in-flight";
    public static final String IDLE_TIMEOUT_MS = "idle-timeout-ms";
    public static final String REQ_ID = "req-id";
    public static final String CODE = "code";
    public static final String ERROR = "error";
    public static final String REASON = "reason";

    /** The protocol versions this implementation speaks, in preference order. */
    public static final String SUPPORTED_VERSIONS = "1";

    /** ERR messages are for humans and diagnostics; a bound keeps a chatty peer from sending megabytes. */
    static final int MAX_ERROR_MESSAGE_BYTES = 1024;

    private SessionFrames() {}

    public static String implementation() {
        String v = SessionFrames.class.getPackage().getImplementationVersion();
        return "vstp-java/" + (v != null ? v : "dev");
    }

    /**
     * The WELCOME headers every wire version carries (session.md §3.2): who answers, the version chosen, the session's
     * id and the server's limits. Wire v2 adds its own after them.
     */
    static Headers.Builder welcome(String version, String sessionId, TransportLimits limits, int capacity) {
        return Headers.builder(capacity)
                .add(IMPL, implementation())
                .add(VERSION, version)
                .add(SESSION_ID, sessionId)
                .add(MAX_FRAME, Integer.toString(limits.frame().maxFrameSize()))
                .add(MAX_HEADERS, Integer.toString(limits.frame().maxHeaderCount()))
                .add(MAX_IN_FLIGHT, Integer.toString(limits.maxInFlightRequests()))
                .add(IDLE_TIMEOUT_MS, Long.toString(limits.idleTimeout().toMillis()));
    }

    /** An ERR frame for {@code code}; {@code reqId} may be null for a connection-level error. */
    public static Frame err(ErrorCode code, String message, String reqId) {
        Frame.Builder b = Frame.builder(FrameType.ERR)
                .header(CODE, Integer.toString(code.code()))
                .header(ERROR, code.name());
        if (reqId != null) {
            b.header(REQ_ID, reqId);
        }
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_ERROR_MESSAGE_BYTES) {
            text = java.util.Arrays.copyOf(text, MAX_ERROR_MESSAGE_BYTES);
        }
        return b.payload(text).build();
    }

    /** Reads an ERR frame (without releasing it) as the exception it reports. */
    public static SessionException readErr(Frame err, VstpException.Scope scope) {
        String code = err.headers().value(CODE);
        int wire;
        try {
            wire = code != null ? Integer.parseInt(code) : ErrorCode.PROTOCOL_VIOLATION.code();
        } catch (NumberFormatException e) {
            wire = ErrorCode.PROTOCOL_VIOLATION.code();
        }
        int n = Math.min(err.payload().readableBytes(), MAX_ERROR_MESSAGE_BYTES);
        String message = err.payload().toString(err.payload().readerIndex(), n, StandardCharsets.UTF_8);
        return SessionException.fromPeer(wire, scope, message);
    }

    public static Frame bye(String reason) {
        return Frame.builder(FrameType.BYE).header(REASON, reason).build();
    }

    /** The PONG answering {@code ping}: same flags, headers and payload (retained, so ping may be released). */
    public static Frame pong(Frame ping) {
        return new Frame(
                FrameType.PONG, ping.flags(), ping.headers(), ping.payload().retainedSlice());
    }

    /**
     * {@code frame} with {@code key: value} added unless it already carries that header. The result takes over
     * {@code frame}'s payload reference: release the result, not {@code frame}.
     */
    public static Frame withHeader(Frame frame, String key, String value) {
        if (frame.headers().first(key) != null) {
            return frame;
        }
        Headers.Builder h = Headers.builder(frame.headers().size() + 1);
        for (Header e : frame.headers()) {
            h.add(e);
        }
        h.add(key, value);
        return new Frame(frame.type(), frame.flags(), h.build(), frame.payload());
    }

    /** A frame of {@code type} with no flags and the given headers. */
    public static Frame control(FrameType type, Headers headers) {
        return new Frame(type, Flags.NONE, headers, Unpooled.EMPTY_BUFFER);
    }

    /** A non-negative integer header, or {@code fallback} when absent or malformed. */
    public static long longHeader(Frame frame, String key, long fallback) {
        Header h = frame.headers().first(key);
        long n = h == null ? -1 : h.valueAsDecimal();
        return n < 0 ? fallback : n;
    }

    /**
     * The value of a session number as the specs write it (ASCII digits only, no sign, at most 18 digits, so it
     * cannot overflow), or -1 if {@code text} is not one. The rule of {@link Header#valueAsDecimal()}, for text
     * that is only part of a header value (SACK ranges); whole header values go through that one.
     */
    public static long decimal(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
