package io.vstp.core.codec.v2;

/**
 * What a v2 receiver accepts from its peer (docs/spec/wire-v2.md §4, §5). Every value from the wire is checked
 * against these before memory is allocated for what it bounds.
 *
 * <p>{@link #maxFrameSize} and {@link #maxHeaderBlock} are enforced by {@link V2FrameReader};
 * {@link #maxHeaderListSize} and {@link #maxHeaderCount} while the header block is decoded, so they are the values
 * to build the connection's {@link HeaderBlockDecoder} with.
 *
 * @param maxFrameSize      the largest total frame, {@code len(LENGTH) + LENGTH} bytes (so LENGTH included); a
 *                          frame of exactly this size is accepted (handshake header {@code max-frame})
 * @param maxHeaderBlock    the largest HLEN, the encoded header block in bytes
 * @param maxHeaderListSize the largest decoded header list in RFC 7541 §4.1 size (name + value + 32 per entry;
 *                          handshake header {@code max-header-list})
 * @param maxHeaderCount    the most header entries in one frame ({@code max-headers})
 */
public record V2Limits(int maxFrameSize, int maxHeaderBlock, long maxHeaderListSize, int maxHeaderCount) {
    /** 8 MiB, as v1. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;

    public static final int DEFAULT_MAX_HEADER_BLOCK = 65_535;
    public static final long DEFAULT_MAX_HEADER_LIST_SIZE = 65_536;
    public static final int DEFAULT_MAX_HEADER_COUNT = 1024;
    /** The smallest frame: 1-byte LENGTH, TYPE, FLAGS, STREAM and HLEN, no trailer. */
    public static final int MIN_FRAME_SIZE = 5;
    /** The implementation ceiling: a frame must fit one Java array-indexed buffer. */
    public static final int MAX_FRAME_SIZE = Integer.MAX_VALUE - 8;

    public static final V2Limits DEFAULT = new V2Limits(
            DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_HEADER_BLOCK, DEFAULT_MAX_HEADER_LIST_SIZE, DEFAULT_MAX_HEADER_COUNT);

    public V2Limits {
        if (maxFrameSize < MIN_FRAME_SIZE || maxFrameSize > MAX_FRAME_SIZE) {
            throw new IllegalArgumentException(
                    "maxFrameSize must be in [" + MIN_FRAME_SIZE + ", " + MAX_FRAME_SIZE + "]: " + maxFrameSize);
        }
        if (maxHeaderBlock < 0) {
            throw new IllegalArgumentException("maxHeaderBlock must not be negative: " + maxHeaderBlock);
        }
        if (maxHeaderListSize < 0) {
            throw new IllegalArgumentException("maxHeaderListSize must not be negative: " + maxHeaderListSize);
        }
        if (maxHeaderCount < 0) {
            throw new IllegalArgumentException("maxHeaderCount must not be negative: " + maxHeaderCount);
        }
    }

    public V2Limits withMaxFrameSize(int value) {
        return new V2Limits(value, maxHeaderBlock, maxHeaderListSize, maxHeaderCount);
    }

    public V2Limits withMaxHeaderBlock(int value) {
        return new V2Limits(maxFrameSize, value, maxHeaderListSize, maxHeaderCount);
    }

    public V2Limits withMaxHeaderListSize(long value) {
        return new V2Limits(maxFrameSize, maxHeaderBlock, value, maxHeaderCount);
    }

    public V2Limits withMaxHeaderCount(int value) {
        return new V2Limits(maxFrameSize, maxHeaderBlock, maxHeaderListSize, value);
    }
}
