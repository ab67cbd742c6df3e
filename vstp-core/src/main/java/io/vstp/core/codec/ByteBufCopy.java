package io.vstp.core.codec;

import io.netty.buffer.ByteBuf;

/** Copying between Netty buffers on the encoders' hot path. */
public final class ByteBufCopy {
    private ByteBufCopy() {}

    /**
     * Appends {@code length} bytes of {@code src} from {@code index} to {@code out}, moving no index of
     * {@code src}. Goes through the source's getBytes: a pooled destination's writeBytes(ByteBuf) makes a
     * ByteBuffer view of the source on every call, one garbage object per copied field per frame.
     */
    public static void append(ByteBuf src, int index, int length, ByteBuf out) {
        out.ensureWritable(length);
        int at = out.writerIndex();
        src.getBytes(index, out, at, length);
        out.writerIndex(at + length);
    }
}
