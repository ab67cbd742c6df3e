package io.vstp.core.hpack;

import static io.vstp.core.hpack.HpackTesting.decode;
import static io.vstp.core.hpack.HpackTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.HeaderBlockEncoder;
import io.vstp.core.frame.Headers;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Any header lists, of any bytes, survive an encoder and a decoder of the same table size, in sequence. */
class HpackProperties {
    @Property(tries = 300)
    void orderedTransportRoundTrips(
            @ForAll("lists") List<Headers> lists, @ForAll @IntRange(min = 0, max = 65_536) int tableSize) {
        HeaderBlockEncoder e = HpackHeaderBlocks.encoder(tableSize);
        HeaderBlockDecoder d =
                HpackHeaderBlocks.decoder(tableSize, HpackHeaderBlocks.MAX_HEADER_LIST_SIZE, Integer.MAX_VALUE);
        for (Headers h : lists) {
            assertThat(decode(d, encode(e, h))).isEqualTo(h);
        }
    }

    @Property(tries = 200)
    void datagramsRoundTripAlone(@ForAll("lists") List<Headers> lists) {
        HeaderBlockEncoder e = HpackHeaderBlocks.encoderForDatagrams();
        HeaderBlockDecoder d =
                HpackHeaderBlocks.decoderForDatagrams(HpackHeaderBlocks.MAX_HEADER_LIST_SIZE, Integer.MAX_VALUE);
        for (Headers h : lists) {
            byte[] block = encode(e, h);
            // Any other datagram decoder, fresh, reads it too.
            assertThat(decode(HpackHeaderBlocks.decoderForDatagrams(1L << 31, 100_000), block))
                    .isEqualTo(h);
            assertThat(decode(d, block)).isEqualTo(h);
        }
    }

    @Provide
    Arbitrary<List<Headers>> lists() {
        // Few distinct small names and values so that the dynamic table gets hits, plus arbitrary bytes and
        // occasional values past 255 bytes (and past Netty's 512-byte Huffman threshold).
        Arbitrary<byte[]> small = Arbitraries.of("a", "b", "content-type", "accept-encoding", "gzip, deflate", "")
                .map(s -> s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<byte[]> text = Arbitraries.strings()
                .withCharRange('a', 'z')
                .ofMinLength(256)
                .ofMaxLength(1200)
                .map(s -> s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Arbitrary<byte[]> big =
                Arbitraries.bytes().array(byte[].class).ofMinSize(256).ofMaxSize(3000);
        Arbitrary<byte[]> names = Arbitraries.frequencyOf(Tuple.of(6, small), Tuple.of(3, any), Tuple.of(1, big))
                .filter(n -> n.length > 0 && n[0] != ':');
        Arbitrary<byte[]> values =
                Arbitraries.frequencyOf(Tuple.of(5, small), Tuple.of(3, any), Tuple.of(1, text), Tuple.of(1, big));
        Arbitrary<Headers> headers = Combinators.combine(names, values)
                .as(HeaderPair::new)
                .list()
                .ofMaxSize(12)
                .map(pairs -> {
                    Headers.Builder b = Headers.builder();
                    for (HeaderPair p : pairs) {
                        b.add(p.name, p.value);
                    }
                    return b.build();
                });
        return headers.list().ofMinSize(1).ofMaxSize(8);
    }

    private record HeaderPair(byte[] name, byte[] value) {}
}
