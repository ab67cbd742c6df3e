package io.vstp.core.codec.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.LeakCheck;
import java.util.List;
import net.jqwik.api.AfterFailureMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

/** Properties of the v1 codec over generated frames (spec §2, §7). */
class FrameCodecProperties {
    private final FrameWriter writer = new FrameWriter();
    private final FrameReader reader = new FrameReader();

    @AfterContainer
    static void noLeaks() {
        LeakCheck.assertNoLeaks();
    }

    @Property(tries = 500, afterFailure = AfterFailureMode.SAMPLE_FIRST)
    void decodeOfEncodeIsIdentity(@ForAll("frames") Frame frame) {
        ByteBuf wire = encode(List.of(frame));
        try {
            Frame decoded = reader.read(wire);
            try {
                assertThat(decoded).isEqualTo(frame);
                assertThat(wire.isReadable()).isFalse();
            } finally {
                decoded.release();
            }
        } finally {
            wire.release();
        }
    }

    @Property(tries = 300)
    void anySplitOfAStreamDecodesToTheSameFrames(
            @ForAll("streams") List<Frame> frames,
            @ForAll @Size(max = 12) List<@IntRange(min = 1, max = 4096) Integer> cuts) {
        ByteBuf wire = encode(frames);
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder());
        int i = 0;
        int c = 0;
        while (wire.isReadable()) {
            int n = Math.min(wire.readableBytes(), cuts.isEmpty() ? wire.readableBytes() : cuts.get(c++ % cuts.size()));
            ch.writeInbound(wire.readRetainedSlice(n));
        }
        wire.release();
        assertThat(ch.finish()).isEqualTo(!frames.isEmpty());
        for (Frame f; (f = ch.readInbound()) != null; i++) {
            try {
                assertThat(f).isEqualTo(frames.get(i));
            } finally {
                f.release();
            }
        }
        assertThat(i).isEqualTo(frames.size());
    }

    @Property(tries = 1000)
    void anySingleByteCorruptionIsRejectedWithACode(
            @ForAll("frames") Frame frame,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where,
            @ForAll @IntRange(min = 1, max = 255) int xor) {
        ByteBuf wire = encode(List.of(frame));
        int index = where % wire.readableBytes();
        wire.setByte(index, wire.getByte(index) ^ xor);
        try {
            List<Frame> decoded = new FrameReader(FrameLimits.DEFAULT, FrameTypeRegistry.V1, true).readAll(wire);
            // CRC-32 detects every error burst of up to 32 bits, so one changed byte anywhere — prefix, headers,
            // payload or the trailer itself — must fail (a changed length fails as a CRC mismatch or truncation).
            decoded.forEach(Frame::release);
            throw new AssertionError("corruption at byte " + index + " went unnoticed: " + decoded);
        } catch (FrameException expected) {
            assertThat(expected.code()).isNotNull();
        } finally {
            wire.release();
        }
    }

    private ByteBuf encode(List<Frame> frames) {
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
        Arbitrary<FrameType> types = Arbitraries.of(FrameTypeRegistry.V1.types());
        Arbitrary<Flags> flags = Arbitraries.integers().between(0, 255).map(Flags::of);
        Arbitrary<byte[]> keyOrValue = Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(255)
                .edgeCases(e -> e.add(new byte[0]).add(new byte[255]));
        Arbitrary<Header> header = Combinators.combine(keyOrValue, keyOrValue).as(Header::of);
        Arbitrary<Headers> headers = header.list().ofMaxSize(8).map(Headers::of);
        // Mostly small payloads; some beyond 65535 bytes so PAY_LEN's upper bytes are exercised.
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        9, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.integers().between(0, 70_000).map(n -> new byte[n])));
        return Combinators.combine(types, flags, headers, payload)
                .as((t, f, h, p) -> new Frame(t, f, h, Unpooled.wrappedBuffer(p)));
    }
}
