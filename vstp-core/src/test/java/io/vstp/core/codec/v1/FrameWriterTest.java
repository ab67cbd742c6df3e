package io.vstp.core.codec.v1;

import static io.vstp.core.codec.v1.FrameReaderTest.assertCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.Hex;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameWriterTest {
    private final FrameWriter writer = new FrameWriter();

    @Test
    void writesTheSpecExample() {
        Frame f = Frame.builder(FrameType.DATA)
                .header("content-type", "text/plain")
                .payload("hi")
                .build();
        ByteBuf out = Unpooled.buffer();
        writer.write(f, out);
        assertThat(Hex.encode(out))
                .isEqualTo(
                        "5654010300180000000002" + "0c0a636f6e74656e742d74797065746578742f706c61696e" + "686908a9d66f");
    }

    @Test
    void appendsAtTheWriterIndexLeavingEarlierBytesAlone() {
        ByteBuf out = Unpooled.buffer().writeBytes(new byte[] {1, 2, 3});
        int n = writer.write(Frame.of(FrameType.BYE), out);
        assertThat(n).isEqualTo(15);
        assertThat(Hex.encode(out)).isEqualTo("010203" + "56540106000000000000009a679d7d");
    }

    @Test
    void leavesThePayloadIndexesAndReferenceAlone() {
        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {9, 8, 7, 6});
        payload.readByte();
        Frame f = Frame.builder(FrameType.DATA).payload(payload).build();
        writer.write(f, Unpooled.buffer());
        assertThat(payload.readerIndex()).isEqualTo(1);
        assertThat(f.refCnt()).isEqualTo(1);
    }

    @Test
    void acceptsTheLargestKeyAndValue() {
        byte[] max = new byte[255];
        Arrays.fill(max, (byte) 'k');
        Frame f = Frame.builder(FrameType.DATA).header(max, max).build();
        assertThat(writer.encodedSize(f)).isEqualTo(15 + 2 + 255 + 255);
    }

    @Test
    void refusesATypeCodeAbove0xFFAndWritesNothing() {
        Frame f = Frame.of(FrameType.extension(0x100, "V2_ONLY"));
        ByteBuf out = Unpooled.buffer();
        assertCode(() -> writer.write(f, out), ErrorCode.UNKNOWN_TYPE);
        assertCode(() -> writer.encode(f, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT), ErrorCode.UNKNOWN_TYPE);
        assertThat(out.writerIndex()).isZero();
        // 0xFF itself still fits.
        assertThat(writer.write(Frame.of(FrameType.extension(0xFF, "LAST_BYTE")), out))
                .isEqualTo(15);
    }

    @Test
    void refusesAKeyOver255BytesAndWritesNothing() {
        Frame f =
                Frame.builder(FrameType.DATA).header(new byte[256], new byte[0]).build();
        ByteBuf out = Unpooled.buffer();
        assertCode(() -> writer.write(f, out), ErrorCode.HEADER_ENTRY_TOO_LONG);
        assertThat(out.writerIndex()).isZero();
    }

    @Test
    void refusesAValueOver255Bytes() {
        Frame f =
                Frame.builder(FrameType.DATA).header(new byte[0], new byte[256]).build();
        assertCode(() -> writer.encodedSize(f), ErrorCode.HEADER_ENTRY_TOO_LONG);
    }

    @Test
    void refusesAHeaderSectionThatWouldWrapHdrLen() {
        // 129 entries of 255/255 = 66048 bytes: the crate would write HDR_LEN 512 and a corrupt frame.
        Headers.Builder b = Headers.builder();
        for (int i = 0; i < 129; i++) {
            b.add(new byte[255], new byte[255]);
        }
        Frame f = Frame.builder(FrameType.DATA).headers(b.build()).build();
        assertCode(() -> writer.encodedSize(f), ErrorCode.HEADERS_TOO_LARGE);
    }

    @Test
    void acceptsAHeaderSectionOfExactly65535Bytes() {
        Headers.Builder exact = Headers.builder();
        for (int i = 0; i < 127; i++) {
            exact.add(new byte[255], new byte[255]); // 127 * 512 = 65024
        }
        exact.add(new byte[255], new byte[254]); // + 511 = 65535
        Frame f = Frame.builder(FrameType.DATA).headers(exact.build()).build();
        assertThat(writer.encodedSize(f)).isEqualTo(15 + 65535);
    }

    @Test
    void refusesAFrameOverTheWritersLimit() {
        FrameWriter small = new FrameWriter(20);
        Frame fits = Frame.builder(FrameType.DATA).payload(new byte[5]).build();
        Frame tooBig = Frame.builder(FrameType.DATA).payload(new byte[6]).build();
        assertThat(small.encodedSize(fits)).isEqualTo(20);
        assertCode(() -> small.encodedSize(tooBig), ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void writesFlagsAndTypeAsGiven() {
        Frame f = Frame.builder(FrameType.DATA)
                .flags(Flags.REQ_ACK.with(Flags.CRC))
                .header("test", "value")
                .payload("payload")
                .build();
        ByteBuf out = Unpooled.buffer();
        writer.write(f, out);
        assertThat(Hex.encode(out))
                .isEqualTo(
                        "5654010303" + "0b00" + "00000007" + "04057465737476616c7565" + "7061796c6f6164" + "76823172");
    }
}
