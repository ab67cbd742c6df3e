package io.vstp.core.compress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vstp.core.compress.TestData.Content;
import io.vstp.core.compress.TestData.Kind;
import io.vstp.core.testing.LeakCheck;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * wire-v2.md §9 over generated payloads: 0 bytes to 1 MiB, text, zeros and random, in every buffer kind. Named
 * {@code *Test} so that surefire's default includes run it ({@code *Properties} classes are not picked up).
 */
class PayloadCompressionPropertiesTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final int MAX = 1 << 20;

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Provide
    Arbitrary<Integer> sizes() {
        // Edges of the policy, many small and mid sizes, and some up to 1 MiB.
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(0, 1, 511, 512, 4095, 4096, 4097, 65536, MAX)),
                Tuple.of(3, Arbitraries.integers().between(0, 16 * 1024)),
                Tuple.of(1, Arbitraries.integers().between(0, MAX)));
    }

    /** The codec alone (policy bypassed): any bytes compress and decompress to themselves. */
    @Property(tries = 200)
    void everyPayloadRoundTrips(
            @ForAll CompressionAlgorithm alg,
            @ForAll Content content,
            @ForAll Kind kind,
            @ForAll("sizes") int size,
            @ForAll long seed) {
        byte[] data = TestData.content(content, size, seed);
        ByteBuf payload = TestData.buffer(kind, data);
        ByteBuf comp = null;
        ByteBuf out = null;
        try {
            comp = new PayloadCompressor(List.of(alg)).encode(ALLOC, payload);
            out = new PayloadDecompressor(List.of(alg), MAX).decompress(ALLOC, comp);
            assertThat(out.readableBytes()).isEqualTo(size);
            assertThat(TestData.bytes(out)).isEqualTo(data);
            assertThat(TestData.bytes(payload)).isEqualTo(data);
        } finally {
            release(payload, comp, out);
        }
    }

    /** The policy: what it sends is smaller and decompresses to the payload; random data is never sent compressed. */
    @Property(tries = 200)
    void thePolicyOnlySendsWhatPaysAndItRoundTrips(
            @ForAll CompressionAlgorithm alg,
            @ForAll Content content,
            @ForAll Kind kind,
            @ForAll("sizes") int size,
            @ForAll long seed) {
        byte[] data = TestData.content(content, size, seed);
        ByteBuf payload = TestData.buffer(kind, data);
        ByteBuf comp = null;
        ByteBuf out = null;
        try {
            comp = new PayloadCompressor(List.of(alg)).compress(ALLOC, payload);
            if (size < 512 || (content == Content.RANDOM && size >= 64)) {
                assertThat(comp).isNull();
            }
            if (content != Content.RANDOM && size >= 4096) {
                assertThat(comp).isNotNull();
            }
            if (comp != null) {
                assertThat(comp.readableBytes()).isLessThan(size);
                out = new PayloadDecompressor(List.of(alg), MAX).decompress(ALLOC, comp);
                assertThat(TestData.bytes(out)).isEqualTo(data);
            }
        } finally {
            release(payload, comp, out);
        }
    }

    private static void release(ByteBuf... bufs) {
        for (ByteBuf b : bufs) {
            if (b != null) {
                b.release();
            }
        }
    }
}
