package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * v2 UDP datagrams (docs/spec/wire-v2.md §11): the marker {@code 56 54 02}, then one or more whole frames.
 *
 * <p>Datagrams share no header-table state: read them with a reader whose decoder has a dynamic table of size 0
 * and write them with a {@link V2FrameWriter#stateless} writer.
 */
public final class V2Datagrams {
    /** "VT", version 2: what a v1 receiver rejects as {@code UNSUPPORTED_VERSION}. Do not modify. */
    public static final byte[] MARKER = {0x56, 0x54, 0x02};

    private V2Datagrams() {}

    /** Whether the readable bytes of {@code datagram} start with {@link #MARKER}; no index moves. */
    public static boolean isV2(ByteBuf datagram) {
        int at = datagram.readerIndex();
        return datagram.readableBytes() >= MARKER.length
                && datagram.getByte(at) == MARKER[0]
                && datagram.getByte(at + 1) == MARKER[1]
                && datagram.getByte(at + 2) == MARKER[2];
    }

    /**
     * What one datagram held.
     *
     * @param frames       the frames decoded before any error, in order; the caller releases them (frames of an
     *                     ignorable unknown type included, to be dropped)
     * @param error        the error of the first frame that failed, or {@code null}: that frame and every byte
     *                     after it were dropped, and the caller counts them
     * @param droppedBytes the bytes dropped with {@code error}, 0 without one
     */
    public record Decoded(List<Frame> frames, FrameException error, int droppedBytes) {
        public boolean hasError() {
            return error != null;
        }
    }

    /**
     * Decodes every frame of a v2 datagram (§11 "Splitting"). Reads {@code datagram}'s readable bytes without
     * releasing it or moving its indexes; payloads are retained slices of it.
     *
     * @throws IllegalArgumentException if the datagram does not start with {@link #MARKER}
     */
    public static Decoded decode(ByteBuf datagram, V2FrameReader reader) {
        if (!isV2(datagram)) {
            throw new IllegalArgumentException("not a v2 datagram");
        }
        ByteBuf in = datagram.duplicate();
        in.skipBytes(MARKER.length);
        if (!in.isReadable()) {
            return new Decoded(List.of(), new FrameException(ErrorCode.TRUNCATED, "v2 datagram without a frame"), 0);
        }
        List<Frame> frames = new ArrayList<>(2);
        while (in.isReadable()) {
            int left = in.readableBytes();
            FrameException error;
            try {
                Frame frame = reader.read(in);
                if (frame != null) {
                    frames.add(frame);
                    continue;
                }
                error = io.vstp.core.codec.WireReader.truncated(left);
            } catch (FrameException e) {
                error = e;
            }
            return new Decoded(Collections.unmodifiableList(frames), error, left);
        }
        return new Decoded(Collections.unmodifiableList(frames), null, 0);
    }

    /**
     * Fills one datagram with frames (§11 "Batching"): the marker, then frames while they fit
     * {@code maxDatagramSize}. Use it for frames that are ready at the same time; never hold frames back to fill
     * a datagram. Not thread-safe.
     */
    public static final class Batch {
        private final V2FrameWriter writer;
        private final ByteBufAllocator alloc;
        private final int maxDatagramSize;
        private ByteBuf datagram;
        private int frames;

        /**
         * @param writer a {@link V2FrameWriter#stateless} writer: a frame that does not fit is encoded and then
         *               dropped, which a writer with a dynamic table could not survive
         */
        public Batch(V2FrameWriter writer, ByteBufAllocator alloc, int maxDatagramSize) {
            this.writer = Objects.requireNonNull(writer, "writer");
            if (!writer.isStateless()) {
                throw new IllegalArgumentException("datagram batches need a V2FrameWriter.stateless writer");
            }
            this.alloc = Objects.requireNonNull(alloc, "alloc");
            if (maxDatagramSize < MARKER.length + V2Limits.MIN_FRAME_SIZE) {
                throw new IllegalArgumentException("maxDatagramSize too small: " + maxDatagramSize);
            }
            this.maxDatagramSize = maxDatagramSize;
        }

        /**
         * Appends {@code frame} if it fits what is left of the datagram. The frame is not released.
         *
         * @return true if appended; false if it does not fit next to the frames already in the batch (take the
         *         datagram and add it to the next one)
         * @throws FrameException {@code FRAME_TOO_LARGE} if the frame would not fit even an empty datagram (it must
         *                        be fragmented, udp.md §4), or above the writer's maximum
         */
        public boolean add(Frame frame) {
            if (datagram == null) {
                datagram = alloc.ioBuffer(Math.min(maxDatagramSize, 2048), maxDatagramSize);
                datagram.writeBytes(MARKER);
            }
            int written = writer.writeIfFits(frame, datagram, maxDatagramSize - datagram.writerIndex());
            if (written >= 0) {
                frames++;
                return true;
            }
            if (frames == 0) {
                throw new FrameException(
                        ErrorCode.FRAME_TOO_LARGE, "frame does not fit a datagram of " + maxDatagramSize + " bytes");
            }
            return false;
        }

        /**
         * Appends the bytes of one frame already encoded with a stateless writer (for example a message kept for
         * retransmission) if they fit. {@code frame} is not released and its indexes do not move.
         *
         * @return true if appended; false if they do not fit next to the frames already in the batch
         * @throws FrameException {@code FRAME_TOO_LARGE} if they would not fit even an empty datagram
         */
        public boolean addEncoded(ByteBuf frame) {
            if (datagram == null) {
                datagram = alloc.ioBuffer(Math.min(maxDatagramSize, 2048), maxDatagramSize);
                datagram.writeBytes(MARKER);
            }
            int n = frame.readableBytes();
            if (datagram.writerIndex() + n <= maxDatagramSize) {
                io.vstp.core.codec.ByteBufCopy.append(frame, frame.readerIndex(), n, datagram);
                frames++;
                return true;
            }
            if (frames == 0) {
                throw new FrameException(
                        ErrorCode.FRAME_TOO_LARGE, "frame does not fit a datagram of " + maxDatagramSize + " bytes");
            }
            return false;
        }

        /** The number of frames in the current datagram. */
        public int frameCount() {
            return frames;
        }

        /** Bytes in the current datagram, marker included (0 before the first frame). */
        public int size() {
            return frames == 0 ? 0 : datagram.readableBytes();
        }

        /** The datagram built so far, or {@code null} if it holds no frame; the caller owns it. Starts a new one. */
        public ByteBuf take() {
            if (frames == 0) {
                return null;
            }
            ByteBuf done = datagram;
            datagram = null;
            frames = 0;
            return done;
        }

        /** Releases a datagram not taken. */
        public void discard() {
            if (datagram != null) {
                datagram.release();
                datagram = null;
            }
            frames = 0;
        }
    }
}
