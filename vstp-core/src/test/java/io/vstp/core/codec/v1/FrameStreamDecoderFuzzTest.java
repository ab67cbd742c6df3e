package io.vstp.core.codec.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameTypeRegistry;

/**
 * Coverage-guided fuzzing of the stream decoder (spec §7): arbitrary bytes, split into arbitrary chunks, must
 * either decode into frames that re-encode and decode to themselves, or fail with a {@link FrameException} — never
 * any other exception, never a hang, never a leak.
 *
 * <p>Regression mode (every {@code mvn test}) replays the committed corpus in
 * {@code src/test/resources/io/vstp/core/codec/v1/FrameStreamDecoderFuzzTestInputs/}; fuzzing mode (the build's
 * {@code fuzz} execution, {@code JAZZER_FUZZ=1}) explores for a fixed number of executions with a fixed seed. The last
 * byte of an input chooses the limits and the chunking, the rest is the stream.
 */
class FrameStreamDecoderFuzzTest {
    private static final FrameLimits SMALL = new FrameLimits(4096, 512, 16);

    @FuzzTest(maxDuration = "60s", maxExecutions = 1500)
    void streamDecoder(FuzzedDataProvider data) {
        int config = data.consumeInt(0, 255);
        FrameLimits limits = (config & 1) == 0 ? FrameLimits.DEFAULT : SMALL;
        boolean keepUnknown = (config & 2) != 0;
        int chunk = 1 + (config >>> 2);
        byte[] stream = data.consumeRemainingAsBytes();

        EmbeddedChannel ch =
                new EmbeddedChannel(new VstpFrameDecoder(new FrameReader(limits, FrameTypeRegistry.V1, keepUnknown)));
        try {
            for (int i = 0; i < stream.length; i += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(chunk, stream.length - i)));
            }
            ch.finish();
        } catch (FrameException e) {
            assertThat(e.code()).isNotNull();
        } finally {
            for (Frame f; (f = ch.readInbound()) != null; ) {
                try {
                    assertRoundTrips(f, limits, keepUnknown);
                } finally {
                    f.release();
                }
            }
            ch.finishAndReleaseAll();
        }
    }

    private static void assertRoundTrips(Frame frame, FrameLimits limits, boolean keepUnknown) {
        ByteBuf wire = Unpooled.buffer();
        new FrameWriter(limits.maxFrameSize()).write(frame, wire);
        Frame again = new FrameReader(limits, FrameTypeRegistry.V1, keepUnknown).read(wire);
        try {
            assertThat(again).isEqualTo(frame);
        } finally {
            again.release();
        }
    }
}
