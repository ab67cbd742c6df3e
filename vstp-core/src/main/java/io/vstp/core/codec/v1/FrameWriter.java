package io.vstp.core.codec.v1;

import static io.vstp.core.codec.FrameLayout.CRC_LENGTH;
import static io.vstp.core.codec.FrameLayout.ENTRY_LENGTHS;
import static io.vstp.core.codec.FrameLayout.MAGIC_0;
import static io.vstp.core.codec.FrameLayout.MAGIC_1;
import static io.vstp.core.codec.FrameLayout.MAX_HEADER_SECTION_LENGTH;
import static io.vstp.core.codec.FrameLayout.MAX_KEY_OR_VALUE_LENGTH;
import static io.vstp.core.codec.FrameLayout.OVERHEAD;
import static io.vstp.core.codec.FrameLayout.VERSION_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.vstp.core.codec.ByteBufCopy;
import io.vstp.core.codec.FrameChecksum;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.WireWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Encodes frames in wire v1 (docs/spec/wire-v1.md §2), straight into a {@link ByteBuf}: the size is computed and
 * checked first, then every byte is written once, and the CRC is computed over the written bytes in place.
 *
 * <h2>Encoder obligations (§6.3)</h2>
 * A frame the crate could not decode is refused before any byte is written: a key or value over 255 bytes
 * ({@code HEADER_ENTRY_TOO_LONG}), a header section over 65535 bytes ({@code HEADERS_TOO_LARGE} — the crate would
 * silently wrap HDR_LEN), a frame over the writer's maximum ({@code FRAME_TOO_LARGE}), a type code above 0xFF (a
 * v2 extension type; {@code UNKNOWN_TYPE}). VER is always 0x01.
 *
 * <h2>Buffer ownership</h2>
 * The frame is not released and its payload's indexes do not move. Stateless and thread-safe.
 */
public final class FrameWriter implements WireWriter {
    private final int maxFrameSize;

    /** A writer for frames up to {@link FrameLimits#DEFAULT_MAX_FRAME_SIZE} (what a crate peer accepts). */
    public FrameWriter() {
        this(FrameLimits.DEFAULT_MAX_FRAME_SIZE);
    }

    public FrameWriter(int maxFrameSize) {
        if (maxFrameSize < OVERHEAD || maxFrameSize > FrameLimits.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize out of range: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    public int wireVersion() {
        return 1;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * The exact number of bytes {@link #write} will produce for {@code frame}.
     *
     * @throws FrameException if the frame cannot be encoded in v1 within this writer's limit
     */
    public int encodedSize(Frame frame) {
        if (frame.type().code() > FrameType.MAX_V1_CODE) {
            // A v2 extension code: v1's TYPE is one byte, and truncating the code would send another type.
            throw new FrameException(
                    ErrorCode.UNKNOWN_TYPE,
                    String.format(
                            "type 0x%X does not fit v1's one-byte TYPE",
                            frame.type().code()));
        }
        long total = OVERHEAD
                + (long) headerSectionLength(frame.headers())
                + frame.payload().readableBytes();
        if (total > maxFrameSize) {
            throw new FrameException(
                    ErrorCode.FRAME_TOO_LARGE, "frame of " + total + " bytes exceeds the limit of " + maxFrameSize);
        }
        return (int) total;
    }

    private static int headerSectionLength(Headers headers) {
        int length = 0;
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header h = headers.get(i);
            if (h.keyLength() > MAX_KEY_OR_VALUE_LENGTH || h.valueLength() > MAX_KEY_OR_VALUE_LENGTH) {
                throw new FrameException(
                        ErrorCode.HEADER_ENTRY_TOO_LONG,
                        "header key of " + h.keyLength() + " bytes and value of " + h.valueLength()
                                + " bytes; each must be at most 255");
            }
            length += ENTRY_LENGTHS + h.keyLength() + h.valueLength();
            if (length > MAX_HEADER_SECTION_LENGTH) {
                throw new FrameException(
                        ErrorCode.HEADERS_TOO_LARGE, "header section exceeds " + MAX_HEADER_SECTION_LENGTH + " bytes");
            }
        }
        return length;
    }

    /**
     * Appends {@code frame} at {@code out}'s writer index.
     *
     * @return the number of bytes written
     * @throws FrameException if the frame cannot be encoded; nothing is written then
     */
    @Override
    public int write(Frame frame, ByteBuf out) {
        Objects.requireNonNull(out, "out");
        final int size = encodedSize(frame);
        out.ensureWritable(size);
        final int start = out.writerIndex();
        writeHead(frame, size, out);
        ByteBuf payload = frame.payload();
        ByteBufCopy.append(payload, payload.readerIndex(), payload.readableBytes(), out);
        out.writeInt((int) FrameChecksum.ofOwned(out, start, size - CRC_LENGTH));
        return size;
    }

    /**
     * Encodes {@code frame} without copying its payload: a composite of a new buffer holding the prefix and
     * headers, a retained slice of the payload, and the CRC trailer. Worth it for large payloads, where copying
     * would cost more than the composite's bookkeeping. The caller owns the result; {@code frame} is untouched.
     *
     * @throws FrameException if the frame cannot be encoded; nothing is allocated then
     */
    @Override
    public ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
        final int size = encodedSize(frame);
        ByteBuf payload = frame.payload();
        int headSize = size - CRC_LENGTH - payload.readableBytes();
        ByteBuf head = alloc.ioBuffer(headSize);
        writeHead(frame, size, head);
        CRC32 crc = new CRC32();
        FrameChecksum.update(crc, head, head.readerIndex(), headSize);
        FrameChecksum.update(crc, payload, payload.readerIndex(), payload.readableBytes());
        ByteBuf trailer = alloc.ioBuffer(CRC_LENGTH).writeInt((int) crc.getValue());
        CompositeByteBuf out = alloc.compositeDirectBuffer(3);
        out.addComponents(true, head, payload.retainedSlice(), trailer);
        return out;
    }

    private static void writeHead(Frame frame, int size, ByteBuf out) {
        final int headerLength = size - OVERHEAD - frame.payload().readableBytes();
        out.writeByte(MAGIC_0)
                .writeByte(MAGIC_1)
                .writeByte(VERSION_1)
                .writeByte(frame.type().code())
                .writeByte(frame.flags().bits())
                .writeShortLE(headerLength)
                .writeInt(frame.payload().readableBytes());
        Headers all = frame.headers();
        for (int i = 0, n = all.size(); i < n; i++) {
            Header h = all.get(i);
            out.writeByte(h.keyLength()).writeByte(h.valueLength());
            h.writeKey(out);
            h.writeValue(out);
        }
    }
}
