package io.vstp.core.codec.v1;

import static io.vstp.core.codec.FrameLayout.CRC_LENGTH;
import static io.vstp.core.codec.FrameLayout.ENTRY_LENGTHS;
import static io.vstp.core.codec.FrameLayout.FLAGS_OFFSET;
import static io.vstp.core.codec.FrameLayout.HEADER_LENGTH_OFFSET;
import static io.vstp.core.codec.FrameLayout.MAGIC_0;
import static io.vstp.core.codec.FrameLayout.MAGIC_1;
import static io.vstp.core.codec.FrameLayout.OVERHEAD;
import static io.vstp.core.codec.FrameLayout.PAYLOAD_LENGTH_OFFSET;
import static io.vstp.core.codec.FrameLayout.PREFIX_LENGTH;
import static io.vstp.core.codec.FrameLayout.TYPE_OFFSET;
import static io.vstp.core.codec.FrameLayout.VERSION_1;
import static io.vstp.core.codec.FrameLayout.VERSION_OFFSET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.FrameChecksum;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.WireReader;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.HeaderCache;
import io.vstp.core.frame.Headers;
import java.util.Objects;

/**
 * Decodes wire v1 frames from bytes, incrementally (docs/spec/wire-v1.md §7). Stateless and thread-safe: one
 * reader serves any number of streams, because every call re-reads the 11-byte prefix at absolute indexes.
 *
 * <h2>Limits</h2>
 * Every length from the wire is checked against {@link FrameLimits} as soon as it is read and before anything is
 * allocated for it; sizes are computed in {@code long}. Magic and version are checked as soon as their byte has
 * arrived, so junk fails at once instead of after a full prefix.
 *
 * <h2>Errors</h2>
 * Every malformed input raises {@link FrameException} with its {@link ErrorCode}, never an index exception.
 * Prefix errors (magic, version, sizes) consume nothing; errors found once the whole frame is buffered (CRC, type,
 * headers) consume that frame (§7.3).
 *
 * <h2>Buffer ownership</h2>
 * The input buffer is not released. A returned frame's payload is a <em>retained slice</em> of the input (no
 * copy): the caller releases the frame; the input may be released independently. No other thread may read the
 * input during a call: the CRC is computed through the buffer's internal NIO view, which is not thread-safe (a
 * channel's cumulation buffer or a received datagram always qualifies).
 *
 * <h2>Allocation</h2>
 * Per frame: the {@link Frame}, its {@link Headers} with one array, and the payload slice. Header entries repeated
 * across frames come from {@link HeaderCache#SHARED} instead of new copies.
 */
public final class FrameReader implements WireReader {
    private final FrameLimits limits;
    private final FrameTypeRegistry types;
    private final boolean keepUnknownTypes;

    /** A reader with {@link FrameLimits#DEFAULT} and the core types. */
    public FrameReader() {
        this(FrameLimits.DEFAULT);
    }

    public FrameReader(FrameLimits limits) {
        this(limits, FrameTypeRegistry.V1, false);
    }

