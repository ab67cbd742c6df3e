package io.vstp.core.compress;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link PayloadDecompressor} (wire-v2.md §9): arbitrary bytes as a compressed payload
 * must either decompress to at most {@code maxMessage} bytes or fail with a {@link VstpException} of one of the
 * codes §9 names — never another exception, never a crash of the native libraries, never a leak.
 *
 * <p>Regression mode replays {@code src/test/resources/io/vstp/core/compress/PayloadDecompressorFuzzTestInputs/};
 * the build's {@code fuzz} execution explores. The last byte of an input chooses the agreed algorithms, the limit
 * and the buffer kind; the rest is the payload.
 */
class PayloadDecompressorFuzzTest {
    private static final List<List<CompressionAlgorithm>> AGREED = List.of(
            List.of(CompressionAlgorithm.ZSTD, CompressionAlgorithm.LZ4), List.of(CompressionAlgorithm.ZSTD),
            List.of(CompressionAlgorithm.LZ4), List.of());

    @FuzzTest(maxDuration = "60s", maxExecutions = 100000)
    void decompress(FuzzedDataProvider data) {
        int config = data.consumeInt(0, 255);
        List<CompressionAlgorithm> agreed = AGREED.get(config & 3);
        long maxMessage = (config & 4) == 0 ? 1 << 20 : 64;
        boolean direct = (config & 8) != 0;
        byte[] bytes = data.consumeRemainingAsBytes();

        ByteBuf in = direct
                ? PooledByteBufAllocator.DEFAULT
                        .directBuffer(Math.max(1, bytes.length))
                        .writeBytes(bytes)
                : Unpooled.wrappedBuffer(bytes);
        try {
            ByteBuf out = new PayloadDecompressor(agreed, maxMessage).decompress(PooledByteBufAllocator.DEFAULT, in);
            try {
                assertThat((long) out.readableBytes()).isLessThanOrEqualTo(maxMessage);
            } finally {
                out.release();
            }
        } catch (VstpException e) {
            assertThat(e.code())
                    .isIn(
                            ErrorCode.UNKNOWN_COMPRESSION,
                            ErrorCode.DECOMPRESSED_TOO_LARGE,
                            ErrorCode.DECOMPRESSION_FAILED,
                            ErrorCode.NON_MINIMAL_VARINT,
                            ErrorCode.LENGTH_MISMATCH);
        } finally {
            assertThat(in.readerIndex()).isZero();
            in.release();
        }
    }
}
