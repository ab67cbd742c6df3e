package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.WireReader;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Headers;
import java.util.Objects;

/**
 * Decodes wire v2 frames from bytes, incrementally, with the checks of docs/spec/wire-v2.md §4.2 in their order.
 *
 * <h2>State</h2>
 * The reader itself keeps none between calls: each call re-reads from the reader index. Its
 * {@link HeaderBlockDecoder} does (the HPACK dynamic table of an ordered transport), so a reader serves one
 * connection, on one thread, and sees every frame in order.
 *
 * <h2>Unknown types</h2>
 * A type code the registry does not know fails with {@code UNKNOWN_TYPE}, unless it is ignorable (an odd extension
 * code, {@link FrameType#isIgnorable(int)}). Then the frame is consumed, its header block decoded (the table must
 * see every block, §5), and the reader <em>returns</em> it with a {@link FrameType#unknown(int)} type
 * ({@code type().isKnown()} is false): the caller discards and releases it. Returning it rather than skipping
 * keeps "one call, at most one frame" true (the session switches codecs between frames), keeps {@code null}
 * meaning only "need more bytes", and lets diagnostic tools see such frames.
 *
 * <h2>Errors and what they consume</h2>
 * Every malformed input raises {@link FrameException}, never an index exception. An error of check 1 (LENGTH)
 * consumes nothing. Errors found once the whole frame is buffered (checks 3 to 5: CRC, fields, header block,
 * type) consume exactly that frame, so the next boundary is known (which a datagram splitter or a capture tool can
 * use); on an ordered transport the connection fails anyway, since the header table can no longer be trusted.
 * The session layer, not this codec, checks flags against types and streams (§4.1) and rejects HELLO and WELCOME.
 *
 * <h2>Buffer ownership</h2>
 * The input is not released. A returned frame's payload is a retained slice of the input (no copy); the caller
 * releases the frame. No other thread may read the input during a call (the CRC uses its internal NIO view).
 */
public final class V2FrameReader implements WireReader {
    private final HeaderBlockDecoder headerDecoder;
    private final Integrity integrity;
    private final V2Limits limits;
    private final FrameTypeRegistry types;

    public V2FrameReader(
            HeaderBlockDecoder headerDecoder, Integrity integrity, V2Limits limits, FrameTypeRegistry types) {
        this.headerDecoder = Objects.requireNonNull(headerDecoder, "headerDecoder");
        this.integrity = Objects.requireNonNull(integrity, "integrity");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.types = Objects.requireNonNull(types, "types");
    }

    public Integrity integrity() {
        return integrity;
    }

    public V2Limits limits() {
        return limits;
    }

    @Override
    public int wireVersion() {
        return 2;
    }

    /**
     * Decodes the frame at {@code in}'s reader index.
     *
     * @return the frame, with the reader index moved past it; or {@code null} if {@code in} holds only a valid
     *         beginning of a frame, with nothing consumed
     * @throws FrameException if the bytes cannot be the beginning of a valid frame
     */
    @Override
    public Frame read(ByteBuf in) {
        final int start = in.readerIndex();
        final int available = in.readableBytes();

        // 1. LENGTH. Its whole varint is needed before its minimality can be judged.
        if (available < 1) {
            return null;
        }
        final int lengthSize = VarInt.sizeOfFirstByte(in.getByte(start));
        if (available < lengthSize) {
            return null;
        }
        final long length = located(in, start, start, LENGTH);
        final long total = lengthSize + length;
        if (total > limits.maxFrameSize()) {
            throw new FrameException(
                    ErrorCode.FRAME_TOO_LARGE,
                    "frame of " + total + " bytes exceeds the limit of " + limits.maxFrameSize(),
                    0,
                    LENGTH);
        }
        final int trailer = integrity.trailerLength();
        // §4.2 check 1: TYPE, FLAGS, STREAM and HLEN need at least 4 bytes, plus the trailer.
        if (length < 4 + trailer) {
            throw new FrameException(
                    ErrorCode.LENGTH_MISMATCH,
                    "LENGTH " + length + " is below the smallest frame rest of " + (4 + trailer) + " bytes",
                    0,
                    LENGTH);
        }

        // 2. The whole frame. total <= maxFrameSize, which fits an int.
        if (available < total) {
            return null;
        }
        final int frameEnd = start + (int) total;
        try {
            return readBuffered(in, start, start + lengthSize, frameEnd - trailer, frameEnd);
        } finally {
            // A decoded frame and an error of checks 3-6 both consume exactly the frame.
            in.readerIndex(frameEnd);
        }
    }

