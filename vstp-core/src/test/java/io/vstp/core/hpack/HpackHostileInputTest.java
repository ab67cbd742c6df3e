package io.vstp.core.hpack;

import static io.vstp.core.hpack.HpackTesting.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.Hex;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Blocks a hostile or broken peer sends: each fails with the error code wire-v2.md §5 and §12 name. */
class HpackHostileInputTest {
    private final HeaderBlockDecoder decoder = HpackHeaderBlocks.decoder(4096, 65_536, 1024);

    @Test
    void truncatedBlocks() {
        String full = "400178017940017a02777a"; // x: y, z: wz, both with incremental indexing
        for (int n = 1; n < full.length() / 2; n++) {
            if (n == 5) {
                continue; // a whole first entry: a valid block
            }
            String prefix = full.substring(0, 2 * n);
            HeaderBlockDecoder d = HpackHeaderBlocks.decoder(4096, 65_536, 1024);
            assertCode(() -> decode(d, prefix), ErrorCode.COMPRESSION_ERROR);
        }
        assertThat(decode(HpackHeaderBlocks.decoder(4096, 65_536, 1024), full))
                .isEqualTo(Headers.of("x", "y", "z", "wz"));
    }

    @Test
    void aStringLongerThanTheBlock() {
        assertCode(() -> decode(decoder, "007f8001"), ErrorCode.COMPRESSION_ERROR); // name of 255 bytes, none there
        assertCode(() -> decode(decoder, "0001780a79"), ErrorCode.COMPRESSION_ERROR); // value of 10 bytes, 1 there
    }

    @Test
    void integerOverflow() {
        // An index that overflows 32 bits, one that overflows 64 bits, a string length past 2^31.
        assertCode(() -> decode(decoder, "ffffffffffff0f"), ErrorCode.COMPRESSION_ERROR);
        assertCode(() -> decode(decoder, "ff" + "ff".repeat(12) + "01"), ErrorCode.COMPRESSION_ERROR);
        assertCode(() -> decode(decoder, "007fffffffff0f"), ErrorCode.COMPRESSION_ERROR);
        // A table size update that overflows 64 bits.
        assertCode(() -> decode(fresh(), "3f" + "ff".repeat(10) + "01"), ErrorCode.COMPRESSION_ERROR);
        // An integer whose continuation never ends.
        assertCode(() -> decode(fresh(), "ff8080"), ErrorCode.COMPRESSION_ERROR);
    }

    @Test
    void huffmanWithEosOrBadPadding() {
        assertThat(decode(fresh(), "00811f00")).isEqualTo(Headers.of("a", "")); // 'a' (00011) + padding 111
        // 32 one bits: the 30-bit EOS symbol inside a string.
        assertCode(() -> decode(fresh(), "0084ffffffff00"), ErrorCode.COMPRESSION_ERROR);
        // 'a' then padding 000: padding must be the high bits of EOS, all ones.
        assertCode(() -> decode(fresh(), "00811800"), ErrorCode.COMPRESSION_ERROR);
        // 'a' + 111 padding, then a whole byte of ones: padding longer than 7 bits.
        assertCode(() -> decode(fresh(), "00821fff00"), ErrorCode.COMPRESSION_ERROR);
    }

    @Test
    void indexesOutOfRange() {
        assertCode(() -> decode(fresh(), "80"), ErrorCode.COMPRESSION_ERROR); // index 0
        assertCode(() -> decode(fresh(), "be"), ErrorCode.COMPRESSION_ERROR); // empty dynamic table
        assertCode(() -> decode(fresh(), "7e0179"), ErrorCode.COMPRESSION_ERROR); // name index 62
        HeaderBlockDecoder d = fresh();
        assertThat(decode(d, "4001780179")).isEqualTo(Headers.of("x", "y"));
        assertThat(decode(d, "be")).isEqualTo(Headers.of("x", "y"));
        assertCode(() -> decode(d, "bf"), ErrorCode.COMPRESSION_ERROR);
    }

    @Test
    void tableSizeUpdates() {
        assertThat(decode(fresh(), "3fe11f")).isEqualTo(Headers.EMPTY); // 4096: the announced size
        assertCode(() -> decode(fresh(), "3fe21f"), ErrorCode.COMPRESSION_ERROR); // 4097
        assertThat(decode(fresh(), "203fe11f")).isEqualTo(Headers.EMPTY); // 0 then back up: RFC 7541 §4.2
        assertCode(() -> decode(fresh(), "9020"), ErrorCode.COMPRESSION_ERROR); // not at the start
        HeaderBlockDecoder small = HpackHeaderBlocks.decoder(256, 65_536, 1024);
        assertThat(decode(small, "3fe101")).isEqualTo(Headers.EMPTY); // 256
        assertCode(() -> decode(small, "3fe201"), ErrorCode.COMPRESSION_ERROR); // 257
    }

    @Test
    void anUpdateToZeroEmptiesTheTable() {
        HeaderBlockDecoder d = fresh();
        decode(d, "4001780179");
        assertThat(decode(d, "20")).isEqualTo(Headers.EMPTY);
        assertCode(() -> decode(d, "be"), ErrorCode.COMPRESSION_ERROR);
    }

