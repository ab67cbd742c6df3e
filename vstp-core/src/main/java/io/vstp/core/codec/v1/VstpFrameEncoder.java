package io.vstp.core.codec.v1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.internal.EncodedFrameWrites;
import java.util.Objects;

/**
 * Netty pipeline stage: {@link Frame}s in, bytes out; other messages pass through. Each frame is written into one
 * I/O buffer allocated at its exact encoded size.
 *
 * <h2>Errors and ownership</h2>
 * The frame is always released. A frame that cannot be encoded (too large, an over-long header) fails its write
 * promise with the {@link FrameException} itself, unwrapped, and nothing reaches the wire; the channel stays open,
 * because the stream is still aligned.
 */
@ChannelHandler.Sharable
public class VstpFrameEncoder extends ChannelOutboundHandlerAdapter {
    /** Payloads at least this large are written by reference, not copied (see FrameWriter#encode). */
    static final int ZERO_COPY_THRESHOLD = 8192;

    private final FrameWriter writer;

    public VstpFrameEncoder() {
        this(new FrameWriter());
    }

    public VstpFrameEncoder(FrameWriter writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Frame)) {
            ctx.write(msg, promise);
            return;
        }
        Frame frame = (Frame) msg;
        ByteBuf out = null;
        try {
            if (frame.payload().readableBytes() >= ZERO_COPY_THRESHOLD) {
                out = writer.encode(frame, ctx.alloc());
            } else {
                out = ctx.alloc().ioBuffer(writer.encodedSize(frame));
                writer.write(frame, out);
            }
        } catch (FrameException e) {
            if (out != null) {
                out.release();
            }
            promise.setFailure(e);
            return;
        } finally {
            frame.release();
        }
        EncodedFrameWrites.write(ctx, out, promise);
    }
}
