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
    HEADER_ENTRY_TOO_LONG(0x000A),
    /** A v2 varint is longer than its value needs (docs/spec/wire-v2.md §2). */
    NON_MINIMAL_VARINT(0x000B),
    /** The fields of a v2 frame do not fit its LENGTH (wire-v2.md §4.2). */
    LENGTH_MISMATCH(0x000C),
    /** An invalid HPACK header block (wire-v2.md §5); the header table state is lost. */
    COMPRESSION_ERROR(0x000D),
    /** A compressed payload names algorithm 0, an unknown one or one not agreed (wire-v2.md §9). */
    UNKNOWN_COMPRESSION(0x000E),
    /** A compressed payload announces more bytes than the receiver's message limit (wire-v2.md §9). */
    DECOMPRESSED_TOO_LARGE(0x000F),
    /** A compressed payload is corrupt or decompresses to another length than announced (wire-v2.md §9). */
    DECOMPRESSION_FAILED(0x0010),

    // ---- session and transport errors (docs/spec/session.md §7) ----

    /** A frame that the session state does not allow: DATA before HELLO, a second HELLO, a WELCOME to a server. */
    PROTOCOL_VIOLATION(0x0101),
    /** HELLO offered no protocol version the server speaks. */
    NO_COMMON_VERSION(0x0102),
    /** The TLS handshake or the HELLO/WELCOME exchange did not finish in time. */
    HANDSHAKE_TIMEOUT(0x0103),
    /** Nothing arrived from the peer for the idle timeout. */
    IDLE_TIMEOUT(0x0104),
    /** A frame was started but not finished in time (slow-loris protection). */
    FRAME_TIMEOUT(0x0105),
    /** The server is at its connection limit, in total or for the peer's address. */
    TOO_MANY_CONNECTIONS(0x0106),
    /** A request arrived while the connection already had the maximum number in flight (request scope). */
    TOO_MANY_IN_FLIGHT(0x0107),
    /** No response within the request's timeout (reported locally, never sent). */
    REQUEST_TIMEOUT(0x0108),
    /** The peer is closing (BYE sent or received) and takes no new requests (request scope). */
    SHUTTING_DOWN(0x0109),
    /** The application's handler failed on a request (request scope). */
    HANDLER_ERROR(0x010A),
    /** The connection closed before the response arrived (reported locally, never sent). */
    CONNECTION_CLOSED(0x010B),
    /** The TLS handshake failed: untrusted or expired certificate, pin mismatch, refused protocol (local). */
    TLS_FAILED(0x010C),
    /** A v2 flow-control window was exceeded or overflowed (wire-v2.md §8). */
    FLOW_CONTROL_ERROR(0x010D),
    /** A v2 stream beyond the peer's {@code max-streams} (wire-v2.md §7.2). */
    TOO_MANY_STREAMS(0x010E),
    /** A v2 stream was cancelled (wire-v2.md §7.4). */
    CANCELLED(0x010F),
    /** A v2 message joined from several frames exceeds the receiver's {@code max-message} (wire-v2.md §7.3). */
    MESSAGE_TOO_LARGE(0x0110),
    /**
     * Credentials were missing, malformed, expired, or not trusted (session.md §3.4): connection scope at the
     * handshake, request scope once a session's token has expired (it may refresh with AUTH on wire v2).
     */
    UNAUTHENTICATED(0x0111),
    /** The authenticated principal may not perform this request (session.md §3.4; request scope). */
    PERMISSION_DENIED(0x0112),

    // ---- service errors (docs/spec/services.md) ----

    /** The request names a service the server does not offer. */
    UNKNOWN_SERVICE(0x0201),
    /** The request lacks a header the operation needs, or one is malformed. */
    BAD_REQUEST(0x0202),
    /** The file or directory does not exist. */
    NOT_FOUND(0x0203),
    /** The path leaves the served directory (.., absolute, symlink escape) or names a reserved file. */
    PATH_REFUSED(0x0204),
    /** An upload chunk does not start where the server's copy ends; the ERR carries the right offset. */
    OFFSET_MISMATCH(0x0205),
    /** The bytes received do not have the SHA-256 the sender announced. */
    CHECKSUM_MISMATCH(0x0206),
    /** The server failed to read or write its storage. */
    STORAGE_ERROR(0x0207),
    /** An upload would replace an existing file (or a directory) and the request did not ask to overwrite it. */
    ALREADY_EXISTS(0x0208);

    private static final java.util.Map<Integer, ErrorCode> BY_CODE = new java.util.HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_CODE.put(c.code, c);
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
        return BY_CODE.get(code);
    }
}
