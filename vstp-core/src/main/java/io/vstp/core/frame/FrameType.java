package io.vstp.core.frame;

import java.util.Objects;

/**
 * A frame type: its one-byte wire code and a name (docs/spec/wire-v1.md §3).
 *
 * <p>The eight core types of v1 are constants here. Extensions are created with {@link #extension(int, String)} and
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

    /** Where a type comes from. */
    public enum Kind {
        /** Defined by the v1 specification. */
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
        if (code < 0 || code > 0xFF) {
            throw new IllegalArgumentException("frame type code must fit in one byte: " + code);
        }
        return code;
    }

    /** The wire code, 0-255. */
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
