package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;

/**
 * The variable-length integers of wire v2 (docs/spec/wire-v2.md §2): QUIC's form, where the top two bits of the
 * first byte give the length (1, 2, 4 or 8 bytes) and the rest is the value, big-endian. Only the shortest form
 * is valid.
 */
public final class VarInt {
    /** The largest value a varint holds, 2^62 − 1. */
    public static final long MAX = (1L << 62) - 1;

    private VarInt() {}

    /** The encoded size of {@code value}: 1, 2, 4 or 8. */
    public static int size(long value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("varint out of range: " + value);
        }
        if (value < 0x40) {
            return 1;
        }
        if (value < 0x4000) {
            return 2;
        }
        return value < 0x4000_0000 ? 4 : 8;
    }

    /** The encoded size announced by a first byte, without reading further. */
    public static int sizeOfFirstByte(int firstByte) {
        return 1 << ((firstByte & 0xFF) >>> 6);
    }

    /** Writes {@code value} in its shortest form. */
    public static void write(ByteBuf out, long value) {
        switch (size(value)) {
            case 1 -> out.writeByte((int) value);
            case 2 -> out.writeShort((int) value | 0x4000);
            case 4 -> out.writeInt((int) value | 0x8000_0000);
            default -> out.writeLong(value | 0xC000_0000_0000_0000L);
        }
    }

    /**
     * Reads the varint at {@code index} without moving any index; the caller has checked that
     * {@link #sizeOfFirstByte(int)} bytes are readable there.
     *
     * @throws FrameException {@code NON_MINIMAL_VARINT} when a shorter form would hold the value
     */
    public static long get(ByteBuf in, int index) {
        int first = in.getUnsignedByte(index);
        long value;
        long min;
        switch (first >>> 6) {
            case 0 -> {
                return first;
            }
            case 1 -> {
                value = in.getUnsignedShort(index) & 0x3FFF;
                min = 0x40;
            }
            case 2 -> {
                value = in.getUnsignedInt(index) & 0x3FFF_FFFFL;
                min = 0x4000;
            }
            default -> {
                value = in.getLong(index) & MAX;
                min = 0x4000_0000;
            }
        }
        if (value < min) {
            throw new FrameException(
                    ErrorCode.NON_MINIMAL_VARINT,
                    "varint " + value + " encoded in " + sizeOfFirstByte(first) + " bytes");
        }
        return value;
    }

    /**
     * Reads a varint and advances the reader index past it.
     *
     * @throws FrameException {@code LENGTH_MISMATCH} when fewer bytes are readable than the varint needs,
     *                        {@code NON_MINIMAL_VARINT} as {@link #get(ByteBuf, int)}
     */
    public static long read(ByteBuf in) {
        if (!in.isReadable()) {
            throw new FrameException(ErrorCode.LENGTH_MISMATCH, "varint missing");
        }
        int index = in.readerIndex();
        int n = sizeOfFirstByte(in.getByte(index));
        if (in.readableBytes() < n) {
            throw new FrameException(
                    ErrorCode.LENGTH_MISMATCH, "varint needs " + n + " bytes, " + in.readableBytes() + " left");
        }
        long value = get(in, index);
        in.skipBytes(n);
        return value;
    }
}