    private Frame readBuffered(ByteBuf in, int start, int pos, int end, int frameEnd) {
        // 3. CRC32C over every byte before it, LENGTH included.
        if (integrity == Integrity.CRC32C) {
            int expected = in.getInt(end);
            int actual = Integrity.crc32cOfOwned(in, start, end - start);
            if (expected != actual) {
                throw new FrameException(
                        ErrorCode.CRC_MISMATCH,
                        String.format("trailer says %08x, frame bytes give %08x", expected, actual),
                        end - start,
                        "CRC32C trailer");
            }
        }

        // 4. TYPE, FLAGS, STREAM, HLEN, each checked as soon as it is complete.
        final int typeAt = pos;
        final long typeCode = field(in, start, pos, end, "TYPE", TYPE);
        pos += VarInt.size(typeCode);
        if (typeCode > FrameType.MAX_CODE) {
            throw new FrameException(
                    ErrorCode.UNKNOWN_TYPE, String.format("type 0x%X is reserved", typeCode), typeAt - start, TYPE);
        }
        if (pos >= end) {
            throw new FrameException(ErrorCode.LENGTH_MISMATCH, "FLAGS runs past the frame", pos - start, "FLAGS");
        }
        final int flags = in.getUnsignedByte(pos++);
        final long streamId = field(in, start, pos, end, "STREAM", STREAM);
        pos += VarInt.size(streamId);
        final int hlenAt = pos;
        final long headerBlockLength = field(in, start, pos, end, "HLEN", HLEN);
        pos += VarInt.size(headerBlockLength);
        if (headerBlockLength > end - pos) {
            throw new FrameException(
                    ErrorCode.LENGTH_MISMATCH,
                    "HLEN " + headerBlockLength + " but only " + (end - pos) + " byte(s) left in the frame",
                    hlenAt - start,
                    HLEN);
        }
        if (headerBlockLength > limits.maxHeaderBlock()) {
            throw new FrameException(
                    ErrorCode.HEADERS_TOO_LARGE,
                    "header block of " + headerBlockLength + " bytes exceeds the limit of " + limits.maxHeaderBlock(),
                    hlenAt - start,
                    HLEN);
        }
        final int hlen = (int) headerBlockLength;

        // 5. The header block, whatever the type: the decoder's table must see every block in order.
        in.readerIndex(pos);
        final Headers headers;
        try {
            headers = headerDecoder.decode(in, hlen);
        } catch (FrameException e) {
            throw e.offset() >= 0 ? e : new FrameException(e.code(), e.detail(), pos - start, HEADER_BLOCK);
        }
        if (in.readerIndex() != pos + hlen) {
            throw new FrameException(
                    ErrorCode.COMPRESSION_ERROR,
                    "header decoder read " + (in.readerIndex() - pos) + " of " + hlen + " header block bytes",
                    pos - start,
                    HEADER_BLOCK);
        }
        pos += hlen;

        // 6. Unknown types: ignorable ones are returned as unknown for the caller to drop (see the class doc).
        FrameType type = types.find((int) typeCode);
        if (type == null) {
            if (!FrameType.isIgnorable((int) typeCode)) {
                throw new FrameException(
                        ErrorCode.UNKNOWN_TYPE, String.format("type 0x%02X", typeCode), typeAt - start, TYPE);
            }
            type = FrameType.unknown((int) typeCode);
        }

        // 7. The payload is the rest, uninterpreted (COMP is decompressed when the application takes it).
        final ByteBuf payload = pos == end ? Unpooled.EMPTY_BUFFER : in.retainedSlice(pos, end - pos);
        in.readerIndex(frameEnd);
        return new Frame(streamId, type, Flags.of(flags), headers, payload);
    }

    private static final String LENGTH = "LENGTH (varint)";
    private static final String TYPE = "TYPE (varint)";
    private static final String STREAM = "STREAM (varint)";
    private static final String HLEN = "HLEN (varint)";
    private static final String HEADER_BLOCK = "header block (HPACK)";

    /** A varint field at {@code pos} that must end by {@code end}, in the frame starting at {@code start}. */
    private static long field(ByteBuf in, int start, int pos, int end, String name, String label) {
        if (pos >= end || pos + VarInt.sizeOfFirstByte(in.getByte(pos)) > end) {
            throw new FrameException(ErrorCode.LENGTH_MISMATCH, name + " runs past the frame", pos - start, label);
        }
        return located(in, start, pos, label);
    }

    /** The varint at {@code pos}; a non-minimal one is refused with its place in the frame. */
    private static long located(ByteBuf in, int start, int pos, String field) {
        try {
            return VarInt.get(in, pos);
        } catch (FrameException e) {
            throw new FrameException(e.code(), e.detail(), pos - start, field);
        }
    }
}
