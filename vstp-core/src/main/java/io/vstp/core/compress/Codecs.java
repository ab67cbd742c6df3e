package io.vstp.core.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.netty.util.concurrent.FastThreadLocal;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The one-shot calls into zstd-jni and lz4-java over {@link NativeRegion}s. zstd contexts are kept one per thread
 * (a context costs a native allocation of several hundred KiB, too much per frame); LZ4's compressor and safe
 * decompressor are stateless and shared. Errors come out as the libraries' runtime exceptions; callers map them.
 */
final class Codecs {
    /** lz4-java's fastest instance: JNI where the native library loads, else pure Java. */
    static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();

    static final LZ4Compressor LZ4_COMPRESSOR = LZ4_FACTORY.fastCompressor();
    /** The safe decompressor: bounds-checked on input and output (never the "fast" one, which trusts its input). */
    static final LZ4SafeDecompressor LZ4_DECOMPRESSOR = LZ4_FACTORY.safeDecompressor();

    private static final FastThreadLocal<ZstdCompressCtx> ZSTD_CCTX = new FastThreadLocal<>() {
        @Override
        protected ZstdCompressCtx initialValue() {
            return new ZstdCompressCtx();
        }

        @Override
        protected void onRemoval(ZstdCompressCtx ctx) {
            ctx.close();
        }
    };
    private static final FastThreadLocal<ZstdDecompressCtx> ZSTD_DCTX = new FastThreadLocal<>() {
        @Override
        protected ZstdDecompressCtx initialValue() {
            return new ZstdDecompressCtx();
        }

        @Override
        protected void onRemoval(ZstdDecompressCtx ctx) {
            ctx.close();
        }
    };

    private Codecs() {}

    /** Loads the native library behind {@code algorithm} (JNI: extracting and linking takes tens of milliseconds). */
    static void load(CompressionAlgorithm algorithm) {
        if (algorithm == CompressionAlgorithm.ZSTD) {
            com.github.luben.zstd.util.Native.load();
        } else {
            LZ4_COMPRESSOR.maxCompressedLength(0); // the class initialiser has loaded lz4-java's library
        }
    }

    static int zstdBound(int length) {
        return (int) Math.min(Integer.MAX_VALUE - 64, Zstd.compressBound(length));
    }

    static int lz4Bound(int length) {
        return LZ4_COMPRESSOR.maxCompressedLength(length);
    }

    /** Compresses {@code src} into {@code dst} as one zstd frame; both the same kind (array or direct). */
    static int zstdCompress(NativeRegion dst, NativeRegion src, int level) {
        ZstdCompressCtx ctx = ZSTD_CCTX.get();
        ctx.setLevel(level);
        if (src.isDirect()) {
            return ctx.compressDirectByteBuffer(dst.direct, dst.offset, dst.length, src.direct, src.offset, src.length);
        }
        return ctx.compressByteArray(dst.array, dst.offset, dst.length, src.array, src.offset, src.length);
    }

    static int lz4Compress(NativeRegion dst, NativeRegion src) {
        return LZ4_COMPRESSOR.compress(
                src.asByteBuffer(), src.offset, src.length, dst.asByteBuffer(), dst.offset, dst.length);
    }

    /** The size of the first zstd frame of {@code src} (frame or skippable frame); a runtime exception if none. */
    static long zstdFrameSize(NativeRegion src) {
        if (src.isDirect()) {
            long n = Zstd.findDirectByteBufferFrameCompressedSize(src.direct, src.offset, src.length);
            if (Zstd.isError(n)) {
                throw new IllegalArgumentException(Zstd.getErrorName(n));
            }
            return n;
        }
        return Zstd.findFrameCompressedSize(src.array, src.offset, src.length);
    }

    /** Decompresses into at most {@code dst.length} bytes; returns the decompressed size. */
    static int zstdDecompress(NativeRegion dst, NativeRegion src) {
        ZstdDecompressCtx ctx = ZSTD_DCTX.get();
        if (src.isDirect()) {
            return dst.isDirect()
                    ? ctx.decompressDirectByteBuffer(
                            dst.direct, dst.offset, dst.length, src.direct, src.offset, src.length)
                    : ctx.decompressDirectByteBufferToByteArray(
                            dst.array, dst.offset, dst.length, src.direct, src.offset, src.length);
        }
        return dst.isDirect()
                ? ctx.decompressByteArrayToDirectByteBuffer(
                        dst.direct, dst.offset, dst.length, src.array, src.offset, src.length)
                : ctx.decompressByteArray(dst.array, dst.offset, dst.length, src.array, src.offset, src.length);
    }

    /** Decompresses one whole LZ4 block into at most {@code dst.length} bytes; returns the decompressed size. */
    static int lz4Decompress(NativeRegion dst, NativeRegion src) {
        return LZ4_DECOMPRESSOR.decompress(
                src.asByteBuffer(), src.offset, src.length, dst.asByteBuffer(), dst.offset, dst.length);
    }
}
