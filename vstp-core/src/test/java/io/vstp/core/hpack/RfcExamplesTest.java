package io.vstp.core.hpack;

import static io.vstp.core.hpack.HpackTesting.decode;
import static io.vstp.core.hpack.HpackTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.HeaderBlockEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.Hex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every example of RFC 7541 Appendix C, decoded in sequence on one decoder as the RFC does; for the encoder
 * examples also our encoder's output, which need not be the RFC's bytes, decoded back to the same lists.
 * The examples use HTTP/2 pseudo-headers, which v2 reserves, so the decoders here are built to accept them.
 */
class RfcExamplesTest {
    private static final String DATE_21 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private static final String DATE_22 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private static final String LOCATION = "https://www.example.com";
    private static final String COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    // C.3 and C.4: requests (C.3 without Huffman coding, C.4 with it).
    private static final Headers REQ_1 =
            Headers.of(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com");
    private static final Headers REQ_2 = Headers.of(
            ":method",
            "GET",
            ":scheme",
            "http",
            ":path",
            "/",
            ":authority",
            "www.example.com",
            "cache-control",
            "no-cache");
    private static final Headers REQ_3 = Headers.of(
            ":method",
            "GET",
            ":scheme",
            "https",
            ":path",
            "/index.html",
            ":authority",
            "www.example.com",
            "custom-key",
            "custom-value");

    // C.5 and C.6: responses with a 256-byte table (C.5 without Huffman coding, C.6 with it).
    private static final Headers RESP_1 =
            Headers.of(":status", "302", "cache-control", "private", "date", DATE_21, "location", LOCATION);
    private static final Headers RESP_2 =
            Headers.of(":status", "307", "cache-control", "private", "date", DATE_21, "location", LOCATION);
    private static final Headers RESP_3 = Headers.of(
            ":status",
            "200",
            "cache-control",
            "private",
            "date",
            DATE_22,
            "location",
            LOCATION,
            "content-encoding",
            "gzip",
            "set-cookie",
            COOKIE);

    private static final String[] C3 = {
        "828684410f7777772e6578616d706c652e636f6d",
        "828684be58086e6f2d6361636865",
        "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
    };
    private static final String[] C4 = {
        "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        "828684be5886a8eb10649cbf",
        "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
    };
    private static final String[] C5 = {
        "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768"
                + "747470733a2f2f7777772e6578616d706c652e636f6d",
        "4803333037c1c0bf",
        "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153"
                + "444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e"
                + "3d31",
    };
    private static final String[] C6 = {
        "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8"
                + "e9ae82ae43d3",
        "4883640effc1c0bf",
        "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b"
                + "3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
    };

    @Test
    void theBlocksHaveTheRfcsLengths() {
        assertThat(lengths(C3)).containsExactly(20, 14, 29);
        assertThat(lengths(C4)).containsExactly(17, 12, 24);
        assertThat(lengths(C5)).containsExactly(70, 8, 98);
        assertThat(lengths(C6)).containsExactly(54, 8, 79);
    }

    @Test
    void c2_1LiteralWithIndexing() {
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(4096);
        assertThat(decode(d, "400a637573746f6d2d6b65790d637573746f6d2d686561646572"))
                .isEqualTo(Headers.of("custom-key", "custom-header"));
        // The entry is now dynamic index 62.
        assertThat(decode(d, "be")).isEqualTo(Headers.of("custom-key", "custom-header"));
    }

    @Test
    void c2_2LiteralWithoutIndexing() {
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(4096);
        assertThat(decode(d, "040c2f73616d706c652f70617468")).isEqualTo(Headers.of(":path", "/sample/path"));
        assertEmptyTable(d);
    }

    @Test
    void c2_3LiteralNeverIndexed() {
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(4096);
        assertThat(decode(d, "100870617373776f726406736563726574")).isEqualTo(Headers.of("password", "secret"));
        assertEmptyTable(d);
    }

    @Test
    void c2_4IndexedField() {
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(4096);
        assertThat(decode(d, "82")).isEqualTo(Headers.of(":method", "GET"));
        assertEmptyTable(d);
    }

    @Test
    void c3RequestsWithoutHuffman() {
        decodeInSequence(4096, C3, REQ_1, REQ_2, REQ_3);
    }

    @Test
    void c4RequestsWithHuffman() {
        decodeInSequence(4096, C4, REQ_1, REQ_2, REQ_3);
    }

    @Test
    void c5ResponsesWithoutHuffmanAndEvictions() {
        decodeInSequence(256, C5, RESP_1, RESP_2, RESP_3);
    }

    @Test
    void c6ResponsesWithHuffmanAndEvictions() {
        decodeInSequence(256, C6, RESP_1, RESP_2, RESP_3);
    }

    @Test
    void ourEncoderRoundTripsTheRequestExamples() {
        encodeInSequence(4096, REQ_1, REQ_2, REQ_3);
    }

    @Test
    void ourEncoderRoundTripsTheResponseExamplesWithEvictions() {
        encodeInSequence(256, RESP_1, RESP_2, RESP_3, RESP_1, RESP_3, RESP_2);
    }

    @Test
    void theV2DecoderRefusesThePseudoHeadersButKeepsItsTableInStep() {
        HeaderBlockDecoder d = HpackHeaderBlocks.decoder(4096, 65_536, 1024);
        for (String block : C4) {
            assertThatThrownBy(() -> decode(d, block))
                    .isInstanceOfSatisfying(
                            FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        }
        // After C.4.3 the table is custom-key: custom-value, cache-control: no-cache, :authority: ...
        assertThat(decode(d, "bebf")).isEqualTo(Headers.of("custom-key", "custom-value", "cache-control", "no-cache"));
    }

    private static void decodeInSequence(int tableSize, String[] blocks, Headers... expected) {
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(tableSize);
        for (int i = 0; i < blocks.length; i++) {
            assertThat(decode(d, blocks[i])).as("block %d", i + 1).isEqualTo(expected[i]);
        }
        // Three entries are left in the table (the RFC lists them); a fourth index is out of range.
        assertThat(decode(d, "c0"))
                .isEqualTo(
                        expected[2].get(0).keyAsString().equals(":method")
                                ? Headers.of(":authority", "www.example.com")
                                : Headers.of("date", DATE_22));
        assertThatThrownBy(() -> decode(d, "c1"))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COMPRESSION_ERROR));
    }

    private static void encodeInSequence(int tableSize, Headers... lists) {
        HeaderBlockEncoder e = HpackTesting.rfcEncoder(tableSize);
        HeaderBlockDecoder d = HpackTesting.rfcDecoder(tableSize);
        HeaderBlockEncoder withoutTable = HpackTesting.rfcEncoder(0);
        int total = 0;
        int totalWithoutTable = 0;
        for (Headers h : lists) {
            byte[] block = encode(e, h);
            total += block.length;
            totalWithoutTable += encode(withoutTable, h).length;
            assertThat(decode(d, block)).isEqualTo(h);
        }
        // The dynamic table is used: repeated entries become one-byte indexes.
        assertThat(total).isLessThan(totalWithoutTable);
    }

    private static void assertEmptyTable(HeaderBlockDecoder d) {
        assertThatThrownBy(() -> decode(d, "be"))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COMPRESSION_ERROR));
    }

    private static List<Integer> lengths(String[] blocks) {
        List<Integer> out = new ArrayList<>();
        for (String b : blocks) {
            out.add(Hex.decode(b).length);
        }
        return out;
    }
}
