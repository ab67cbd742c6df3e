package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.vstp.core.frame.Headers;

/**
 * Reads a v2 header block (docs/spec/wire-v2.md §5). A decoder of an ordered transport keeps the HPACK dynamic
 * table of its direction: one instance per connection, and every block must be decoded in the order received.
 */
public interface HeaderBlockDecoder {
    /**
     * Decodes the {@code length} bytes of {@code in} from its reader index and advances the reader index past them.
     *
     * @throws io.vstp.core.error.FrameException {@code COMPRESSION_ERROR}, {@code HEADERS_TOO_LARGE} or
     *         {@code TOO_MANY_HEADERS}
     */
    Headers decode(ByteBuf in, int length);
}
