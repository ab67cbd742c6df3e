package io.vstp.core.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Checksum;

/**
 * The frame trailer's CRC-32/ISO-HDLC (docs/spec/wire-v1.md §2.4): {@link CRC32}, which the JVM computes with
 * carry-less multiply instructions, over the buffer's memory in place — heap or direct, never copied.
 */
public final class FrameChecksum {
    private FrameChecksum() {}

    /**
     * The CRC of {@code length} bytes of {@code buf} from absolute {@code index} (indexes do not move), in a buffer
     * this thread owns alone (a decoder's input, an encoder's fresh output): uses the
     * buffer's reusable internal NIO view, so no {@code ByteBuffer} is allocated per frame. Never for buffers
     * that other threads may read at the same time, such as a payload shared by several connections: that view is
     * one mutable object per buffer.
     */
    public static long ofOwned(ByteBuf buf, int index, int length) {
        CRC32 crc = new CRC32();
        updateOwned(crc, buf, index, length);
        return crc.getValue();
    }

    /**
     * Adds bytes of a buffer this thread owns alone to {@code crc} (CRC-32, or wire v2's CRC32C), as {@link #ofOwned}.
     */
    public static void updateOwned(Checksum crc, ByteBuf buf, int index, int length) {
        if (!buf.hasArray() && buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            update(crc, buf, index, length);
        }
    }

    /** Adds bytes of any buffer to {@code crc}, touching nothing shared (safe for shared payloads). */
    public static void update(Checksum crc, ByteBuf buf, int index, int length) {
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(index, length));
        } else if (buf.nioBufferCount() > 1) {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        } else {
            // A buffer with no NIO view: stream it through a bounded scratch array.
            byte[] scratch = new byte[Math.min(length, 8192)];
            for (int done = 0; done < length; ) {
                int n = Math.min(scratch.length, length - done);
                buf.getBytes(index + done, scratch, 0, n);
                crc.update(scratch, 0, n);
                done += n;
            }
        }
    }
}
