package io.vstp.core.compress;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A region of a Netty buffer in the form the native libraries take: a heap array with an offset, or a direct
 * {@link ByteBuffer} with an absolute offset. No copy, except for a composite buffer of several components
 * ({@link ByteBuf#nioBuffer(int, int)} merges them once) and a read-only heap buffer (no array to lend).
 */
final class NativeRegion {
    final byte[] array;
    final ByteBuffer direct;
    /** Offset in {@link #array}, or absolute index in {@link #direct}. */
    final int offset;

    final int length;

    private NativeRegion(byte[] array, ByteBuffer direct, int offset, int length) {
        this.array = array;
        this.direct = direct;
        this.offset = offset;
        this.length = length;
    }

    /** {@code length} bytes of {@code buf} to read from {@code index} (indexes untouched). */
    static NativeRegion readable(ByteBuf buf, int index, int length) {
        return of(buf, index, length, false);
    }

    /** {@code length} bytes of {@code buf} to write from {@code index}: never a copy (indexes untouched). */
    static NativeRegion writable(ByteBuf buf, int index, int length) {
        return of(buf, index, length, true);
    }

    private static NativeRegion of(ByteBuf buf, int index, int length, boolean writable) {
        if (buf.hasArray()) {
            return new NativeRegion(buf.array(), null, buf.arrayOffset() + index, length);
        }
        ByteBuffer nio = buf.nioBuffer(index, length);
        if (nio.isDirect()) {
            return new NativeRegion(null, nio, nio.position(), length);
        }
        if (nio.hasArray()) {
            return new NativeRegion(nio.array(), null, nio.arrayOffset() + nio.position(), length);
        }
        if (writable) {
            throw new IllegalStateException("buffer has neither an array nor direct memory: " + buf);
        }
        byte[] copy = new byte[length];
        nio.duplicate().get(copy);
        return new NativeRegion(copy, null, 0, length);
    }

    boolean isDirect() {
        return direct != null;
    }

    /** A ByteBuffer over the region, for lz4-java; index it with {@link #offset}. */
    ByteBuffer asByteBuffer() {
        return direct != null ? direct : ByteBuffer.wrap(array);
    }
}
