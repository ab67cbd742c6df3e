package io.vstp.core.compress;

import static io.vstp.core.compress.CompressionAlgorithm.LZ4;
import static io.vstp.core.compress.CompressionAlgorithm.ZSTD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.compress.TestData.Kind;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import io.vstp.core.testing.Hex;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** wire-v2.md §9: the sender's policy, the receiver's bounds, and every error a compressed payload can raise. */
class PayloadCompressionTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final List<CompressionAlgorithm> BOTH = List.of(ZSTD, LZ4);
    private static final long MIB = 1024 * 1024;

    // ---- CompressionAlgorithm ----

    @Test
    void algorithmIdsAndNamesAreTheRegistrys() {
        assertThat(ZSTD.id()).isEqualTo(1);
        assertThat(ZSTD.wireName()).isEqualTo("zstd");
        assertThat(LZ4.id()).isEqualTo(2);
        assertThat(LZ4.wireName()).isEqualTo("lz4");
        assertThat(CompressionAlgorithm.byId(1)).isEqualTo(ZSTD);
        assertThat(CompressionAlgorithm.byId(2)).isEqualTo(LZ4);
        assertThat(CompressionAlgorithm.byId(0)).isNull();
        assertThat(CompressionAlgorithm.byId(3)).isNull();
        assertThat(CompressionAlgorithm.byId(-1)).isNull();
        assertThat(CompressionAlgorithm.byId(VarInt.MAX)).isNull();
    }

    @Test
    void listsParseIgnoringUnknownNamesAndPrintInOrder() {
        assertThat(CompressionAlgorithm.parseList("zstd,lz4")).containsExactly(ZSTD, LZ4);
        assertThat(CompressionAlgorithm.parseList(" lz4 , brotli,zstd,lz4")).containsExactly(LZ4, ZSTD);
        assertThat(CompressionAlgorithm.parseList("")).isEmpty();
        assertThat(CompressionAlgorithm.parseList(null)).isEmpty();
        assertThat(CompressionAlgorithm.parseList("gzip,ZSTD")).isEmpty();
        assertThat(CompressionAlgorithm.toList(List.of(ZSTD, LZ4))).isEqualTo("zstd,lz4");
        assertThat(CompressionAlgorithm.toList(List.of())).isEmpty();
        assertThat(CompressionAlgorithm.agree(List.of(LZ4, ZSTD), List.of(ZSTD)))
                .containsExactly(ZSTD);
        assertThat(CompressionAlgorithm.agree(List.of(LZ4, ZSTD), List.of(ZSTD, LZ4)))
                .containsExactly(LZ4, ZSTD);
    }

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void textRoundTripsForBothAlgorithmsAndBufferKinds(Kind kind) {
        for (CompressionAlgorithm alg : BOTH) {
            byte[] text = TestData.text(100_000);
            ByteBuf payload = TestData.buffer(kind, text);
            PayloadCompressor c = new PayloadCompressor(List.of(alg));
            int reader = payload.readerIndex();
            int writer = payload.writerIndex();
            ByteBuf comp = c.compress(ALLOC, payload);
            try {
                assertThat(comp).isNotNull();
                assertThat(payload.readerIndex()).isEqualTo(reader);
                assertThat(payload.writerIndex()).isEqualTo(writer);
                assertThat(payload.refCnt()).isEqualTo(1);
                assertThat(TestData.bytes(payload)).isEqualTo(text);
                assertThat(comp.readableBytes()).isLessThan(text.length / 2);
                assertThat(comp.getByte(comp.readerIndex())).isEqualTo((byte) alg.id());
                ByteBuf out = new PayloadDecompressor(List.of(alg), 1 << 20).decompress(ALLOC, comp);
                try {
                    assertThat(TestData.bytes(out)).isEqualTo(text);
                    assertThat(out.readableBytes()).isEqualTo(text.length);
                } finally {
                    out.release();
                }
                assertThat(comp.refCnt()).isEqualTo(1);
            } finally {
                if (comp != null) {
                    comp.release();
                }
                payload.release();
            }
        }
    }

    @Test
    void headerIsAlgThenOriginalLengthAsMinimalVarints() {
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[20_000]);
        ByteBuf comp = new PayloadCompressor(List.of(LZ4)).compress(ALLOC, payload);
        try {
            assertThat(VarInt.read(comp)).isEqualTo(2);
            assertThat(comp.getUnsignedByte(comp.readerIndex()) >>> 6).isEqualTo(2); // 20 000 needs 4 bytes
            assertThat(VarInt.read(comp)).isEqualTo(20_000);
        } finally {
            comp.release();
            payload.release();
        }
    }

    @Test
    void emptyAndTinyPayloadsRoundTripThroughTheCodecs() {
        for (CompressionAlgorithm alg : BOTH) {
            for (int size : new int[] {0, 1, 63, 64}) {
                byte[] data = TestData.random(size);
                ByteBuf payload = TestData.buffer(Kind.DIRECT, data);
                ByteBuf comp = new PayloadCompressor(List.of(alg)).encode(ALLOC, payload);
                ByteBuf out = new PayloadDecompressor(List.of(alg), 64).decompress(ALLOC, comp);
                assertThat(TestData.bytes(out)).isEqualTo(data);
                out.release();
                comp.release();
                payload.release();
            }
        }
    }

    // ---- the sender's policy ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void randomDataIsNotCompressed(Kind kind) {
        for (CompressionAlgorithm alg : BOTH) {
            ByteBuf payload = TestData.buffer(kind, TestData.random(64 * 1024));
            PayloadCompressor c = new PayloadCompressor(List.of(alg));
            assertThat(c.compress(ALLOC, payload)).isNull();
            assertThat(c.stats()).isEqualTo(new PayloadCompressor.Stats(0, 1, 0, 0, 64 * 1024));
            payload.release();
        }
    }

    @Test
    void randomDataIsNotCompressedEvenWithoutTheSample() {
        // Sampling off: the compression runs, and the "not smaller" rule drops its result.
        PayloadCompressor.Options noSample = new PayloadCompressor.Options(512, 0, 8, 3);
        for (CompressionAlgorithm alg : BOTH) {
            ByteBuf payload = TestData.buffer(Kind.HEAP, TestData.random(10_000));
            assertThat(new PayloadCompressor(List.of(alg), noSample).compress(ALLOC, payload))
                    .isNull();
            payload.release();
        }
    }

    @Test
    void payloadsBelowTheMinimumAreNotCompressed() {
        for (CompressionAlgorithm alg : BOTH) {
            PayloadCompressor c = new PayloadCompressor(List.of(alg));
            ByteBuf small = Unpooled.wrappedBuffer(new byte[511]);
            assertThat(c.compress(ALLOC, small)).isNull();
            ByteBuf empty = Unpooled.EMPTY_BUFFER;
            assertThat(c.compress(ALLOC, empty)).isNull();
            ByteBuf atMin = Unpooled.wrappedBuffer(new byte[512]);
            ByteBuf comp = c.compress(ALLOC, atMin);
            assertThat(comp).isNotNull();
            comp.release();
            assertThat(c.stats().framesSkipped()).isEqualTo(2);
            assertThat(c.stats().framesCompressed()).isEqualTo(1);
        }
    }

    @Test
    void noAgreedAlgorithmMeansNeverCompress() {
        PayloadCompressor c = new PayloadCompressor(List.of());
        ByteBuf payload = Unpooled.wrappedBuffer(TestData.text(10_000));
        assertThat(c.algorithm()).isNull();
        assertThat(c.compress(ALLOC, payload)).isNull();
    }

    @Test
    void thePreferredAlgorithmIsTheFirstAgreed() {
        assertThat(new PayloadCompressor(List.of(LZ4, ZSTD)).algorithm()).isEqualTo(LZ4);
        assertThat(new PayloadCompressor(BOTH).algorithm()).isEqualTo(ZSTD);
    }

    @Test
    void textIsCompressedAndCounted() {
        for (CompressionAlgorithm alg : BOTH) {
            PayloadCompressor c = new PayloadCompressor(List.of(alg));
            ByteBuf payload = TestData.buffer(Kind.DIRECT, TestData.text(64 * 1024));
            ByteBuf comp = c.compress(ALLOC, payload);
            assertThat(comp).isNotNull();
            PayloadCompressor.Stats s = c.stats();
            assertThat(s.framesCompressed()).isEqualTo(1);
            assertThat(s.framesSkipped()).isZero();
            assertThat(s.bytesIn()).isEqualTo(64 * 1024);
            assertThat(s.bytesOut()).isEqualTo(comp.readableBytes());
            assertThat(s.ratio()).isLessThan(0.5);
            comp.release();
            payload.release();
        }
    }

    @Test
    void anIncompressibleSampleSkipsEvenWhenTheRestWouldCompress() {
        // 4 KiB of random bytes, then 60 KiB of zeros: the sample decides, as §9 allows.
        byte[] data = new byte[64 * 1024];
        System.arraycopy(TestData.random(4096), 0, data, 0, 4096);
        ByteBuf payload = Unpooled.wrappedBuffer(data);
        assertThat(new PayloadCompressor(List.of(ZSTD)).compress(ALLOC, payload))
                .isNull();
        ByteBuf comp = new PayloadCompressor(List.of(ZSTD), new PayloadCompressor.Options(512, 0, 8, 3))
                .compress(ALLOC, payload);
        assertThat(comp).isNotNull();
        comp.release();
    }

    @Test
    void optionsAreChecked() {
        assertThat(PayloadCompressor.Options.DEFAULT).isEqualTo(new PayloadCompressor.Options(512, 4096, 8, 3));
        assertThatThrownBy(() -> new PayloadCompressor.Options(-1, 4096, 8, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PayloadCompressor.Options(512, 4096, 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PayloadCompressor.Options(512, 4096, 8, 99))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- decompression bombs and lies ----

    @Test
    void aBombAnnouncingOneGibIsRefusedBeforeAnyAllocation() {
        // 8192 RLE blocks of 128 KiB: a 32 KiB zstd frame that expands to 1 GiB (zstd needs at least 4 bytes per
        // 128 KiB block, so 1 GiB cannot come from less). And a 1 KiB frame (256 blocks, 32 MiB) announced as 1 GiB.
        long gib = 1L << 30;
        for (byte[] frame : new byte[][] {rleFrame(8192, true), rleFrame(256, true)}) {
            assertThat(frame.length).isLessThanOrEqualTo(32 * 1024 + 16);
            ByteBuf comp = compPayload(ZSTD.id(), gib, frame);
            CanaryAllocator alloc = new CanaryAllocator();
            assertThatThrownBy(() -> new PayloadDecompressor(BOTH, 64 * MIB).decompress(alloc, comp))
                    .isInstanceOfSatisfying(DecompressionException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DECOMPRESSED_TOO_LARGE);
                        assertThat(e.scope()).isEqualTo(VstpException.Scope.REQUEST);
                    });
            assertThat(alloc.allocations()).isZero();
            alloc.assertCanariesIntactAndRelease();
            comp.release();
        }
    }

    @Test
    void theCraftedRleFrameIsValidWhenItsLengthIsTold() {
        // So that the bomb tests above and below test the limits, not a broken frame.
        ByteBuf comp = compPayload(ZSTD.id(), 32 * MIB, rleFrame(256, true));
        ByteBuf out = new PayloadDecompressor(BOTH, 64 * MIB).decompress(ALLOC, comp);
        assertThat(out.readableBytes()).isEqualTo(32 * 1024 * 1024);
        assertThat(out.getByte(12345)).isEqualTo((byte) 'x');
        out.release();
        assertThatThrownBy(() -> new PayloadDecompressor(BOTH, 16 * MIB).decompress(ALLOC, comp))
                .hasFieldOrPropertyWithValue("code", ErrorCode.DECOMPRESSED_TOO_LARGE);
        comp.release();
    }

    @ParameterizedTest
    @EnumSource(
            value = Kind.class,
            names = {"HEAP", "DIRECT"})
    void anOriginalLengthLyingSmallFailsWithoutWritingPastTheBuffer(Kind kind) {
        // zstd with and without a content size in the frame header, and LZ4: the content is bigger than announced.
        byte[][] frames = {rleFrame(256, true), rleFrame(256, false), lz4Block(TestData.text(64 * 1024))};
        int[] algs = {ZSTD.id(), ZSTD.id(), LZ4.id()};
        for (int i = 0; i < frames.length; i++) {
            ByteBuf comp = inKind(kind, compPayload(algs[i], 1000, frames[i]));
            CanaryAllocator alloc = new CanaryAllocator();
            assertFails(
                    () -> new PayloadDecompressor(BOTH, 64 * MIB).decompress(alloc, comp),
                    ErrorCode.DECOMPRESSION_FAILED);
            assertThat(alloc.largestRequest()).isEqualTo(1000);
            alloc.assertCanariesIntactAndRelease();
            comp.release();
        }
    }

    @Test
    void anOriginalLengthLyingBigFails() {
        for (CompressionAlgorithm alg : BOTH) {
            byte[] text = TestData.text(10_000);
            byte[] raw = rawCompressed(alg, text);
            ByteBuf comp = compPayload(alg.id(), 10_001, raw);
            assertFails(
                    () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.DECOMPRESSION_FAILED);
            comp.release();
        }
    }

    @Test
    void truncatedInputFails() {
        for (CompressionAlgorithm alg : BOTH) {
            byte[] raw = rawCompressed(alg, TestData.text(10_000));
            for (int cut = 0; cut < raw.length; cut += Math.max(1, raw.length / 50)) {
                byte[] part = java.util.Arrays.copyOf(raw, cut);
                ByteBuf comp = compPayload(alg.id(), 10_000, part);
                assertFails(
                        () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp),
                        ErrorCode.DECOMPRESSION_FAILED);
                comp.release();
            }
        }
    }

    @Test
    void bitFlipsFailOrGiveExactlyTheAnnouncedLength() {
        // Neither format has a checksum here (integrity is §6's CRC32C or TLS): a flipped literal bit can decode to
        // other bytes of the right length. Every other outcome must be DECOMPRESSION_FAILED, never a crash.
        for (CompressionAlgorithm alg : BOTH) {
            byte[] text = TestData.text(5_000);
            byte[] raw = rawCompressed(alg, text);
            int failed = 0;
            for (int bit = 0; bit < raw.length * 8; bit++) {
                byte[] flipped = raw.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                ByteBuf comp = compPayload(alg.id(), text.length, flipped);
                CanaryAllocator alloc = new CanaryAllocator();
                try {
                    ByteBuf out = new PayloadDecompressor(BOTH, MIB).decompress(alloc, comp);
                    assertThat(out.readableBytes()).isEqualTo(text.length);
                    out.release();
                } catch (DecompressionException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.DECOMPRESSION_FAILED);
                    failed++;
                } finally {
                    alloc.assertCanariesIntactAndRelease();
                    comp.release();
                }
            }
            assertThat(failed).as(alg + " flips detected").isPositive();
        }
        // A flip in zstd's magic number is always caught.
        byte[] raw = rawCompressed(ZSTD, TestData.text(5_000));
        raw[0] ^= 1;
        ByteBuf comp = compPayload(ZSTD.id(), 5_000, raw);
        assertFails(() -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.DECOMPRESSION_FAILED);
        comp.release();
    }

    @Test
    void twoZstdFramesAreNotOne() {
        byte[] one = rawCompressed(ZSTD, TestData.text(1000));
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(one);
        two.writeBytes(one);
        ByteBuf comp = compPayload(ZSTD.id(), 2000, two.toByteArray());
        assertFails(() -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.DECOMPRESSION_FAILED);
        comp.release();
    }

    @Test
    void noCompressedBytesFails() {
        for (CompressionAlgorithm alg : BOTH) {
            ByteBuf comp = compPayload(alg.id(), 0, new byte[0]);
            assertFails(
                    () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.DECOMPRESSION_FAILED);
            comp.release();
        }
    }

    // ---- header errors ----

    @Test
    void algZeroUnknownOrNotAgreedIsUnknownCompression() {
        byte[] lz4 = lz4Block(TestData.text(1000));
        for (long alg : new long[] {0, 3, 63, 0x3FFF, VarInt.MAX}) {
            ByteBuf comp = compPayload(alg, 1000, lz4);
            assertConnectionError(
                    () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.UNKNOWN_COMPRESSION);
            comp.release();
        }
        ByteBuf comp = compPayload(LZ4.id(), 1000, lz4);
        assertConnectionError(
                () -> new PayloadDecompressor(List.of(ZSTD), MIB).decompress(ALLOC, comp),
                ErrorCode.UNKNOWN_COMPRESSION);
        assertConnectionError(
                () -> new PayloadDecompressor(List.of(), MIB).decompress(ALLOC, comp), ErrorCode.UNKNOWN_COMPRESSION);
        ByteBuf ok = new PayloadDecompressor(List.of(LZ4), MIB).decompress(ALLOC, comp);
        ok.release();
        comp.release();
    }

    @Test
    void nonMinimalVarintsAreRejected() {
        // ALG 2 in two bytes; ORIGINAL_LENGTH 5 in two bytes.
        ByteBuf alg = Hex.buffer("4002 05 50 68656c6c6f");
        assertConnectionError(
                () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, alg), ErrorCode.NON_MINIMAL_VARINT);
        alg.release();
        ByteBuf len = Hex.buffer("02 4005 50 68656c6c6f");
        assertConnectionError(
                () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, len), ErrorCode.NON_MINIMAL_VARINT);
        len.release();
        ByteBuf good = Hex.buffer("02 05 50 68656c6c6f");
        ByteBuf out = new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, good);
        assertThat(out.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello");
        out.release();
        good.release();
    }

    @Test
    void aHeaderCutOffIsALengthMismatch() {
        for (String hex : new String[] {"", "02", "02 80"}) {
            ByteBuf comp = Unpooled.wrappedBuffer(Hex.decode(hex));
            assertConnectionError(
                    () -> new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp), ErrorCode.LENGTH_MISMATCH);
        }
    }

    @Test
    void maxMessageIsChecked() {
        assertThatThrownBy(() -> new PayloadDecompressor(BOTH, -1)).isInstanceOf(IllegalArgumentException.class);
        ByteBuf comp = compPayload(LZ4.id(), VarInt.MAX, new byte[] {0});
        assertFails(
                () -> new PayloadDecompressor(BOTH, Long.MAX_VALUE).decompress(ALLOC, comp),
                ErrorCode.DECOMPRESSED_TOO_LARGE);
        comp.release();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"lz4-hello-world", "lz4-hello-world-direct", "zstd-rle-16", "zstd-raw-hello"})
    void theValidFuzzSeedsDecode(String name) throws java.io.IOException {
        // The fuzz corpus starts from payloads that decode, so that the fuzzer begins inside both formats.
        try (var in = getClass().getResourceAsStream("PayloadDecompressorFuzzTestInputs/decompress/" + name)) {
            byte[] seed = in.readAllBytes();
            ByteBuf comp = Unpooled.wrappedBuffer(seed, 0, seed.length - 1); // the last byte is the fuzz config
            ByteBuf out = new PayloadDecompressor(BOTH, MIB).decompress(ALLOC, comp);
            assertThat(out.readableBytes()).isPositive();
            out.release();
        }
    }

    // ---- helpers ----

    static void assertFails(Runnable r, ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(DecompressionException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.scope()).isEqualTo(VstpException.Scope.REQUEST);
        });
    }

    static void assertConnectionError(Runnable r, ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.scope()).isEqualTo(VstpException.Scope.CONNECTION);
        });
    }

    static ByteBuf compPayload(long alg, long originalLength, byte[] compressed) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(compressed.length + 16);
        VarInt.write(b, alg);
        VarInt.write(b, originalLength);
        return b.writeBytes(compressed);
    }

    static ByteBuf inKind(Kind kind, ByteBuf heap) {
        ByteBuf b = TestData.buffer(kind, TestData.bytes(heap));
        heap.release();
        return b;
    }

    /** The compressed bytes alone (no ALG, no ORIGINAL_LENGTH) as our compressor makes them. */
    static byte[] rawCompressed(CompressionAlgorithm alg, byte[] data) {
        ByteBuf payload = Unpooled.wrappedBuffer(data);
        ByteBuf comp = new PayloadCompressor(List.of(alg)).encode(ALLOC, payload);
        try {
            VarInt.read(comp);
            VarInt.read(comp);
            return TestData.bytes(comp);
        } finally {
            comp.release();
        }
    }

    static byte[] lz4Block(byte[] data) {
        return rawCompressed(LZ4, data);
    }

    /**
     * A zstd frame (RFC 8878 §3.1.1) of {@code blocks} RLE blocks of 128 KiB of 'x': 4 bytes per block. With a
     * content size, a single-segment frame with an 8-byte Frame_Content_Size; without, a 128 KiB window.
     */
    static byte[] rleFrame(int blocks, boolean withContentSize) {
        ByteBuf b = Unpooled.buffer();
        b.writeIntLE(0xFD2FB528);
        if (withContentSize) {
            b.writeByte(0xE0); // FCS_Field_Size 8, Single_Segment
            b.writeLongLE((long) blocks * 131072);
        } else {
            b.writeByte(0x00); // no FCS, window descriptor follows
            b.writeByte(7 << 3); // window 2^(10+7) = 128 KiB
        }
        for (int i = 0; i < blocks; i++) {
            int header = (i == blocks - 1 ? 1 : 0) | (1 << 1) | (131072 << 3); // Last_Block, RLE, Block_Size
            b.writeMediumLE(header);
            b.writeByte('x');
        }
        byte[] out = TestData.bytes(b);
        b.release();
        return out;
    }
}
