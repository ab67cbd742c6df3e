package io.vstp.core.frame;

import java.util.Objects;

/**
 * A frame type: its wire code and a name (docs/spec/wire-v1.md §3, docs/spec/wire-v2.md §3). A v1 code is one byte;
 * a v2 code is a varint up to {@link #MAX_CODE} (0x3FFF).
 *
 * <p>The eight core types of v1 and the two v2-only core types are constants here. Extensions are created with {@link
 * #extension(int, String)} and
 * added to a {@link FrameTypeRegistry}; a decoder configured to keep unregistered codes yields
 * {@link #unknown(int)} types so that frames can be forwarded and shown in diagnostics. Two types are equal when
 * their codes are equal.
 */
public final class FrameType {
    public static final FrameType HELLO = new FrameType(0x01, "HELLO", Kind.CORE);
    public static final FrameType WELCOME = new FrameType(0x02, "WELCOME", Kind.CORE);
    public static final FrameType DATA = new FrameType(0x03, "DATA", Kind.CORE);
    public static final FrameType PING = new FrameType(0x04, "PING", Kind.CORE);
    public static final FrameType PONG = new FrameType(0x05, "PONG", Kind.CORE);
    public static final FrameType BYE = new FrameType(0x06, "BYE", Kind.CORE);
    public static final FrameType ACK = new FrameType(0x07, "ACK", Kind.CORE);
    public static final FrameType ERR = new FrameType(0x08, "ERR", Kind.CORE);
    /** v2 only (wire-v2.md §8.2): grants flow-control credit. Not in the v1 registry. */
    public static final FrameType WINDOW_UPDATE = new FrameType(0x09, "WINDOW_UPDATE", Kind.CORE);
    /** v2 only (wire-v2.md §7.4): abandons a stream. Not in the v1 registry. */
    public static final FrameType CANCEL = new FrameType(0x0A, "CANCEL", Kind.CORE);
    /** v2 only (session.md §3.5): refreshes a session's credentials, and the server's answer. */
    public static final FrameType AUTH = new FrameType(0x0B, "AUTH", Kind.CORE);

    /** The largest type code of any version (wire-v2.md §3: {@code 0x4000} and above are reserved). */
    public static final int MAX_CODE = 0x3FFF;
    /** The largest type code v1 can carry: TYPE is one byte there. */
    public static final int MAX_V1_CODE = 0xFF;
    /** The first extension code of v2; below it is the core range (wire-v2.md §3). */
    public static final int FIRST_EXTENSION_CODE = 0x40;

    /** Where a type comes from. */
    public enum Kind {
        /** Defined by the specifications of this project (wire-v1.md, wire-v2.md). */
        CORE,
        /** Added by an extension through a {@link FrameTypeRegistry}. */
        EXTENSION,
        /** Not registered: only a decoder that keeps unknown types produces these. */
        UNKNOWN
    }

    private final int code;
    private final String name;
    private final Kind kind;

    private FrameType(int code, String name, Kind kind) {
        this.code = checkCode(code);
        this.name = Objects.requireNonNull(name, "name");
        this.kind = kind;
    }

    /** An extension type to register in a {@link FrameTypeRegistry}. */
    public static FrameType extension(int code, String name) {
        return new FrameType(code, name, Kind.EXTENSION);
    }

    /** A type code no registry knows, kept for forwarding and diagnostics. */
    public static FrameType unknown(int code) {
        return new FrameType(code, String.format("UNKNOWN(0x%02X)", checkCode(code)), Kind.UNKNOWN);
    }

    private static int checkCode(int code) {
        if (code < 0 || code > MAX_CODE) {
            throw new IllegalArgumentException("frame type code must be in [0, 0x3FFF]: " + code);
        }
        return code;
    }

    /**
     * Whether a v2 receiver that does not know {@code code} discards the frame instead of failing the connection
     * (wire-v2.md §3): the odd codes of the extension range {@code 0x40..0x3FFF}. Core codes, even extension codes
     * and reserved codes are not ignorable.
     */
    public static boolean isIgnorable(int code) {
        return code >= FIRST_EXTENSION_CODE && code <= MAX_CODE && (code & 1) == 1;
    }

    /** The wire code, 0-0x3FFF (at most 0xFF for a type that v1 can carry). */
    public int code() {
        return code;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isKnown() {
        return kind != Kind.UNKNOWN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameType && ((FrameType) o).code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    @Override
    public String toString() {
        return name;
    }
}
