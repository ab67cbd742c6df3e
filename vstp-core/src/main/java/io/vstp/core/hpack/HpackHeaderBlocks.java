package io.vstp.core.hpack;

import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.HeaderBlockEncoder;

/**
 * The HPACK header block coders of wire v2 (docs/spec/wire-v2.md §5).
 *
 * <p>On ordered transports (TCP, TLS) each direction has one encoder in the sender and one decoder in the
 * receiver for the life of the connection; both start with a dynamic table of the size the receiver announced
 * ({@code header-table}). An encoder and a decoder are single-threaded and must see every block in order.
 *
 * <p>On UDP nothing is shared across datagrams: the dynamic table size is 0, the encoder uses the static table
 * and literals only, and the decoder treats a dynamic index or a table size update to anything but 0 as
 * {@code COMPRESSION_ERROR}. A datagram coder keeps no state between blocks, but is still single-threaded.
 */
public final class HpackHeaderBlocks {
    /** The largest {@code header-table} a v2 peer may announce (wire-v2.md §5). */
    public static final int MAX_TABLE_SIZE = 65_536;
    /** The default {@code header-table}, as HTTP/2's. */
    public static final int DEFAULT_TABLE_SIZE = 4_096;
    /** The default {@code max-header-list}: RFC 7541 §4.1 size of the decoded list (name + value + 32 each). */
    public static final long DEFAULT_MAX_HEADER_LIST_SIZE = 65_536;
    /** The default {@code max-headers}. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 1_024;
    /** The largest header list size HPACK (and so this decoder) can bound: 2^32 − 1. */
    public static final long MAX_HEADER_LIST_SIZE = 0xFFFF_FFFFL;

    private HpackHeaderBlocks() {}

    /**
     * The encoder of one connection direction on an ordered transport.
     *
     * @param maxTableSize the dynamic table size the peer's decoder announced, 0 to {@value #MAX_TABLE_SIZE}; the
     *                     encoder may use less (then its first block starts with a size update saying so)
     */
    public static HeaderBlockEncoder encoder(int maxTableSize) {
        checkTableSize(maxTableSize);
        return new NettyHpackEncoder(maxTableSize);
    }

    /**
     * The decoder of one connection direction on an ordered transport.
     *
     * @param maxTableSize      the dynamic table size this decoder announced, 0 to {@value #MAX_TABLE_SIZE}
     * @param maxHeaderListSize {@code max-header-list}, 1 to 2^32 − 1 → {@code HEADERS_TOO_LARGE} above it
     * @param maxHeaderCount    {@code max-headers}, 0 or more → {@code TOO_MANY_HEADERS} above it
     */
    public static HeaderBlockDecoder decoder(int maxTableSize, long maxHeaderListSize, int maxHeaderCount) {
        checkTableSize(maxTableSize);
        return new NettyHpackDecoder(maxTableSize, checkListSize(maxHeaderListSize), checkCount(maxHeaderCount), false);
    }

    /** The encoder of a UDP association: static table and literals only, no state across blocks. */
    public static HeaderBlockEncoder encoderForDatagrams() {
        return new NettyHpackEncoder(0);
    }

    /**
     * The decoder of a UDP association: dynamic table size 0; a dynamic index, or a size update to anything but 0,
     * is {@code COMPRESSION_ERROR}. Blocks decode independently of each other, in any order.
     */
    public static HeaderBlockDecoder decoderForDatagrams(long maxHeaderListSize, int maxHeaderCount) {
        return new NettyHpackDecoder(0, checkListSize(maxHeaderListSize), checkCount(maxHeaderCount), true);
    }

    private static void checkTableSize(int maxTableSize) {
        if (maxTableSize < 0 || maxTableSize > MAX_TABLE_SIZE) {
            throw new IllegalArgumentException("maxTableSize must be 0.." + MAX_TABLE_SIZE + ": " + maxTableSize);
        }
    }

    private static long checkListSize(long maxHeaderListSize) {
        if (maxHeaderListSize < 1 || maxHeaderListSize > MAX_HEADER_LIST_SIZE) {
            throw new IllegalArgumentException("maxHeaderListSize must be 1..2^32-1: " + maxHeaderListSize);
        }
        return maxHeaderListSize;
    }

    private static int checkCount(int maxHeaderCount) {
        if (maxHeaderCount < 0) {
            throw new IllegalArgumentException("maxHeaderCount must not be negative: " + maxHeaderCount);
        }
        return maxHeaderCount;
    }
}
