package io.vstp.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.frame.Frame;

/** A frame as the bytes a v1 peer sends, for tests that write raw datagrams or sockets. */
public final class FrameBytes {
    private FrameBytes() {}

    /** Encodes {@code frame} as wire v1 and releases it. */
    public static byte[] v1(Frame frame) {
        ByteBuf out = Unpooled.buffer();
        try {
            new FrameWriter().write(frame, out);
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            frame.release();
            out.release();
        }
    }
}
