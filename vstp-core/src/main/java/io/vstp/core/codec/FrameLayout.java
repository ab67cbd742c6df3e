package io.vstp.core.codec;

/**
 * Byte offsets and sizes of a wire v1 frame (docs/spec/wire-v1.md §2).
 *
 * <pre>
 *  0       1       2       3       4       5       6       7       8       9      10      11
 * +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
 * | 0x56  | 0x54  |  VER  | TYPE  | FLAGS | HDR_LEN (LE)  |     PAY_LEN (BE, u32)         |
 * +-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+-------+
 * | HEADERS: HDR_LEN bytes of [KEY_LEN u8][VAL_LEN u8][KEY][VALUE] ...                    |
 * +---------------------------------------------------------------------------------------+
 * | PAYLOAD: PAY_LEN bytes                                                                |
 * +-------+-------+-------+-------+-------------------------------------------------------+
 * |   CRC-32/ISO-HDLC (BE) of bytes [0, 11 + HDR_LEN + PAY_LEN)                           |
 * +-------+-------+-------+-------+
 * </pre>
 *
 * The byte order is mixed — HDR_LEN little-endian, PAY_LEN and CRC big-endian — because the Rust crate that defined
 * v1 writes it so.
 */
public final class FrameLayout {
    public static final byte MAGIC_0 = 0x56;
    public static final byte MAGIC_1 = 0x54;
    public static final byte VERSION_1 = 0x01;

    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int FLAGS_OFFSET = 4;
    /** u16 little-endian. */
    public static final int HEADER_LENGTH_OFFSET = 5;
    /** u32 big-endian. */
    public static final int PAYLOAD_LENGTH_OFFSET = 7;
    /** Magic, version, type, flags and both lengths. */
    public static final int PREFIX_LENGTH = 11;
    /** u32 big-endian after the payload. */
    public static final int CRC_LENGTH = 4;
    /** Bytes of a frame that are neither headers nor payload: the smallest frame. */
    public static final int OVERHEAD = PREFIX_LENGTH + CRC_LENGTH;

    /** Key and value lengths of one header entry, in bytes. */
    public static final int ENTRY_LENGTHS = 2;
    /** A key or value is at most this long: its length is one byte. */
    public static final int MAX_KEY_OR_VALUE_LENGTH = 0xFF;
    /** The header section is at most this long: HDR_LEN is two bytes. */
    public static final int MAX_HEADER_SECTION_LENGTH = 0xFFFF;
    /** PAY_LEN is four unsigned bytes. */
    public static final long MAX_PAYLOAD_LENGTH = 0xFFFF_FFFFL;

    private FrameLayout() {}
}