    /**
     * @param keepUnknownTypes when true, an unregistered type code yields a {@link FrameType#unknown(int)} type
     *                         instead of {@code UNKNOWN_TYPE}; for forwarding and diagnostic tools
     */
    public FrameReader(FrameLimits limits, FrameTypeRegistry types, boolean keepUnknownTypes) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.types = Objects.requireNonNull(types, "types");
        this.keepUnknownTypes = keepUnknownTypes;
    }

    public FrameLimits limits() {
        return limits;
    }

    @Override
    public int wireVersion() {
        return 1;
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
        if (available >= 1 && in.getByte(start) != MAGIC_0 || available >= 2 && in.getByte(start + 1) != MAGIC_1) {
            boolean first = in.getByte(start) != MAGIC_0;
            throw new FrameException(
                    ErrorCode.BAD_MAGIC,
                    String.format(
                            "expected magic 56 54, got %s", ByteBufUtil.hexDump(in, start, Math.min(available, 2))),
                    first ? 0 : 1,
                    first ? "magic, first byte" : "magic, second byte");
        }
        if (available > VERSION_OFFSET && in.getByte(start + VERSION_OFFSET) != VERSION_1) {
            throw new FrameException(
                    ErrorCode.UNSUPPORTED_VERSION,
                    String.format(
                            "version 0x%02X, this decoder speaks 0x01", in.getUnsignedByte(start + VERSION_OFFSET)),
                    VERSION_OFFSET,
                    "version byte");
        }
        if (available < PREFIX_LENGTH) {
            return null;
        }
        final int headerLength = in.getUnsignedShortLE(start + HEADER_LENGTH_OFFSET);
        final long payloadLength = in.getUnsignedInt(start + PAYLOAD_LENGTH_OFFSET);
        if (headerLength > limits.maxHeaderSectionSize()) {
            throw new FrameException(
                    ErrorCode.HEADERS_TOO_LARGE,
                    "header section of " + headerLength + " bytes exceeds the limit of "
                            + limits.maxHeaderSectionSize(),
                    HEADER_LENGTH_OFFSET,
                    HDR_LEN);
        }
        final long frameLength = OVERHEAD + headerLength + payloadLength;
        if (frameLength > limits.maxFrameSize()) {
            // The header length alone can decide it; otherwise the payload length does.
            boolean byHeaders = OVERHEAD + headerLength > limits.maxFrameSize();
            throw new FrameException(
                    ErrorCode.FRAME_TOO_LARGE,
                    "frame of " + frameLength + " bytes exceeds the limit of " + limits.maxFrameSize(),
                    byHeaders ? HEADER_LENGTH_OFFSET : PAYLOAD_LENGTH_OFFSET,
                    byHeaders ? HDR_LEN : "PAY_LEN (u32be)");
        }
        if (available < frameLength) {
            return null;
        }
        final int length = (int) frameLength;
        // From here on the frame is consumed whatever happens, so a stream stays aligned after a bad frame (§7.3).
        in.readerIndex(start + length);

        final long expectedCrc = in.getUnsignedInt(start + length - CRC_LENGTH);
        final long actualCrc = FrameChecksum.ofOwned(in, start, length - CRC_LENGTH);
        if (expectedCrc != actualCrc) {
            throw new FrameException(
                    ErrorCode.CRC_MISMATCH,
                    String.format("trailer says %08x, frame bytes give %08x", expectedCrc, actualCrc),
                    length - CRC_LENGTH,
                    "CRC trailer");
        }
        final int typeCode = in.getUnsignedByte(start + TYPE_OFFSET);
        FrameType type = types.find(typeCode);
        if (type == null) {
            if (!keepUnknownTypes) {
                throw new FrameException(
                        ErrorCode.UNKNOWN_TYPE, String.format("type 0x%02X", typeCode), TYPE_OFFSET, "type byte");
            }
            type = FrameType.unknown(typeCode);
        }
        final Flags flags = Flags.of(in.getUnsignedByte(start + FLAGS_OFFSET));
        final Headers headers = readHeaders(in, start, headerLength);
        final ByteBuf payload = payloadLength == 0
                ? Unpooled.EMPTY_BUFFER
                : in.retainedSlice(start + PREFIX_LENGTH + headerLength, (int) payloadLength);
        return new Frame(type, flags, headers, payload);
    }

    private Headers readHeaders(ByteBuf in, int start, int sectionLength) {
        if (sectionLength == 0) {
            return Headers.EMPTY;
        }
        final int from = start + PREFIX_LENGTH;
        final int end = from + sectionLength;
        // First pass: validate every entry and count them, so the second allocates exactly what it keeps.
        int count = 0;
        for (int pos = from; pos < end; ) {
            if (end - pos < ENTRY_LENGTHS) {
                throw new FrameException(
                        ErrorCode.HEADER_OVERRUN,
                        "header entry at section offset " + (pos - from) + " has " + (end - pos)
                                + " byte(s) left for its 2 length bytes",
                        pos - start,
                        entry(count + 1, pos - from));
            }
            final int entryEnd = pos + ENTRY_LENGTHS + in.getUnsignedByte(pos) + in.getUnsignedByte(pos + 1);
            if (entryEnd > end) {
                throw new FrameException(
                        ErrorCode.HEADER_OVERRUN,
                        "header entry at section offset " + (pos - from) + " ends " + (entryEnd - end)
                                + " byte(s) past the header section",
                        pos - start,
                        entry(count + 1, pos - from));
            }
            if (++count > limits.maxHeaderCount()) {
                throw new FrameException(
                        ErrorCode.TOO_MANY_HEADERS,
                        "more than " + limits.maxHeaderCount() + " header entries",
                        pos - start,
                        entry(count, pos - from));
            }
            pos = entryEnd;
        }
        final Headers.Builder headers = Headers.builder(count);
        for (int pos = from; pos < end; ) {
            final int keyLength = in.getUnsignedByte(pos);
            final int valueLength = in.getUnsignedByte(pos + 1);
            headers.add(HeaderCache.SHARED.get(in, pos + ENTRY_LENGTHS, keyLength, valueLength));
            pos += ENTRY_LENGTHS + keyLength + valueLength;
        }
        return headers.build();
    }

    private static final String HDR_LEN = "HDR_LEN (u16le)";

    private static String entry(int number, int sectionOffset) {
        return "header entry " + number + " (section offset " + sectionOffset + ")";
    }
}
