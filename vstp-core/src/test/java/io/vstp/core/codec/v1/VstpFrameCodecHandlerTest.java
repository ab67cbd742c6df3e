package io.vstp.core.codec.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.testing.Hex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VstpFrameDecoder} and {@link VstpFrameEncoder} in a real (embedded) Netty pipeline. */
class VstpFrameCodecHandlerTest {
    private static final String HELLO = "565401010000000000000090a29464";
    private static final String BYE = "56540106000000000000009a679d7d";

    @Test
    void decodesManyFramesFromOneRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder());
        ch.writeInbound(Hex.buffer(HELLO + BYE + HELLO));
        assertThat(types(ch)).containsExactly(FrameType.HELLO, FrameType.BYE, FrameType.HELLO);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void firesTheFrameExceptionUnwrappedAndDiscardsTheRestOfTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder());
        assertThatThrownBy(() -> ch.writeInbound(Hex.buffer(HELLO + "5654020100")))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION));
        assertThat(types(ch)).containsExactly(FrameType.HELLO);
        ch.writeInbound(Hex.buffer(HELLO));
        assertThat(types(ch)).as("nothing decodes after a stream error").isEmpty();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void reportsTruncationWhenTheStreamEndsInsideAFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder());
        ch.writeInbound(Hex.buffer(HELLO + HELLO.substring(0, 16)));
        assertThat(types(ch)).containsExactly(FrameType.HELLO);
        assertThatThrownBy(ch::finish)
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRUNCATED));
    }

    @Test
    void encoderAndDecoderRoundTripThroughAPipeline() {
        EmbeddedChannel out = new EmbeddedChannel(new VstpFrameEncoder());
        Frame sent = Frame.builder(FrameType.DATA)
                .header("req-id", "7")
                .payload(new byte[100_000])
                .build();
        Frame expected = sent.retainedDuplicate();
        ChannelFuture written = out.writeOneOutbound(sent);
        out.flushOutbound();
        assertThat(written.isSuccess())
                .as("the frame's promise completes once all its parts are written")
                .isTrue();
        // The encoder released the frame's reference; the 100 kB payload is not copied but held by its part of the
        // encoded frame until the socket has written it.
        assertThat(sent.refCnt())
                .as("encoder released, wire buffer holds the payload")
                .isEqualTo(2);
        // Head, payload and trailer go as separate buffers, none of them a composite: TLS copies a composite it
        // coalesces into records through a new heap buffer.
        java.util.List<ByteBuf> parts = new java.util.ArrayList<>();
        for (ByteBuf part; (part = out.readOutbound()) != null; ) {
            parts.add(part);
        }
        assertThat(parts).hasSize(3).noneMatch(b -> b instanceof io.netty.buffer.CompositeByteBuf);
        assertThat(parts.get(1).readableBytes()).isEqualTo(100_000);
        ByteBuf wire = Unpooled.wrappedBuffer(parts.toArray(ByteBuf[]::new));
        assertThat(wire.readableBytes()).isEqualTo(15 + 2 + 6 + 1 + 100_000);

        EmbeddedChannel in = new EmbeddedChannel(new VstpFrameDecoder());
        in.writeInbound(wire);
        Frame received = in.readInbound();
        assertThat(received).isEqualTo(expected);
        received.release();
        expected.release();
        assertThat(out.finish()).isFalse();
        assertThat(in.finish()).isFalse();
    }

    @Test
    void encoderFailsTheWriteOfAFrameItCannotEncode() {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameEncoder(new FrameWriter(100)));
        Frame tooBig = Frame.builder(FrameType.DATA)
                .payload(Unpooled.buffer(200).writeZero(200))
                .build();
        ChannelFuture f = ch.writeOneOutbound(tooBig);
        ch.flushOutbound();
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause())
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        assertThat(tooBig.refCnt()).as("released despite the failure").isZero();
        assertThat(ch.finish()).isFalse();
    }

    private static List<FrameType> types(EmbeddedChannel ch) {
        List<FrameType> types = new ArrayList<>();
        for (Frame f; (f = ch.readInbound()) != null; ) {
            types.add(f.type());
            f.release();
        }
        return types;
    }
}
