package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.ByteBufCopy;
import io.vstp.core.codec.FrameChecksum;
import io.vstp.core.codec.WireWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Encodes frames in wire v2 (docs/spec/wire-v2.md §4): LENGTH, TYPE, FLAGS, STREAM, HLEN, the header block, the
 * payload and, in {@link Integrity#CRC32C} mode, the CRC32C of every byte before it, LENGTH included.
 *
 * <h2>How the lengths are found</h2>
 * LENGTH and HLEN are varints whose size depends on the header block, which is only known once encoded. The block
 * is therefore encoded first into a scratch buffer that the writer keeps and reuses (no allocation per frame once
 * it has grown to the connection's usual block size), then every field is written once, in order, into the output,
 * and the block is copied after HLEN. Header blocks are small next to payloads, so the copy is cheap; payloads are
 * copied once (or, with {@link #encode}, not at all for large ones).
 *
 * <h2>Refusals</h2>
 * A frame larger than {@link #maxFrameSize()} is refused with {@code FRAME_TOO_LARGE} and nothing is written to the
 * output. The check runs twice: before the header encoder sees the frame (with an empty block), so that a frame
 * whose payload alone is too large leaves the HPACK context untouched and the writer usable; and after the block is
 * encoded. In the second case the HPACK encoder of an ordered transport has already updated its dynamic table for
 * a block the peer will never see, so the two tables are out of step: the writer then refuses every later frame
 * with {@code COMPRESSION_ERROR}, and the connection must be closed. A writer made with {@link #stateless} (for
 * datagrams, where the table size is 0 and blocks carry no state) stays usable after any refusal.
 *
 * <h2>Threads and ownership</h2>
 * Not thread-safe: one writer per connection (its HPACK encoder is, too), used on one thread. The frame is not
 * released and its payload's indexes do not move.
 */
public final class V2FrameWriter implements WireWriter {
    /** Payloads at least this large are attached by reference by {@link #encode}, not copied. */
    static final int ZERO_COPY_THRESHOLD = 8192;

    private static final int SCRATCH_INITIAL = 256;
    /** A scratch buffer grown beyond this by one huge header block is dropped after use. */
    private static final int SCRATCH_KEEP = 64 * 1024;

    private final HeaderBlockEncoder headerEncoder;
    private final Integrity integrity;
    private final int maxFrameSize;
    private final boolean stateless;
    private ByteBuf scratch = Unpooled.buffer(SCRATCH_INITIAL);
    private boolean outOfStep;

    // Results of prepare(), read by emit(): the writer is single-threaded.
    private long rest;
    private int headerBlockLength;

    /**
     * A writer for an ordered transport (TCP, TLS), whose HPACK encoder keeps a dynamic table.
     *
     * @param maxFrameSize the largest total frame to write: the peer's {@code max-frame}
     */
    public V2FrameWriter(HeaderBlockEncoder headerEncoder, Integrity integrity, int maxFrameSize) {
        this(headerEncoder, integrity, maxFrameSize, false);
    }

    private V2FrameWriter(HeaderBlockEncoder headerEncoder, Integrity integrity, int maxFrameSize, boolean stateless) {
        this.headerEncoder = Objects.requireNonNull(headerEncoder, "headerEncoder");
        this.integrity = Objects.requireNonNull(integrity, "integrity");
        if (maxFrameSize < V2Limits.MIN_FRAME_SIZE + integrity.trailerLength()
                || maxFrameSize > V2Limits.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("maxFrameSize out of range: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
        this.stateless = stateless;
    }

    /**
     * A writer whose header encoder keeps no state between blocks (UDP: dynamic table size 0, wire-v2.md §5), so a
     * refused frame never puts it out of step. Required by {@link V2Datagrams.Batch}.
     */
    public static V2FrameWriter stateless(HeaderBlockEncoder headerEncoder, Integrity integrity, int maxFrameSize) {
        return new V2FrameWriter(headerEncoder, integrity, maxFrameSize, true);
    }

    public Integrity integrity() {
        return integrity;
    }

    @Override
    public int wireVersion() {
        return 2;
    }

    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    boolean isStateless() {
        return stateless;
    }

    /**
     * Appends {@code frame} at {@code out}'s writer index.
     *
     * @return the number of bytes written
     * @throws FrameException {@code FRAME_TOO_LARGE} (nothing written), an error of the header encoder, or
     *                        {@code COMPRESSION_ERROR} once the writer is out of step (see the class documentation)
     */
    @Override
    public int write(Frame frame, ByteBuf out) {
        Objects.requireNonNull(out, "out");
        int total = prepare(frame, maxFrameSize);
        if (total < 0) {
            throw tooLarge(-total);
        }
        emit(frame, out, total);
        return total;
    }

    private void emit(Frame frame, ByteBuf out, int total) {
        out.ensureWritable(total);
        int start = out.writerIndex();
        emitHead(frame, out);
        ByteBuf payload = frame.payload();
        ByteBufCopy.append(payload, payload.readerIndex(), payload.readableBytes(), out);
        if (integrity == Integrity.CRC32C) {
            out.writeInt(Integrity.crc32cOfOwned(out, start, total - Integrity.CRC32C.trailerLength()));
        }
    }

    /**
     * Appends {@code frame} if its encoding is at most {@code room} bytes; for filling datagrams.
     *
     * @return the bytes written, or -1 if the frame is larger than {@code room} but not than the writer's maximum
     *         (nothing written)
     * @throws FrameException {@code FRAME_TOO_LARGE} when the frame exceeds {@link #maxFrameSize()}
     */
    int writeIfFits(Frame frame, ByteBuf out, int room) {
        int total = prepare(frame, maxFrameSize);
        if (total < 0) {
            throw tooLarge(-total);
        }
        if (total > room) {
            return -1;
        }
        emit(frame, out, total);
        return total;
    }

    /**
     * Encodes {@code frame} into a new buffer of exactly its size from {@code alloc}; a payload of at least 8 KiB
     * is attached as a retained slice (a composite buffer) instead of being copied. The caller owns the result.
     *
     * @throws FrameException as {@link #write}; nothing is allocated then
     */
    @Override
    public ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
        int total = prepare(frame, maxFrameSize);
        if (total < 0) {
            throw tooLarge(-total);
        }
        ByteBuf payload = frame.payload();
        int payloadLength = payload.readableBytes();
        if (payloadLength < ZERO_COPY_THRESHOLD) {
            ByteBuf out = alloc.ioBuffer(total);
            emit(frame, out, total);
            return out;
        }
        int headLength = total - payloadLength - integrity.trailerLength();
        ByteBuf head = alloc.ioBuffer(headLength);
        emitHead(frame, head);
        CompositeByteBuf out = alloc.compositeDirectBuffer(3);
        if (integrity == Integrity.CRC32C) {
            CRC32C crc = new CRC32C();
            FrameChecksum.update(crc, head, head.readerIndex(), headLength);
            FrameChecksum.update(crc, payload, payload.readerIndex(), payloadLength);
            ByteBuf trailer = alloc.ioBuffer(4).writeInt((int) crc.getValue());
            out.addComponents(true, head, payload.retainedSlice(), trailer);
        } else {
            out.addComponents(true, head, payload.retainedSlice());
        }
        return out;
    }

    /**
     * Encodes the header block into the scratch buffer and computes the sizes.
     *
     * @return the total size, or minus the total size if it exceeds {@code limit}
     */
    private int prepare(Frame frame, int limit) {
        if (outOfStep) {
            throw new FrameException(
                    ErrorCode.COMPRESSION_ERROR,
                    "header table out of step after a refused frame; the connection must be closed");
        }
        // TYPE, FLAGS, STREAM, payload and trailer: everything but HLEN and the block.
        final long fixed = VarInt.size(frame.type().code())
                + 1L
                + VarInt.size(frame.streamId())
                + frame.payload().readableBytes()
                + integrity.trailerLength();
        // Refuse what cannot fit even with an empty block before the encoder changes its table.
        long smallest = withLength(fixed + 1);
        if (smallest > limit) {
            return (int) -Math.min(smallest, Integer.MAX_VALUE);
        }
        ByteBuf block = scratch.clear();
        headerEncoder.encode(frame.headers(), block);
        headerBlockLength = block.readableBytes();
        rest = fixed + VarInt.size(headerBlockLength) + headerBlockLength;
        long total = withLength(rest);
        if (total > limit) {
            if (!stateless && headerBlockLength > 0) {
                outOfStep = true;
            }
            dropLargeScratch();
            return (int) -Math.min(total, Integer.MAX_VALUE);
        }
        return (int) total;
    }

    /** LENGTH, TYPE, FLAGS, STREAM, HLEN and the header block, as computed by {@link #prepare}. */
    private void emitHead(Frame frame, ByteBuf out) {
        VarInt.write(out, rest);
        VarInt.write(out, frame.type().code());
        out.writeByte(frame.flags().bits());
        VarInt.write(out, frame.streamId());
        VarInt.write(out, headerBlockLength);
        ByteBufCopy.append(scratch, scratch.readerIndex(), headerBlockLength, out);
        dropLargeScratch();
    }

    private void dropLargeScratch() {
        if (scratch.capacity() > SCRATCH_KEEP) {
            scratch = Unpooled.buffer(SCRATCH_INITIAL);
        }
    }

    private static long withLength(long rest) {
        return rest > VarInt.MAX ? Long.MAX_VALUE : VarInt.size(rest) + rest;
    }

    private FrameException tooLarge(long total) {
        return new FrameException(
                ErrorCode.FRAME_TOO_LARGE,
                (total >= Integer.MAX_VALUE ? "over " : "") + "frame of " + total + " bytes exceeds the limit of "
                        + maxFrameSize);
    }
}
