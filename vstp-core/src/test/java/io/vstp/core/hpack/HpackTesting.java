package io.vstp.core.hpack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.HeaderBlockEncoder;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.Hex;

/** Helpers of the HPACK tests: blocks as hex or bytes in leak-tracked buffers, released after use. */
final class HpackTesting {
    private HpackTesting() {}

    /** Decodes the whole block and checks that the decoder consumed exactly it. */
    static Headers decode(HeaderBlockDecoder decoder, byte[] block) {
        ByteBuf in = Hex.buffer(block);
        in.writeByte(0x5A); // a byte after the block that must stay unread
        try {
            Headers h = decoder.decode(in, block.length);
            if (in.readableBytes() != 1) {
                throw new AssertionError("decoder left " + in.readableBytes() + " bytes, expected 1");
            }
            return h;
        } finally {
            in.release();
        }
    }

    static Headers decode(HeaderBlockDecoder decoder, String hex) {
        return decode(decoder, Hex.decode(hex));
    }

    static byte[] encode(HeaderBlockEncoder encoder, Headers headers) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            encoder.encode(headers, out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    /** A decoder that accepts HTTP/2's pseudo-headers, for RFC 7541's examples. */
    static HeaderBlockDecoder rfcDecoder(int tableSize) {
        return new NettyHpackDecoder(
                tableSize,
                HpackHeaderBlocks.DEFAULT_MAX_HEADER_LIST_SIZE,
                HpackHeaderBlocks.DEFAULT_MAX_HEADER_COUNT,
                false,
                true);
    }

    /** An encoder that accepts HTTP/2's pseudo-headers, for RFC 7541's examples. */
    static HeaderBlockEncoder rfcEncoder(int tableSize) {
        return new NettyHpackEncoder(tableSize, true);
    }
}
