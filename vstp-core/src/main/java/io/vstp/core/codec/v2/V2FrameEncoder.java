package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.internal.EncodedFrameWrites;
import java.util.Objects;

/**
 * Netty pipeline stage: {@link Frame}s in, v2 bytes out; other messages pass through. Each frame becomes one I/O
 * buffer of exactly its size, or a composite that holds a large payload by reference ({@link V2FrameWriter#encode}).
 *
 * <p>Not sharable: its writer holds the connection's HPACK encoder, which must see the frames in the order they are
 * written, all on the channel's event loop.
 *
 * <h2>Errors and ownership</h2>
 * The frame is always released. A frame that cannot be encoded fails its write promise with the
 * {@link FrameException} itself and nothing reaches the wire. Whether the connection may go on depends on the
 * error: a frame refused before its header block was encoded leaves the writer usable; after that, the writer
 * answers every later frame with {@code COMPRESSION_ERROR} (see {@link V2FrameWriter}).
 */
public class V2FrameEncoder extends ChannelOutboundHandlerAdapter {
    private final V2FrameWriter writer;

    public V2FrameEncoder(V2FrameWriter writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Frame frame)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf out;
        try {
            out = writer.encode(frame, ctx.alloc());
        } catch (FrameException e) {
            promise.setFailure(e);
            return;
        } finally {
            frame.release();
        }
        EncodedFrameWrites.write(ctx, out, promise);
    }
}
