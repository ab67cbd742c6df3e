package io.vstp.core.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.List;
import java.util.Objects;

/**
 * Netty pipeline stage: bytes in, {@link Frame}s out (docs/spec/wire-v1.md §7.2). Frames may be split at any byte
 * and many may arrive in one read.
 *
 * <h2>Errors</h2>
 * A {@link FrameException} is fired as is (not wrapped) through {@code exceptionCaught}; the stream has no
 * trustworthy frame boundary after it, so this decoder then discards every further byte. Deciding what to do —
 * an ERR frame and a close on TCP — is the next handler's job. A stream that ends inside a frame fires
 * {@code TRUNCATED}.
 *
 * <h2>Buffer ownership</h2>
 * Each frame's payload is a retained slice of the accumulated input; whoever consumes the frame releases it.
 */
public class VstpFrameDecoder extends ByteToMessageDecoder implements FrameDecoderStage {
    private final FrameReader reader;
    private boolean failed;

    public VstpFrameDecoder() {
        this(new FrameReader());
    }

    public VstpFrameDecoder(FrameReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /**
     * Bytes received but not yet decoded: a frame that has started and not finished. Session handlers use it to
     * time out frames that never complete (slow-loris).
     */
    @Override
    public int pendingBytes() {
        return actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Frame frame = reader.read(in);
            if (frame != null) {
                out.add(frame);
            }
        } catch (FrameException e) {
            fail(ctx, in, e);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // callDecode has already taken every complete frame; what is left is an unfinished one.
        if (!failed && in.isReadable()) {
            fail(ctx, in, FrameReader.truncated(in.readableBytes()));
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(e);
    }
}
