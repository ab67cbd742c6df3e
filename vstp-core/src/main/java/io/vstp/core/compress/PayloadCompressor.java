package io.vstp.core.compress;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vstp.core.codec.v2.VarInt;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sender's side of payload compression (docs/spec/wire-v2.md §9): compresses a DATA payload with the
 * preferred agreed algorithm, but only when it pays.
 *
 * <p>The policy of §9, in order:
 * <ol>
 *   <li>no agreed algorithm, or a payload below {@link Options#minSize()} (512 bytes): sent as is;</li>
 *   <li>a sample, the first {@link Options#sampleSize()} bytes (4 KiB), is compressed with LZ4 (fast); when it
 *       shrinks by less than 1/{@link Options#minSavingDivisor()} (1/8) the payload is sent as is. When LZ4 is the
 *       algorithm and the sample is the whole payload, the sample is not taken: the compression itself decides;</li>
 *   <li>the payload is compressed; when the compressed payload ({@code ALG | ORIGINAL_LENGTH | bytes}) is not
 *       smaller than the original, it is sent as is.</li>
 * </ol>
 *
 * <p>Thread-safe: a zstd context is kept per thread, the counters are {@link LongAdder}s.
 */
public final class PayloadCompressor {
    /**
     * The policy's knobs.
     *
     * @param minSize          payloads below this many bytes are never compressed (default 512)
     * @param sampleSize       bytes compressed with LZ4 to decide (default 4096); 0 turns sampling off
     * @param minSavingDivisor the sample must shrink by at least 1/this (default 8)
     * @param zstdLevel        zstd's compression level (default 3)
     */
    public record Options(int minSize, int sampleSize, int minSavingDivisor, int zstdLevel) {
        public static final Options DEFAULT = new Options(512, 4096, 8, 3);

        public Options {
            if (minSize < 0 || sampleSize < 0 || minSavingDivisor < 1) {
                throw new IllegalArgumentException("minSize and sampleSize >= 0, minSavingDivisor >= 1: " + this);
            }
            if (zstdLevel < Zstd.minCompressionLevel() || zstdLevel > Zstd.maxCompressionLevel()) {
                throw new IllegalArgumentException("zstd level out of range: " + zstdLevel);
            }
        }
    }

    /**
     * Counters since construction, for metrics.
     *
     * @param framesCompressed payloads sent compressed
     * @param framesSkipped    payloads the policy left as they were (too small, failed sample, no gain)
     * @param bytesIn          original bytes of the compressed payloads
     * @param bytesOut         bytes of those payloads once compressed, ALG and ORIGINAL_LENGTH included
     * @param bytesSkipped     bytes of the skipped payloads
     */
    public record Stats(long framesCompressed, long framesSkipped, long bytesIn, long bytesOut, long bytesSkipped) {
        /** bytesOut / bytesIn for the compressed payloads; 1 when none was. */
        public double ratio() {
            return bytesIn == 0 ? 1.0 : (double) bytesOut / bytesIn;
        }
    }

    private final List<CompressionAlgorithm> agreed;
    private final CompressionAlgorithm algorithm;
    private final Options options;
    private final LongAdder framesCompressed = new LongAdder();
    private final LongAdder framesSkipped = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder bytesSkipped = new LongAdder();

    /**
     * Loads the native libraries of {@code algorithms} now. They load on first use otherwise, which on an event
     * loop stalls every connection of that loop for the tens of milliseconds it takes; servers and clients call
     * this when they are built.
     */
    public static void loadNatives(List<CompressionAlgorithm> algorithms) {
        for (CompressionAlgorithm a : algorithms) {
            Codecs.load(a);
        }
    }

    /** With {@link Options#DEFAULT}. */
    public PayloadCompressor(List<CompressionAlgorithm> agreed) {
        this(agreed, Options.DEFAULT);
    }

    /**
     * @param agreed  the algorithms both sides accept (wire-v2.md §10), preferred first; the first is used, and an
     *                empty list means never compress
     * @param options the policy
     */
    public PayloadCompressor(List<CompressionAlgorithm> agreed, Options options) {
        this.agreed = List.copyOf(agreed);
        this.algorithm = this.agreed.isEmpty() ? null : this.agreed.get(0);
        this.options = java.util.Objects.requireNonNull(options, "options");
    }

    /** The algorithm this compressor uses, or {@code null} when it never compresses. */
    public CompressionAlgorithm algorithm() {
        return algorithm;
    }

    public List<CompressionAlgorithm> agreed() {
        return agreed;
    }

    public Options options() {
        return options;
    }

    public Stats stats() {
        return new Stats(
                framesCompressed.sum(), framesSkipped.sum(), bytesIn.sum(), bytesOut.sum(), bytesSkipped.sum());
    }

    /**
     * Compresses the readable bytes of {@code payload} when it pays.
     *
     * @return a new buffer holding {@code ALG varint | ORIGINAL_LENGTH varint | compressed bytes}, smaller than the
     *         payload, that the caller owns (and sends with COMP set); or {@code null}: send the payload as is.
     *         {@code payload} is never modified (not even its indexes) nor released.
     */
    public ByteBuf compress(ByteBufAllocator alloc, ByteBuf payload) {
        int length = payload.readableBytes();
        if (algorithm == null || length < options.minSize() || length == 0) {
            return skip(length);
        }
        int index = payload.readerIndex();
        boolean wholeIsSample = length <= options.sampleSize();
        if (options.sampleSize() > 0
                && !(wholeIsSample && algorithm == CompressionAlgorithm.LZ4)
                && !samplePays(alloc, payload, index, Math.min(options.sampleSize(), length))) {
            return skip(length);
        }
        ByteBuf out = compressWhole(alloc, NativeRegion.readable(payload, index, length));
        if (out == null) {
            return skip(length);
        }
        if (out.readableBytes() >= length) {
            out.release();
            return skip(length);
        }
        framesCompressed.increment();
        bytesIn.add(length);
        bytesOut.add(out.readableBytes());
        return out;
    }

    /**
     * The compressed form of {@code payload} whatever the policy says, or null when the allocator gave unusable
     * memory: for tests, which need compressed random data too.
     */
    ByteBuf encode(ByteBufAllocator alloc, ByteBuf payload) {
        return algorithm == null
                ? null
                : compressWhole(alloc, NativeRegion.readable(payload, payload.readerIndex(), payload.readableBytes()));
    }

    private ByteBuf skip(int length) {
        framesSkipped.increment();
        bytesSkipped.add(length);
        return null;
    }

    /** LZ4 on the first sampleSize bytes: true when they shrink by at least 1/minSavingDivisor. */
    private boolean samplePays(ByteBufAllocator alloc, ByteBuf payload, int index, int n) {
        // Only the sample's region: a composite payload merges (copies) just these n bytes.
        NativeRegion sample = NativeRegion.readable(payload, index, n);
        int bound = Codecs.lz4Bound(n);
        ByteBuf scratch = sample.isDirect() ? alloc.directBuffer(bound) : alloc.heapBuffer(bound);
        try {
            int compressed = Codecs.lz4Compress(NativeRegion.writable(scratch, 0, bound), sample);
            return n - compressed >= n / options.minSavingDivisor();
        } finally {
            scratch.release();
        }
    }

    /** The whole compressed payload, header included, or null when the allocator gave unusable memory. */
    private ByteBuf compressWhole(ByteBufAllocator alloc, NativeRegion src) {
        int header = VarInt.size(algorithm.id()) + VarInt.size(src.length);
        int bound = algorithm == CompressionAlgorithm.ZSTD ? Codecs.zstdBound(src.length) : Codecs.lz4Bound(src.length);
        ByteBuf out = src.isDirect() ? alloc.directBuffer(header + bound) : alloc.heapBuffer(header + bound);
        boolean ok = false;
        try {
            VarInt.write(out, algorithm.id());
            VarInt.write(out, src.length);
            NativeRegion dst = NativeRegion.writable(out, out.writerIndex(), bound);
            if (dst.isDirect() != src.isDirect()) {
                // zstd-jni compresses array to array or direct to direct only; an allocator that answers a heap
                // request with direct memory (or the reverse) is not worth a copy: send uncompressed.
                return null;
            }
            int n;
            try {
                n = algorithm == CompressionAlgorithm.ZSTD
                        ? Codecs.zstdCompress(dst, src, options.zstdLevel())
                        : Codecs.lz4Compress(dst, src);
            } catch (RuntimeException e) {
                // Cannot happen with a bound-sized destination; if the library fails anyway, the payload still goes.
                return null;
            }
            out.writerIndex(out.writerIndex() + n);
            ok = true;
            return out;
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }
}