    @Test
    void compressionBombFailsWithoutBuildingTheList() {
        // One literal of 4000 bytes, entered into the table, then referenced 20 000 times: an 80 MB list from a
        // 24 kB block.
        byte[] value = new byte[4000];
        Arrays.fill(value, (byte) 'v');
        String literal = "4001787f" + "a11e" + Hex.encode(value); // x: 4000 × 'v' (127 + 0xF21 = 4000)
        byte[] block = Hex.decode(literal + "be".repeat(20_000));
        HeaderBlockDecoder d = HpackHeaderBlocks.decoder(4096, 65_536, Integer.MAX_VALUE);
        // An untracked buffer: the paranoid leak detector records every access to a tracked one, which would
        // drown what the decoder allocates.
        ByteBuf in = Unpooled.wrappedBuffer(block);
        long before = allocatedBytes();
        assertCode(() -> d.decode(in, block.length), ErrorCode.HEADERS_TOO_LARGE);
        long allocated = allocatedBytes() - before;
        assertThat(in.isReadable()).isFalse();
        assertThat(allocated).as("bytes allocated decoding the bomb").isLessThan(4L << 20);
        // The block was decoded to its end: the table is in step and the decoder goes on.
        assertThat(decode(d, "be").get(0).valueLength()).isEqualTo(4000);
    }

    @Test
    void manyEntriesFailWithTooManyHeaders() {
        // accept-encoding: gzip, deflate (static index 16, 60 bytes in the list) 2000 times: 120 000 bytes.
        String block = "90".repeat(2000);
        assertCode(() -> decode(HpackHeaderBlocks.decoder(4096, 1_000_000, 1024), block), ErrorCode.TOO_MANY_HEADERS);
        assertCode(() -> decode(HpackHeaderBlocks.decoder(4096, 65_536, 1024), block), ErrorCode.HEADERS_TOO_LARGE);
        assertThat(decode(HpackHeaderBlocks.decoder(4096, 1_000_000, 2000), block)
                        .size())
                .isEqualTo(2000);
        assertCode(() -> decode(HpackHeaderBlocks.decoder(4096, 65_536, 0), "90"), ErrorCode.TOO_MANY_HEADERS);
        assertThat(decode(HpackHeaderBlocks.decoder(4096, 65_536, 0), "")).isEqualTo(Headers.EMPTY);
    }

    @Test
    void theListSizeCountsNameValueAnd32() {
        // x: y is 1 + 1 + 32 = 34 bytes.
        assertThat(decode(HpackHeaderBlocks.decoder(4096, 34, 10), "0001780179"))
                .hasSize(1);
        assertCode(() -> decode(HpackHeaderBlocks.decoder(4096, 33, 10), "0001780179"), ErrorCode.HEADERS_TOO_LARGE);
    }

    @Test
    void reservedNamesAreProtocolViolations() {
        HeaderBlockDecoder d = fresh();
        // :method: GET, then x: y with incremental indexing: refused, but the table took x: y.
        assertCode(() -> decode(d, "824001780179"), ErrorCode.PROTOCOL_VIOLATION);
        assertThat(decode(d, "be")).isEqualTo(Headers.of("x", "y"));
        assertCode(() -> decode(fresh(), "00013a0179"), ErrorCode.PROTOCOL_VIOLATION); // a literal ':' name
    }

    @Test
    void afterACompressionErrorTheDecoderStaysBroken() {
        HeaderBlockDecoder d = fresh();
        assertCode(() -> decode(d, "be"), ErrorCode.COMPRESSION_ERROR);
        assertCode(() -> decode(d, "90"), ErrorCode.COMPRESSION_ERROR);
    }

    @Test
    void datagramDecoderRefusesDynamicState() {
        HeaderBlockDecoder d = HpackHeaderBlocks.decoderForDatagrams(65_536, 1024);
        assertCode(() -> decode(d, "be"), ErrorCode.COMPRESSION_ERROR);
        assertCode(() -> decode(d, "7e0179"), ErrorCode.COMPRESSION_ERROR); // dynamic name index
        assertCode(() -> decode(d, "21"), ErrorCode.COMPRESSION_ERROR); // size update to 1
        assertCode(() -> decode(d, "3fe11f"), ErrorCode.COMPRESSION_ERROR); // size update to 4096
        // Allowed: a size update to 0, and a literal with incremental indexing, which adds nothing.
        assertThat(decode(d, "20")).isEqualTo(Headers.EMPTY);
        assertThat(decode(d, "4001780179")).isEqualTo(Headers.of("x", "y"));
        assertCode(() -> decode(d, "be"), ErrorCode.COMPRESSION_ERROR);
        // Blocks stay independent: errors leave nothing behind.
        assertThat(decode(d, "90")).isEqualTo(Headers.of("accept-encoding", "gzip, deflate"));
    }

    @Test
    void aLengthPastTheBufferIsALengthMismatch() {
        ByteBuf in = Hex.buffer("90");
        try {
            assertCode(() -> decoder.decode(in, 2), ErrorCode.LENGTH_MISMATCH);
            assertCode(() -> decoder.decode(in, -1), ErrorCode.LENGTH_MISMATCH);
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    @Test
    void errorMessagesNameNoHeaderBytes() {
        String secret = Hex.encode("secret-token".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        // A literal with a secret value, then an index out of range.
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> decode(fresh(), "000178" + "0c" + secret + "ff00"));
        assertThat(t).isInstanceOf(FrameException.class);
        assertThat(t.getMessage()).doesNotContain("secret");
        assertThat(t.getCause()).isNull();
    }

    private static HeaderBlockDecoder fresh() {
        return HpackHeaderBlocks.decoder(4096, 65_536, 1024);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
