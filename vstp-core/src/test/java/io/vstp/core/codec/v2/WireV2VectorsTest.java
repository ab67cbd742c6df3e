package io.vstp.core.codec.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.testing.Hex;
import io.vstp.core.testing.WireV2Vectors;
import io.vstp.core.testing.WireV2Vectors.Fields;
import io.vstp.core.testing.WireV2Vectors.Setup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of docs/spec/vectors/wire-v2.json (wire-v2.md §13) through the reader, the writer and the Netty
 * decoder, whole and split at every byte boundary.
 */
class WireV2VectorsTest {
    private static final WireV2Vectors VECTORS = WireV2Vectors.load();
    /** Cases up to this size are also split in two at every byte boundary, each split in a fresh channel. */
    private static final int TWO_PART_SPLIT_MAX = 2048;

    static V2FrameReader reader(Setup s) {
        return new V2FrameReader(
                HpackHeaderBlocks.decoder(
                        s.headerTable(),
                        s.limits().maxHeaderListSize(),
                        s.limits().maxHeaderCount()),
                s.integrity(),
                s.limits(),
                FrameTypeRegistry.V2);
    }

    static V2FrameWriter writer(Setup s) {
        return new V2FrameWriter(
                HpackHeaderBlocks.encoder(s.headerTable()),
                s.integrity(),
                s.limits().maxFrameSize());
    }

