package io.vstp.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/** Hex for tests: lowercase, no separators, as in docs/spec/vectors. */
public final class Hex {
    private Hex() {}

    public static byte[] decode(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    public static String encode(ByteBuf buf) {
        return ByteBufUtil.hexDump(buf);
    }

    public static String encode(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    /** A leak-tracked pooled direct buffer holding these bytes; the caller releases it. */
    public static ByteBuf buffer(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(bytes.length, 1));
        return buf.writeBytes(bytes);
    }

    public static ByteBuf buffer(String hex) {
        return buffer(decode(hex));
    }
}
