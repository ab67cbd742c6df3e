package io.vstp.core.hpack;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.HeaderBlockEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Headers;
import java.util.EnumSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the HPACK decoder (wire-v2.md §5): arbitrary blocks, decoded in sequence on one
 * decoder, must either decode into a list that our encoder turns back into a block decoding to the same list, or
 * fail with a {@link FrameException} of a header-block code — never any other exception, never a hang.
 *
 * <p>Regression mode (every {@code mvn test}) replays the committed corpus in
 * {@code src/test/resources/io/vstp/core/hpack/HpackDecoderFuzzTestInputs/}; fuzzing mode (the build's
 * {@code fuzz} execution) explores for a fixed number of executions. The first choices pick the transport and the
 * limits, then each block is a length byte and that many bytes.
 */
class HpackDecoderFuzzTest {
    private static final int[] TABLE_SIZES = {0, 64, 256, 4096};
    private static final Set<ErrorCode> BLOCK_ERRORS = EnumSet.of(
            ErrorCode.COMPRESSION_ERROR,
            ErrorCode.HEADERS_TOO_LARGE,
            ErrorCode.TOO_MANY_HEADERS,
            ErrorCode.PROTOCOL_VIOLATION);

    @FuzzTest(maxDuration = "60s", maxExecutions = 25000)
    void decoder(FuzzedDataProvider data) {
        int config = data.consumeInt(0, 255);
        boolean datagrams = (config & 1) != 0;
        int tableSize = TABLE_SIZES[(config >>> 1) & 3];
        long listSize = (config & 8) == 0 ? 65_536 : 300;
        int count = (config & 16) == 0 ? 1024 : 4;
        HeaderBlockDecoder decoder = newDecoder(datagrams, tableSize, listSize, count);
        HeaderBlockEncoder encoder =
                datagrams ? HpackHeaderBlocks.encoderForDatagrams() : HpackHeaderBlocks.encoder(tableSize);
        HeaderBlockDecoder check = newDecoder(datagrams, tableSize, listSize, count);

        while (data.remainingBytes() > 0) {
            byte[] block = data.consumeBytes(data.consumeInt(0, 255));
            ByteBuf in = Unpooled.wrappedBuffer(block);
            Headers headers;
            try {
                headers = decoder.decode(in, block.length);
            } catch (FrameException e) {
                assertThat(e.code()).isIn(BLOCK_ERRORS);
                continue;
            }
            assertThat(in.isReadable()).isFalse();
            assertRoundTrips(headers, encoder, check);
        }
    }

    private static HeaderBlockDecoder newDecoder(boolean datagrams, int tableSize, long listSize, int count) {
        return datagrams
                ? HpackHeaderBlocks.decoderForDatagrams(listSize, count)
                : HpackHeaderBlocks.decoder(tableSize, listSize, count);
    }

    private static void assertRoundTrips(Headers headers, HeaderBlockEncoder encoder, HeaderBlockDecoder check) {
        ByteBuf out = Unpooled.buffer();
        try {
            encoder.encode(headers, out);
            assertThat(check.decode(out, out.readableBytes())).isEqualTo(headers);
        } finally {
            out.release();
        }
    }
}
