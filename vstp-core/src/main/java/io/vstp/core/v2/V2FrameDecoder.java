package io.vstp.core.v2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vstp.core.codec.FrameDecoderStage;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.List;
import java.util.Objects;

/**
 * Netty pipeline stage: bytes in, v2 {@link Frame}s out, for ordered transports (TCP, TLS). Frames may be split at
 * any byte and many may arrive in one read; each {@code decode} call yields at most one frame, as
 * {@link io.vstp.core.codec.VstpFrameDecoder} does, so a handler can replace the codec between two frames.
 *
 * <p>Frames of an ignorable unknown type are passed on with an unknown {@link io.vstp.core.frame.FrameType}
 * (see {@link V2FrameReader}): the session drops them.
 *
 * <h2>Errors</h2>
 * A {@link FrameException} is fired as is through {@code exceptionCaught}; neither the frame boundaries nor the
 * HPACK table can be trusted after it, so this decoder then discards every further byte. A stream that ends inside
 * a frame fires {@code TRUNCATED}.
 *
 * <h2>Buffer ownership</h2>
 * Each frame's payload is a retained slice of the accumulated input; whoever consumes the frame releases it.
 */
public class V2FrameDecoder extends ByteToMessageDecoder implements FrameDecoderStage {
    private final V2FrameReader reader;
    private boolean failed;

    public V2FrameDecoder(V2FrameReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

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
            fail(ctx, in, V2FrameReader.truncated(in.readableBytes()));
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(e);
    }
}
