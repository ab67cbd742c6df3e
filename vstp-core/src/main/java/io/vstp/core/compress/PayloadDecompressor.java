package io.vstp.core.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The receiver's side of payload compression (docs/spec/wire-v2.md §9): turns a compressed payload
 * ({@code ALG varint | ORIGINAL_LENGTH varint | compressed bytes}) back into exactly ORIGINAL_LENGTH bytes, never
 * more, so that a small frame cannot make the receiver allocate more than its message limit.
 *
 * <p>Checks, in order:
 * <ol>
 *   <li>ALG: 0, unknown or not agreed → {@link FrameException} {@code UNKNOWN_COMPRESSION} (connection scope);
 *       a non-minimal varint → {@code NON_MINIMAL_VARINT}, a varint cut off by the end of the payload →
 *       {@code LENGTH_MISMATCH} (both {@link FrameException}, as for every v2 field, §2 and §4.2);</li>
 *   <li>ORIGINAL_LENGTH above {@code maxMessage} → {@link DecompressionException} {@code DECOMPRESSED_TOO_LARGE},
 *       before anything is allocated;</li>
 *   <li>the output buffer is allocated with exactly ORIGINAL_LENGTH bytes and the library is given that capacity
 *       (zstd one-shot decompression into a bounded destination; LZ4's safe decompressor with the output size):
 *       corrupt input, more than one zstd frame, output that would be larger, or output that is shorter →
 *       {@link DecompressionException} {@code DECOMPRESSION_FAILED}. Any exception of the native libraries ends
 *       there too.</li>
 * </ol>
 *
 * <p>Corruption is detected only where it breaks the format: neither an LZ4 block nor a zstd frame without
 * checksum can tell a flipped literal byte. Integrity is the job of the CRC32C trailer or TLS (§6).
 *
 * <p>Thread-safe: a zstd context is kept per thread.
 */
public final class PayloadDecompressor {
    /** The largest buffer the JVM can allocate (arrays stop a few bytes below Integer.MAX_VALUE). */
    private static final long MAX_BUFFER = Integer.MAX_VALUE - 8;

    private final Set<CompressionAlgorithm> agreed;
    private final long maxMessage;

    /**
     * @param agreed     the algorithms agreed in the handshake (wire-v2.md §10); any other ALG is refused
     * @param maxMessage the receiver's {@code max-message} in bytes: the most ORIGINAL_LENGTH may announce
     */
    public PayloadDecompressor(List<CompressionAlgorithm> agreed, long maxMessage) {
        if (maxMessage < 0) {
            throw new IllegalArgumentException("maxMessage < 0: " + maxMessage);
        }
        this.agreed = agreed.isEmpty() ? EnumSet.noneOf(CompressionAlgorithm.class) : EnumSet.copyOf(agreed);
        this.maxMessage = maxMessage;
    }

    public long maxMessage() {
        return maxMessage;
    }

    /**
     * Decompresses the readable bytes of {@code compPayload}, the payload of a DATA frame with COMP set.
     *
     * @return a new buffer of exactly ORIGINAL_LENGTH readable bytes that the caller owns; {@code compPayload} is
     *         neither modified (not even its indexes) nor released
     * @throws FrameException         {@code UNKNOWN_COMPRESSION}, {@code NON_MINIMAL_VARINT}, {@code LENGTH_MISMATCH}
     * @throws DecompressionException {@code DECOMPRESSED_TOO_LARGE}, {@code DECOMPRESSION_FAILED}
     */
    public ByteBuf decompress(ByteBufAllocator alloc, ByteBuf compPayload) {
        ByteBuf in = compPayload.duplicate();
        long alg = VarInt.read(in);
        CompressionAlgorithm algorithm = CompressionAlgorithm.byId(alg);
        if (algorithm == null || !agreed.contains(algorithm)) {
            throw new FrameException(
                    ErrorCode.UNKNOWN_COMPRESSION,
                    "ALG " + alg
                            + (algorithm == null ? " is not known" : " (" + algorithm.wireName() + ") was not agreed"));
        }
        long originalLength = VarInt.read(in);
        if (originalLength > maxMessage || originalLength > MAX_BUFFER) {
            throw new DecompressionException(
                    ErrorCode.DECOMPRESSED_TOO_LARGE,
                    "ORIGINAL_LENGTH " + originalLength + " above the limit of " + Math.min(maxMessage, MAX_BUFFER));
        }
        int n = (int) originalLength;
        int compressedLength = in.readableBytes();
        if (compressedLength == 0) {
            throw failed(algorithm, "no compressed bytes");
        }
        NativeRegion src = NativeRegion.readable(in, in.readerIndex(), compressedLength);
        ByteBuf out = src.isDirect() ? alloc.directBuffer(n, n) : alloc.heapBuffer(n, n);
        boolean ok = false;
        try {
            NativeRegion dst = NativeRegion.writable(out, 0, n);
            int produced;
            if (algorithm == CompressionAlgorithm.ZSTD) {
                long frame = Codecs.zstdFrameSize(src);
                if (frame != compressedLength) {
                    throw failed(
                            algorithm,
                            "not one zstd frame: the first frame has " + frame + " of " + compressedLength + " bytes");
                }
                produced = Codecs.zstdDecompress(dst, src);
            } else {
                produced = Codecs.lz4Decompress(dst, src);
            }
            if (produced != n) {
                throw failed(algorithm, "decompressed to " + produced + " bytes, ORIGINAL_LENGTH is " + n);
            }
            out.writerIndex(n);
            ok = true;
            return out;
        } catch (VstpException e) {
            throw e;
        } catch (RuntimeException e) {
            // ZstdException, LZ4Exception, and the bounds checks of both libraries: corrupt or oversized input.
            throw failed(algorithm, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    private static DecompressionException failed(CompressionAlgorithm algorithm, String why) {
        return new DecompressionException(ErrorCode.DECOMPRESSION_FAILED, algorithm.wireName() + ": " + why);
    }
}
