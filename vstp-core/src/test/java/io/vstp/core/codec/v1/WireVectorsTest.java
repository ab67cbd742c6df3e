package io.vstp.core.codec.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.testing.Hex;
import io.vstp.core.testing.WireVectors;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every case of docs/spec/vectors/wire-v1.json (spec §11) through the reader, writer and Netty decoder. */
class WireVectorsTest {
    private static final WireVectors VECTORS = WireVectors.load();

    @Test
    void fileHoldsTheRequiredCases() {
        assertThat(VECTORS.valid()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(VECTORS.invalid()).hasSizeGreaterThanOrEqualTo(15);
        Set<String> names = new HashSet<>();
        VECTORS.valid()
                .forEach(c -> assertThat(names.add(c.name()))
                        .as("unique name %s", c.name())
                        .isTrue());
        VECTORS.invalid()
                .forEach(c -> assertThat(names.add(c.name()))
                        .as("unique name %s", c.name())
                        .isTrue());
        Set<Integer> types = new HashSet<>();
        VECTORS.valid().forEach(c -> types.add(c.type()));
        assertThat(types).containsAll(List.of(1, 2, 3, 4, 5, 6, 7, 8));
    }

    @TestFactory
    Stream<DynamicTest> validCasesDecodeToTheirFields() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    ByteBuf in = Hex.buffer(c.bytes());
                    try {
                        List<Frame> frames = new FrameReader(c.limits()).readAll(in);
                        assertThat(frames).hasSize(1);
                        Frame frame = frames.get(0);
                        try {
                            assertThat(frame).isEqualTo(c.frame());
                            assertThat(frame.type().code()).isEqualTo(c.type());
                            assertThat(frame.flags().bits()).isEqualTo(c.flags());
                            assertThat(frame.headers().asList()).containsExactlyElementsOf(c.headers());
                            assertThat(frame.payloadBytes()).isEqualTo(c.payload());
                        } finally {
                            frame.release();
                        }
                    } finally {
                        in.release();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> validCasesEncodeToTheirBytes() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    FrameWriter writer = new FrameWriter(c.limits().maxFrameSize());
                    Frame frame = c.frame();
                    ByteBuf out = Unpooled.buffer();
                    assertThat(writer.encodedSize(frame)).isEqualTo(c.bytes().length);
                    assertThat(writer.write(frame, out)).isEqualTo(c.bytes().length);
                    assertThat(Hex.encode(out)).isEqualTo(Hex.encode(c.bytes()));
                }));
    }

    /** The zero-copy encoding (a composite holding the payload by reference) gives the same bytes. */
    @TestFactory
    Stream<DynamicTest> validCasesEncodeWithoutCopyingThePayload() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    Frame frame = c.frame();
                    ByteBuf out = new FrameWriter(c.limits().maxFrameSize())
                            .encode(frame, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
                    try {
                        assertThat(Hex.encode(out)).isEqualTo(Hex.encode(c.bytes()));
                        if (frame.payload().isReadable()) {
                            assertThat(frame.payload().refCnt())
                                    .as("payload retained by the composite")
                                    .isEqualTo(2);
                        }
                    } finally {
                        out.release();
                    }
                    assertThat(frame.payload().refCnt()).isEqualTo(1);
                }));
    }

    /** Byte-at-a-time delivery: every possible split point of every valid frame at once. */
    @TestFactory
    Stream<DynamicTest> validCasesDecodeOneByteAtATime() {
        return VECTORS.valid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(new FrameReader(c.limits())));
                    for (byte b : c.bytes()) {
                        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                    }
                    assertThat(ch.finish()).isTrue();
                    Frame frame = ch.readInbound();
                    try {
                        assertThat(frame).isEqualTo(c.frame());
                    } finally {
                        frame.release();
                    }
                    assertThat((Object) ch.readInbound()).isNull();
                }));
    }

    @TestFactory
    Stream<DynamicTest> invalidCasesFailWithTheirCode() {
        return VECTORS.invalid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    ByteBuf in = Hex.buffer(c.bytes());
                    try {
                        assertThatThrownBy(() -> new FrameReader(c.limits()).readAll(in))
                                .isInstanceOfSatisfying(
                                        FrameException.class,
                                        e -> assertThat(e.code().name()).isEqualTo(c.error()));
                    } finally {
                        in.release();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> invalidCasesFailTheNettyDecoder() {
        return VECTORS.invalid().stream()
                .map(c -> dynamicTest(c.name(), () -> {
                    EmbeddedChannel ch = new EmbeddedChannel(
                            new VstpFrameDecoder(new FrameReader(c.limits(), FrameTypeRegistry.V1, false)));
                    assertThatThrownBy(() -> {
                                ch.writeInbound(Hex.buffer(c.bytes()));
                                ch.finish();
                            })
                            .isInstanceOfSatisfying(
                                    FrameException.class,
                                    e -> assertThat(e.code().name()).isEqualTo(c.error()));
                    ch.finishAndReleaseAll();
                }));
    }
}
