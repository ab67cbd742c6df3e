package io.vstp.core.error;

/**
 * Stable error codes of the VSTP wire protocol (docs/spec/wire-v1.md §8).
 *
 * <p>The numeric {@link #code()} is what an ERR frame carries and what every implementation (Java, Python, Go,
 * TypeScript) reports; the {@link #name()} is what the test vectors name. Both never change once published:
 * add new codes, never renumber. Range {@code 0x0001-0x00FF} is for frame and wire errors; {@code 0x0100} and up
 * are reserved for session and transport errors.
 */
public enum ErrorCode {
    /** The frame does not start with the magic bytes {@code 56 54} ("VT"). */
    BAD_MAGIC(0x0001),
    /** The version byte is not one this decoder speaks (v1 decoders accept only {@code 0x01}). */
    UNSUPPORTED_VERSION(0x0002),
    /** The type code is not in the decoder's frame-type registry. */
    UNKNOWN_TYPE(0x0003),
    /** The announced total frame size exceeds the receiver's maximum, or a frame to send exceeds the sender's. */
    FRAME_TOO_LARGE(0x0004),
    /** The header section exceeds the receiver's maximum, or the protocol's 65535 bytes when encoding. */
    HEADERS_TOO_LARGE(0x0005),
    /** The header section holds more entries than the receiver allows. */
    TOO_MANY_HEADERS(0x0006),
    /** A header entry does not end inside the header section. */
    HEADER_OVERRUN(0x0007),
    /** The input ended inside a frame. */
    TRUNCATED(0x0008),
    /** The CRC-32 trailer does not match the frame's bytes. */
    CRC_MISMATCH(0x0009),
    /** A header key or value is longer than 255 bytes (encoder side). */
    HEADER_ENTRY_TOO_LONG(0x000A);

    private static final ErrorCode[] BY_CODE = new ErrorCode[0x0B];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The unsigned 16-bit code carried on the wire. */
    public int code() {
        return code;
    }

    /** The code with this wire value, or {@code null} if this implementation does not know it. */
    public static ErrorCode fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