    @Test
    void fileHoldsTheRequiredCases() {
        assertThat(VECTORS.valid()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(VECTORS.invalid()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(VECTORS.sequences()).isNotEmpty();
        Set<String> names = new HashSet<>();
        VECTORS.valid()
                .forEach(c -> assertThat(names.add(c.name()))
                        .as("unique %s", c.name())
                        .isTrue());
        VECTORS.invalid()
                .forEach(c -> assertThat(names.add(c.name()))
                        .as("unique %s", c.name())
                        .isTrue());
        VECTORS.sequences()
                .forEach(c -> assertThat(names.add(c.name()))
                        .as("unique %s", c.name())
                        .isTrue());
        Set<Integer> types = new HashSet<>();
        VECTORS.valid().forEach(c -> types.add(c.fields().type()));
        assertThat(types).containsAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assertThat(VECTORS.valid()).extracting(c -> c.setup().integrity()).contains(Integrity.CRC32C, Integrity.NONE);
    }

    @TestFactory
    Stream<DynamicTest> validCasesDecodeToTheirFields() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    ByteBuf in = Hex.buffer(c.bytes());
                    try {
                        List<Frame> frames = reader(c.setup()).readAll(in);
                        assertThat(frames).hasSize(1);
                        assertFields(frames.get(0), c.fields());
                    } finally {
                        in.release();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> validCasesDecodeOneByteAtATime() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    List<Frame> frames = decodeInChunks(c.setup(), c.bytes(), 1);
                    assertThat(frames).hasSize(1);
                    assertFields(frames.get(0), c.fields());
                }));
    }

    @TestFactory
    Stream<DynamicTest> validCasesDecodeSplitInTwoAtEveryByte() {
        return VECTORS.valid().stream()
                .filter(c -> c.bytes().length <= TWO_PART_SPLIT_MAX)
                .map(c -> dynamicTest(c.name(), () -> {
                    for (int cut = 0; cut <= c.bytes().length; cut++) {
                        List<Frame> frames = decodeSplit(c.setup(), c.bytes(), cut);
                        assertThat(frames).as("cut at %d", cut).hasSize(1);
                        assertFields(frames.get(0), c.fields());
                    }
                }));
    }

    /**
     * Write then read gives the same frame. Our HPACK encoder may choose other representations than the generator,
     * so the bytes are compared only where the header block is empty.
     */
    @TestFactory
    Stream<DynamicTest> validCasesRoundTripThroughTheWriter() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    Frame expected = c.fields().frame();
                    ByteBuf out = Unpooled.buffer();
                    try {
                        int n = writer(c.setup()).write(expected, out);
                        assertThat(n).isEqualTo(out.readableBytes());
                        if (c.fields().headers().isEmpty()) {
                            assertThat(Hex.encode(out)).isEqualTo(Hex.encode(c.bytes()));
                        }
                        List<Frame> again = reader(c.setup()).readAll(out);
                        assertThat(again).hasSize(1);
                        assertFields(again.get(0), c.fields());
                    } finally {
                        out.release();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> invalidCasesFailWithTheirCode() {
        return VECTORS.invalid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    ByteBuf in = Hex.buffer(c.bytes());
                    try {
                        assertThatThrownBy(() -> reader(c.setup()).readAll(in))
                                .isInstanceOfSatisfying(
                                        FrameException.class,
                                        e -> assertThat(e.code().name()).isEqualTo(c.error()));
                    } finally {
                        in.release();
                    }
                }));
    }

    /** The error does not depend on how the input is split (§4.2). */
    @TestFactory
    Stream<DynamicTest> invalidCasesFailTheNettyDecoderAtEverySplit() {
        return VECTORS.invalid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    for (int cut = 0; cut <= Math.min(c.bytes().length, TWO_PART_SPLIT_MAX); cut++) {
                        final int at = cut;
                        assertThatThrownBy(() -> decodeSplit(c.setup(), c.bytes(), at))
                                .as("cut at %d", cut)
                                .isInstanceOfSatisfying(
                                        FrameException.class,
                                        e -> assertThat(e.code().name()).isEqualTo(c.error()));
                    }
                    assertThatThrownBy(() -> decodeInChunks(c.setup(), c.bytes(), 1))
                            .isInstanceOfSatisfying(
                                    FrameException.class,
                                    e -> assertThat(e.code().name()).isEqualTo(c.error()));
                }));
    }

    @TestFactory
    Stream<DynamicTest> sequencesDecodeInOrderOnOneContext() {
        return VECTORS.sequences().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    ByteBuf in = Hex.buffer(c.bytes());
                    try {
                        assertSequence(reader(c.setup()).readAll(in), c.frames());
                    } finally {
                        in.release();
                    }
                    assertSequence(decodeInChunks(c.setup(), c.bytes(), 1), c.frames());
                    for (int cut = 0; cut <= c.bytes().length; cut++) {
                        assertSequence(decodeSplit(c.setup(), c.bytes(), cut), c.frames());
                    }
                }));
    }

    /** A sequence written by our encoder on one context reads back on one context. */
    @TestFactory
    Stream<DynamicTest> sequencesRoundTripThroughTheWriter() {
        return VECTORS.sequences().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    V2FrameWriter writer = writer(c.setup());
                    ByteBuf out = Unpooled.buffer();
                    try {
                        for (Fields f : c.frames()) {
                            writer.write(f.frame(), out);
                        }
                        assertSequence(reader(c.setup()).readAll(out), c.frames());
                    } finally {
                        out.release();
                    }
                }));
    }

    private static void assertSequence(List<Frame> frames, List<Fields> expected) {
        assertThat(frames).hasSameSizeAs(expected);
        for (int i = 0; i < frames.size(); i++) {
            assertFields(frames.get(i), expected.get(i));
        }
    }

    /** Checks and releases {@code frame}. */
    static void assertFields(Frame frame, Fields expected) {
        try {
            assertThat(frame).isEqualTo(expected.frame());
            assertThat(frame.streamId()).isEqualTo(expected.stream());
            assertThat(frame.type().code()).isEqualTo(expected.type());
            assertThat(frame.type().isKnown()).isEqualTo(!FrameType.isIgnorable(expected.type()));
            assertThat(frame.flags().bits()).isEqualTo(expected.flags());
            assertThat(frame.headers().asList()).containsExactlyElementsOf(expected.headers());
            assertThat(frame.payloadBytes()).isEqualTo(expected.payload());
        } finally {
            frame.release();
        }
    }

    static List<Frame> decodeSplit(Setup s, byte[] bytes, int cut) {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(reader(s)));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            ch.finish();
            return drain(ch);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    static List<Frame> decodeInChunks(Setup s, byte[] bytes, int chunk) {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(reader(s)));
        try {
            for (int i = 0; i < bytes.length; i += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            }
            ch.finish();
            return drain(ch);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static List<Frame> drain(EmbeddedChannel ch) {
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = ch.readInbound()) != null; ) {
            frames.add(f);
        }
        return frames;
    }
}
