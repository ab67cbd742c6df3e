package io.vstp.core.codec;

/**
 * What a v1 decoder accepts from a peer, and the largest frame an encoder will write (docs/spec/wire-v1.md §6.2).
 * Every value is checked before any memory is allocated for the frame it bounds.
 *
 * @param maxFrameSize         the largest total frame, {@code 15 + HDR_LEN + PAY_LEN} bytes; a frame of exactly
 *                             this size is accepted
 * @param maxHeaderSectionSize the largest header section, in bytes
 * @param maxHeaderCount       the most header entries in one frame
 */
public record FrameLimits(int maxFrameSize, int maxHeaderSectionSize, int maxHeaderCount) {

    /**
     * 8 MiB: the Rust crate's TCP codec default. A larger frame would be refused by a crate peer, and the limit
     * bounds what one frame can pin in memory.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;
    /** 65535: everything HDR_LEN can express; the frame size already bounds it further. */
    public static final int DEFAULT_MAX_HEADER_SECTION_SIZE = FrameLayout.MAX_HEADER_SECTION_LENGTH;
    /**
     * 1024: a full 64 KiB section of empty entries would be 32767 objects; real frames carry a handful of headers.
     * The crate has no such limit; this is receiver policy (§6.2).
     */
    public static final int DEFAULT_MAX_HEADER_COUNT = 1024;
    /** The implementation ceiling: a frame must fit one Java array-indexed buffer. */
    public static final int MAX_FRAME_SIZE = Integer.MAX_VALUE - 8;

    public static final FrameLimits DEFAULT =
            new FrameLimits(DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_HEADER_SECTION_SIZE, DEFAULT_MAX_HEADER_COUNT);

    public FrameLimits {
        if (maxFrameSize < FrameLayout.OVERHEAD || maxFrameSize > MAX_FRAME_SIZE) {
            throw new IllegalArgumentException(
                    "maxFrameSize must be in [" + FrameLayout.OVERHEAD + ", " + MAX_FRAME_SIZE + "]: " + maxFrameSize);
        }
        if (maxHeaderSectionSize < 0 || maxHeaderSectionSize > FrameLayout.MAX_HEADER_SECTION_LENGTH) {
            throw new IllegalArgumentException("maxHeaderSectionSize must be in [0, 65535]: " + maxHeaderSectionSize);
        }
        if (maxHeaderCount < 0) {
            throw new IllegalArgumentException("maxHeaderCount must not be negative: " + maxHeaderCount);
        }
    }

    public FrameLimits withMaxFrameSize(int value) {
        return new FrameLimits(value, maxHeaderSectionSize, maxHeaderCount);
    }

    public FrameLimits withMaxHeaderSectionSize(int value) {
        return new FrameLimits(maxFrameSize, value, maxHeaderCount);
    }

    public FrameLimits withMaxHeaderCount(int value) {
        return new FrameLimits(maxFrameSize, maxHeaderSectionSize, value);
    }
}
