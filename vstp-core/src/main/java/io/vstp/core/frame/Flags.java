package io.vstp.core.frame;

import java.util.StringJoiner;

/**
 * The FLAGS byte of a frame (docs/spec/wire-v1.md §4). Immutable and interned: {@link #of(int)} returns one shared
 * instance per byte value.
 *
 * <p>All eight bits are kept as received, the undefined ones included, so a frame can be forwarded unchanged. No
 * flag changes the framing: the CRC trailer is present whatever {@link #CRC} says. Senders must not set undefined
 * bits in v1 frames, because the Rust crate then drops every flag (§4.2).
 */
public final class Flags {
    private static final Flags[] ALL = new Flags[256];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new Flags(i);
        }
    }

    public static final Flags NONE = ALL[0];
    /** The sender asks for an ACK. */
    public static final Flags REQ_ACK = ALL[0x01];
    /** Informational in v1: the CRC trailer is always present and always checked. */
    public static final Flags CRC = ALL[0x02];
    /** The frame is one fragment of a larger message (UDP). */
    public static final Flags FRAG = ALL[0x10];
    /** The payload is compressed. Carried opaquely in v1. */
    public static final Flags COMP = ALL[0x20];

    /** v2 only (wire-v2.md §4.1): the sender's last frame on this stream. Same bit as v1's {@link #CRC}. */
    public static final Flags END_STREAM = ALL[0x02];
    /** v2 only (wire-v2.md §7.3): the message continues in the next DATA frame of this stream. */
    public static final Flags MORE = ALL[0x04];

    /** The bits v1 defines: REQ_ACK, CRC, FRAG, COMP. */
    public static final int DEFINED_BITS = 0x01 | 0x02 | 0x10 | 0x20;

    private final int bits;

    private Flags(int bits) {
        this.bits = bits;
    }

    /** The flags with exactly these bits. */
    public static Flags of(int bits) {
        if (bits < 0 || bits > 0xFF) {
            throw new IllegalArgumentException("flags must fit in one byte: " + bits);
        }
        return ALL[bits];
    }

    public int bits() {
        return bits;
    }

    /** Whether every bit of {@code other} is set here. */
    public boolean has(Flags other) {
        return (bits & other.bits) == other.bits;
    }

    public Flags with(Flags other) {
        return ALL[bits | other.bits];
    }

    public Flags without(Flags other) {
        return ALL[bits & ~other.bits];
    }

    /** The bits set here that v1 does not define. */
    public int undefinedBits() {
        return bits & ~DEFINED_BITS;
    }

    @Override
    public String toString() {
        if (bits == 0) {
            return "NONE";
        }
        StringJoiner j = new StringJoiner("|");
        if (has(REQ_ACK)) {
            j.add("REQ_ACK");
        }
        if (has(CRC)) {
            j.add("CRC");
        }
        if (has(FRAG)) {
            j.add("FRAG");
        }
        if (has(COMP)) {
            j.add("COMP");
        }
        if (undefinedBits() != 0) {
            j.add(String.format("0x%02X", undefinedBits()));
        }
        return j.toString();
    }
}
