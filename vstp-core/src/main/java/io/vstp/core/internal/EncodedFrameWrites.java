package io.vstp.core.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.PromiseCombiner;

/**
 * How the frame encoders hand an encoded frame on. A frame with a large payload is encoded as a composite (its head,
 * the payload by reference, a trailer); written as one buffer, TLS's record coalescing copies it through
 * {@code CompositeByteBuf.nioBuffer}, a new heap buffer for every record that spans two parts (a 1 GiB upload made
 * about that much garbage). Written as its parts, every copy is a plain memory copy.
 */
public final class EncodedFrameWrites {
    private EncodedFrameWrites() {}

    /**
     * Writes {@code encoded} (owned by this call), a composite as its parts; {@code promise} completes when all
     * of them are written, or fails with the first failure.
     *
     * @param ctx the encoder's context
     * @param encoded the encoded frame
     * @param promise the frame's write promise
     */
    public static void write(ChannelHandlerContext ctx, ByteBuf encoded, ChannelPromise promise) {
        if (!(encoded instanceof CompositeByteBuf parts) || parts.numComponents() < 2) {
            ctx.write(encoded, promise);
            return;
        }
        PromiseCombiner all = new PromiseCombiner(ctx.executor());
        try {
            for (int i = 0; i < parts.numComponents(); i++) {
                all.add(ctx.write(parts.component(i).retain()));
            }
        } finally {
            parts.release();
        }
        all.finish(promise);
    }
}
