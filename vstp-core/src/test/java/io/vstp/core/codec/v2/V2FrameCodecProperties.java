package io.vstp.core.codec.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.testing.LeakCheck;
import java.util.List;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/** Properties of the v2 codec over generated frames (wire-v2.md §2, §4, §4.2). */
class V2FrameCodecProperties {
    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    private static V2FrameWriter writer(Integrity integrity) {
        return new V2FrameWriter(HpackHeaderBlocks.encoder(4096), integrity, V2Limits.DEFAULT_MAX_FRAME_SIZE);
    }

    private static V2FrameReader reader(Integrity integrity) {
        return new V2FrameReader(
                HpackHeaderBlocks.decoder(4096, 1L << 20, 1024), integrity, V2Limits.DEFAULT, FrameTypeRegistry.V2);
    }

    @Property(tries = 500, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void decodeOfEncodeIsIdentity(@ForAll("frames") Frame frame, @ForAll Integrity integrity) {
        ByteBuf wire = encode(List.of(frame), integrity);
        try {
            Frame decoded = reader(integrity).read(wire);
            try {
                assertThat(decoded).isEqualTo(frame);
                assertThat(decoded.streamId()).isEqualTo(frame.streamId());
                assertThat(wire.isReadable()).isFalse();
            } finally {
                decoded.release();
            }
        } finally {
            wire.release();
            frame.release();
        }
    }

    /** One HPACK context across the stream, so dynamic-table references are exercised; any split. */
    @Property(tries = 300)
    void anySplitOfAStreamDecodesToTheSameFrames(
            @ForAll("streams") List<Frame> frames,
            @ForAll Integrity integrity,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 4096) Integer> cuts) {
        ByteBuf wire = encode(frames, integrity);
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(reader(integrity)));
        int c = 0;
        while (wire.isReadable()) {
            int n = Math.min(wire.readableBytes(), cuts.isEmpty() ? wire.readableBytes() : cuts.get(c++ % cuts.size()));
            ch.writeInbound(wire.readRetainedSlice(n));
        }
        wire.release();
        int i = 0;
        try {
            assertThat(ch.finish()).isEqualTo(!frames.isEmpty());
            for (Frame f; (f = ch.readInbound()) != null; i++) {
                try {
                    assertThat(f).isEqualTo(frames.get(i));
                } finally {
                    f.release();
                }
            }
            assertThat(i).isEqualTo(frames.size());
        } finally {
            frames.forEach(Frame::release);
        }
    }

    /** With a CRC32C every single-byte change is detected: any error code, never a silently wrong frame. */
    @Property(tries = 1000)
    void anySingleByteCorruptionIsRejectedWithACode(
            @ForAll("frames") Frame frame,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        ByteBuf wire = encode(List.of(frame), Integrity.CRC32C);
        frame.release();
        int index = where % wire.readableBytes();
        wire.setByte(index, wire.getByte(index) ^ xor);
        try {
            List<Frame> decoded = reader(Integrity.CRC32C).readAll(wire);
            decoded.forEach(Frame::release);
            throw new AssertionError("corruption at byte " + index + " went unnoticed: " + decoded);
        } catch (FrameException expected) {
            assertThat(expected.code()).isNotNull();
        } finally {
            wire.release();
        }
    }

    private static ByteBuf encode(List<Frame> frames, Integrity integrity) {
        V2FrameWriter writer = writer(integrity);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (Frame f : frames) {
            writer.write(f, out);
        }
        return out;
    }

    @Provide
    Arbitrary<List<Frame>> streams() {
        return frames().list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<FrameType> types = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of(FrameTypeRegistry.V2.types())),
                Tuple.of(1, Arbitraries.integers().between(0x20, 0x1FFF).map(n -> FrameType.unknown(2 * n + 1))));
        Arbitrary<Flags> flags = Arbitraries.integers().between(0, 255).map(Flags::of);
        Arbitrary<Long> streams = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 100),
                Arbitraries.longs().between(0, Frame.MAX_STREAM_ID),
                Arbitraries.of(63L, 64L, 16383L, 16384L, (1L << 30) - 1, 1L << 30, Frame.MAX_STREAM_ID));
        // Few distinct names and values, so the dynamic table gets hits; names are never empty and never start
        // with a colon (reserved).
        Arbitrary<byte[]> name = Arbitraries.oneOf(
                Arbitraries.of("content-type", "service", "op", "trace", "a").map(String::getBytes),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).filter(b -> b.length > 0 && b[0] != ':'));
        Arbitrary<byte[]> value = Arbitraries.oneOf(
                Arbitraries.of("text/plain", "echo", "1", "").map(String::getBytes),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300));
        Arbitrary<Header> header = Combinators.combine(name, value).as(Header::of);
        Arbitrary<Headers> headers = header.list().ofMaxSize(8).map(Headers::of);
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                Tuple.of(1, Arbitraries.integers().between(0, 70_000).map(n -> new byte[n])));
        return Combinators.combine(streams, types, flags, headers, payload)
                .as((s, t, f, h, p) -> new Frame(s, t, f, h, Unpooled.wrappedBuffer(p)));
    }
}
