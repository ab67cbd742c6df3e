package io.vstp.core.codec.v2;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the v2 reader (wire-v2.md §4.2) behind the Netty decoder (ordered transports, one HPACK
 * context) and behind {@link V2Datagrams#decode} (UDP): arbitrary bytes, in arbitrary chunks, must either decode
 * into frames that write and read back to themselves, or fail with a {@link FrameException} — never any other
 * exception, never a hang, never a leak (inputs are tracked pooled buffers; the leak check runs after the class).
 *
 * <p>Regression mode (every {@code mvn test}) replays the committed corpus in
 * {@code src/test/resources/io/vstp/core/codec/v2/V2FrameReaderFuzzTestInputs/}, seeded from the cases of
 * docs/spec/vectors/wire-v2.json; fuzzing mode (the build's {@code fuzz} execution) explores for a fixed number of
 * executions with a fixed seed.
 * The last byte of an input is the configuration: bit 0 integrity none, bit 1 small limits, bit 2 datagram mode,
 * bits 3-7 the chunk size minus one.
 */
class V2FrameReaderFuzzTest {
    private static final V2Limits SMALL = new V2Limits(4096, 512, 1024, 16);

    @FuzzTest(maxDuration = "60s", maxExecutions = 2000)
    void readFrames(FuzzedDataProvider data) {
        int config = data.consumeInt(0, 255);
        Integrity integrity = (config & 1) == 0 ? Integrity.CRC32C : Integrity.NONE;
        V2Limits limits = (config & 2) == 0 ? V2Limits.DEFAULT : SMALL;
        boolean datagram = (config & 4) != 0;
        int chunk = 1 + (config >>> 3);
        byte[] input = data.consumeRemainingAsBytes();
        List<Frame> frames = datagram ? datagram(input, integrity, limits) : stream(input, integrity, limits, chunk);
        try {
            assertRoundTrips(frames, integrity, limits, datagram);
        } finally {
            frames.forEach(Frame::release);
        }
    }

    private static List<Frame> stream(byte[] input, Integrity integrity, V2Limits limits, int chunk) {
        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(4096, limits.maxHeaderListSize(), limits.maxHeaderCount()),
                integrity,
                limits,
                FrameTypeRegistry.V2);
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(reader));
        List<Frame> frames = new ArrayList<>();
        try {
            for (int i = 0; i < input.length; i += chunk) {
                int n = Math.min(chunk, input.length - i);
                ch.writeInbound(PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(input, i, n));
            }
            ch.finish();
        } catch (FrameException e) {
            assertThat(e.code()).isNotNull();
        } finally {
            for (Frame f; (f = ch.readInbound()) != null; ) {
                frames.add(f);
            }
            ch.finishAndReleaseAll();
        }
        return frames;
    }

    private static List<Frame> datagram(byte[] input, Integrity integrity, V2Limits limits) {
        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoderForDatagrams(limits.maxHeaderListSize(), limits.maxHeaderCount()),
                integrity,
                limits,
                FrameTypeRegistry.V2);
        ByteBuf d = PooledByteBufAllocator.DEFAULT
                .directBuffer(input.length + 3)
                .writeBytes(V2Datagrams.MARKER)
                .writeBytes(input);
        try {
            V2Datagrams.Decoded decoded = V2Datagrams.decode(d, reader);
            assertThat(decoded.hasError()).isEqualTo(decoded.error() != null);
            assertThat(d.readerIndex()).isZero();
            assertThat(d.refCnt())
                    .isEqualTo(1
                            + decoded.frames().stream()
                                    .mapToInt(f -> f.payload().isReadable() ? 1 : 0)
                                    .sum());
            return new ArrayList<>(decoded.frames());
        } finally {
            d.release();
        }
    }

    /** The frames, written in order on a fresh context and read back on another, are the same frames. */
    private static void assertRoundTrips(List<Frame> frames, Integrity integrity, V2Limits limits, boolean datagram) {
        V2FrameWriter writer = datagram
                ? V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), integrity, limits.maxFrameSize())
                : new V2FrameWriter(HpackHeaderBlocks.encoder(4096), integrity, limits.maxFrameSize());
        ByteBuf wire = Unpooled.buffer();
        for (Frame f : frames) {
            writer.write(f, wire);
        }
        // Our encoder may choose larger representations than the input had, so read back with generous limits.
        V2Limits loose = V2Limits.DEFAULT.withMaxHeaderListSize(1L << 24).withMaxHeaderCount(1 << 16);
        List<Frame> again = new V2FrameReader(
                        datagram
                                ? HpackHeaderBlocks.decoderForDatagrams(1L << 24, 1 << 16)
                                : HpackHeaderBlocks.decoder(4096, 1L << 24, 1 << 16),
                        integrity,
                        loose,
                        FrameTypeRegistry.V2)
                .readAll(wire);
        try {
            assertThat(again).isEqualTo(frames);
        } finally {
            again.forEach(Frame::release);
        }
    }
}
