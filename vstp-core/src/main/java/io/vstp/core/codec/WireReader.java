package io.vstp.core.codec;

import io.netty.buffer.ByteBuf;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes frames of one wire version from bytes, incrementally: {@link io.vstp.core.codec.v1.FrameReader} (v1) and
 * {@link io.vstp.core.codec.v2.V2FrameReader} (v2). Transports, {@link io.vstp.core.codec.v1.VstpFrameDecoder} and
 * diagnostic tools such as {@code vstp inspect} use this interface, so everything above the codec reads either
 * version the same way.
 *
 * <h2>Contract</h2>
 * {@link #read} returns at most one frame per call and moves the reader index past it; it returns {@code null},
 * consuming nothing, while the input holds only a valid beginning of a frame. Malformed input raises
 * {@link FrameException} with its code and, where the reader knows it, the offset and name of the deciding field
 * ({@link FrameException#offset()}, {@link FrameException#field()}). Whether an error consumes the frame is the
 * version's rule (wire-v1.md §7.3, wire-v2.md §4.2); either way the stream cannot be trusted after it.
 */
public interface WireReader {
    /**
     * The wire version this reader decodes.
     *
     * @return 1 or 2
     */
    int wireVersion();

    /**
     * Decodes the frame at {@code in}'s reader index.
     *
     * @param in the input; not released
     * @return the frame, with the reader index moved past it; or {@code null} if {@code in} holds only a valid
     *         beginning of a frame, with nothing consumed
     * @throws FrameException if the bytes cannot be the beginning of a valid frame
     */
    Frame read(ByteBuf in);

    /**
     * Decodes a complete input, its end being the end of the stream, into its frames.
     *
     * @param in the input; not released
     * @return every frame, in order; the caller releases them
     * @throws FrameException as {@link #read(ByteBuf)}, or {@code TRUNCATED} if the input ends inside a frame;
     *                        frames decoded before the error are released
     */
    default List<Frame> readAll(ByteBuf in) {
        List<Frame> frames = new ArrayList<>();
        try {
            while (in.isReadable()) {
                Frame frame = read(in);
                if (frame == null) {
                    throw truncated(in.readableBytes());
                }
                frames.add(frame);
            }
            return frames;
        } catch (RuntimeException e) {
            frames.forEach(Frame::release);
            throw e;
        }
    }

    /**
     * The error for a stream that ended inside a frame.
     *
     * @param leftover bytes of the unfinished frame that were received
     * @return a {@code TRUNCATED} error
     */
    static FrameException truncated(int leftover) {
        return new FrameException(
                ErrorCode.TRUNCATED, "input ended inside a frame, " + leftover + " byte(s) of it received");
    }
}
