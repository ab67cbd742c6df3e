package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.vstp.core.frame.Headers;

/**
 * Turns a frame's headers into a v2 header block (docs/spec/wire-v2.md §5). An encoder of an ordered transport
 * keeps the HPACK dynamic table of its direction, so one instance serves one connection, on one thread, and must
 * see every frame in the order they are written.
 */
public interface HeaderBlockEncoder {
    /**
     * Appends the header block of {@code headers} to {@code out}.
     *
     * @throws io.vstp.core.error.FrameException for headers v2 cannot carry (a reserved {@code :} name)
     */
    void encode(Headers headers, ByteBuf out);
}
