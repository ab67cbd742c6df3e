package io.vstp.core.codec.v1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vstp.core.codec.WireReader;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.List;
import java.util.Objects;

/**
 * Netty pipeline stage: bytes in, {@link Frame}s out, for ordered transports (TCP, TLS), over the {@link WireReader}
 * of either wire version (docs/spec/wire-v1.md §7.2, wire-v2.md §4.2). Frames may be split at any byte and many may
 * arrive in one read; each {@code decode} call yields at most one frame, so a handler can replace the stage between
 * two frames: the session registers it under {@link #NAME} and, after a v2 handshake, replaces it under the same
 * name with one over a v2 reader.
 *
 * <h2>Errors</h2>
 * A {@link FrameException} is fired as is (not wrapped) through {@code exceptionCaught}; the stream has no
 * trustworthy frame boundary after it (nor, on v2, a trustworthy HPACK table), so this decoder then discards every
 * further byte. Deciding what to do — an ERR frame and a close on TCP — is the next handler's job. A stream that
 * ends inside a frame fires {@code TRUNCATED}.
 *
 * <h2>Buffer ownership</h2>
 * Each frame's payload is a retained slice of the accumulated input; whoever consumes the frame releases it.
 */
public class VstpFrameDecoder extends ByteToMessageDecoder {
    /** The pipeline name of the decoder stage, whatever its wire version. */
    public static final String NAME = "decoder";

    private final WireReader reader;
    private boolean failed;

    /** A wire v1 decoder with {@link io.vstp.core.codec.FrameLimits#DEFAULT}. */
    public VstpFrameDecoder() {
        this(new FrameReader());
    }

    /**
     * A decoder over {@code reader}.
     *
     * @param reader the wire version's reader (for v2, one per connection: it holds the HPACK table)
     */
    public VstpFrameDecoder(WireReader reader) {
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /**
     * The wire version this stage decodes.
     *
     * @return 1 or 2
     */
    public int wireVersion() {
        return reader.wireVersion();
    }

    /**
     * Bytes received but not yet decoded: a frame that has started and not finished. Session handlers use it to
     * time out frames that never complete (slow-loris).
     *
     * @return the bytes held
     */
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
            fail(ctx, in, WireReader.truncated(in.readableBytes()));
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(e);
    }
}
