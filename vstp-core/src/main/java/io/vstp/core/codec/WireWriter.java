package io.vstp.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;

/**
 * Encodes frames of one wire version: {@link io.vstp.core.codec.v1.FrameWriter} (v1) and
 * {@link io.vstp.core.codec.v2.V2FrameWriter} (v2), the mirrors of the {@link WireReader}s.
 */
public interface WireWriter {
    /**
     * The wire version this writer encodes.
     *
     * @return 1 or 2
     */
    int wireVersion();

    /**
     * The largest frame this writer produces.
     *
     * @return bytes, the whole frame
     */
    int maxFrameSize();

    /**
     * Appends {@code frame}'s encoding to {@code out}; the frame is not released.
     *
     * @param frame the frame
     * @param out   where the bytes go
     * @return the number of bytes written
     * @throws FrameException if the frame cannot be encoded (too large, a header entry beyond its limits); nothing
     *                        is written then
     */
    int write(Frame frame, ByteBuf out);

    /**
     * The frame's encoding in a new buffer from {@code alloc}; the frame is not released.
     *
     * @param frame the frame
     * @param alloc where the buffer comes from
     * @return the encoded frame, which the caller releases
     * @throws FrameException as {@link #write}
     */
    ByteBuf encode(Frame frame, ByteBufAllocator alloc);
}
