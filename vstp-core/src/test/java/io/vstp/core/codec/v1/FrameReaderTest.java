package io.vstp.core.codec.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.testing.Hex;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    /** Spec §10: empty HELLO. */
    private static final String HELLO = "565401010000000000000090a29464";
    /** Spec §10: DATA, content-type=text/plain, payload "hi". */
    private static final String DATA_HI =
            "5654010300180000000002" + "0c0a636f6e74656e742d74797065746578742f706c61696e" + "686908a9d66f";

    private final FrameReader reader = new FrameReader();

    @Test
    void decodesTheSpecExample() {
        ByteBuf in = Hex.buffer(DATA_HI);
        Frame f = reader.read(in);
        assertThat(f.type()).isEqualTo(FrameType.DATA);
        assertThat(f.headers().value("content-type")).isEqualTo("text/plain");
        assertThat(f.payloadAsString()).isEqualTo("hi");
        assertThat(in.isReadable()).isFalse();
        f.release();
        in.release();
    }

    @Test
    void rejectsBadMagicFromTheFirstByte() {
        ByteBuf in = Hex.buffer("58");
        assertCode(() -> reader.read(in), ErrorCode.BAD_MAGIC);
        assertThat(in.readerIndex()).as("prefix errors consume nothing").isZero();
        in.release();
    }

    @Test
    void rejectsBadSecondMagicByte() {
        ByteBuf in = Hex.buffer("5655");
        assertCode(() -> reader.read(in), ErrorCode.BAD_MAGIC);
        in.release();
    }

    @Test
    void rejectsOtherVersionsBeforeThePrefixIsComplete() {
        ByteBuf in = Hex.buffer("565402");
        assertCode(() -> reader.read(in), ErrorCode.UNSUPPORTED_VERSION);
        in.release();
    }

    @Test
    void waitsWithoutConsumingWhileAFrameIsIncomplete() {
        ByteBuf in = Hex.buffer(DATA_HI.substring(0, 30));
        assertThat(reader.read(in)).isNull();
        assertThat(in.readerIndex()).isZero();
        in.release();
    }

    @Test
    void rejectsAnOversizedFrameFromItsPrefixAlone() {
        // PAY_LEN 0x06000000 = 96 MiB announced; only the 11-byte prefix has arrived.
        ByteBuf in = Hex.buffer("5654010300000006000000");
        assertCode(() -> reader.read(in), ErrorCode.FRAME_TOO_LARGE);
        assertThat(in.readerIndex()).isZero();
        in.release();
    }

    @Test
    void computesTheLargestAnnouncedSizeWithoutOverflow() {
        // HDR_LEN 65535 and PAY_LEN 2^32-1: 15 + 65535 + 4294967295 overflows int but not long.
        FrameReader wide = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(FrameLimits.MAX_FRAME_SIZE));
        ByteBuf in = Hex.buffer("56540103" + "00" + "ffff" + "ffffffff");
        assertCode(() -> wide.read(in), ErrorCode.FRAME_TOO_LARGE);
        in.release();
    }

    @Test
    void acceptsAFrameOfExactlyTheMaximumSize() {
        ByteBuf in = Hex.buffer(HELLO);
        Frame f = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(15)).read(in);
        assertThat(f.type()).isEqualTo(FrameType.HELLO);
        in.release();
    }

    @Test
    void rejectsAHeaderSectionOverTheLimitBeforeItArrives() {
        FrameReader strict = new FrameReader(FrameLimits.DEFAULT.withMaxHeaderSectionSize(16));
        ByteBuf in = Hex.buffer("5654010300" + "1100" + "00000000");
        assertCode(() -> strict.read(in), ErrorCode.HEADERS_TOO_LARGE);
        in.release();
    }

    @Test
    void crcMismatchConsumesTheFrameSoTheNextOneDecodes() {
        String corrupted = HELLO.substring(0, HELLO.length() - 2) + "65";
        ByteBuf in = Hex.buffer(corrupted + HELLO);
        assertCode(() -> reader.read(in), ErrorCode.CRC_MISMATCH);
        assertThat(in.readerIndex()).isEqualTo(15);
        Frame next = reader.read(in);
        assertThat(next.type()).isEqualTo(FrameType.HELLO);
        in.release();
    }

    @Test
    void checksTheCrcWhenTheCrcFlagIsClear() {
        ByteBuf in = Hex.buffer("5654010100000000000000" + "00000000");
        assertCode(() -> reader.read(in), ErrorCode.CRC_MISMATCH);
        in.release();
    }

    @Test
    void rejectsUnknownTypesByDefault() {
        ByteBuf in = Hex.buffer("565401090000000000000043478fd1");
        assertCode(() -> reader.read(in), ErrorCode.UNKNOWN_TYPE);
        assertThat(in.isReadable()).isFalse();
        in.release();
    }

    @Test
    void keepsUnknownTypesWhenAskedTo() {
        FrameReader forwarding = new FrameReader(FrameLimits.DEFAULT, FrameTypeRegistry.V1, true);
        ByteBuf in = Hex.buffer("565401090000000000000043478fd1");
        Frame f = forwarding.read(in);
        assertThat(f.type().code()).isEqualTo(9);
        assertThat(f.type().isKnown()).isFalse();
        assertThat(f.type().name()).isEqualTo("UNKNOWN(0x09)");
        in.release();
    }

    @Test
    void decodesRegisteredExtensionTypes() {
        FrameType stream = FrameType.extension(0x09, "STREAM");
        FrameReader extended = new FrameReader(FrameLimits.DEFAULT, FrameTypeRegistry.V1.with(stream), false);
        ByteBuf in = Hex.buffer("565401090000000000000043478fd1");
        Frame f = extended.read(in);
        assertThat(f.type()).isSameAs(stream);
        assertThat(f.type().kind()).isEqualTo(FrameType.Kind.EXTENSION);
        in.release();
    }

    @Test
    void keepsUndefinedFlagBitsAsReceived() {
        ByteBuf in = Hex.buffer("565401030500000000000080bfbcbe");
        Frame f = reader.read(in);
        assertThat(f.flags().bits()).isEqualTo(0x05);
        assertThat(f.flags().has(Flags.REQ_ACK)).isTrue();
        assertThat(f.flags().undefinedBits()).isEqualTo(0x04);
        in.release();
    }

    @Test
    void rejectsAHeaderEntryRunningIntoThePayload() {
        // Accepted by the crate (entry crosses HDR_LEN into the payload); refused here, spec §7.1 step 8.
        ByteBuf in = Hex.buffer("56540103000200000000020101616" + "2f70ea849");
        assertCode(() -> reader.read(in), ErrorCode.HEADER_OVERRUN);
        assertThat(in.isReadable()).as("the bad frame is consumed").isFalse();
        in.release();
    }

    @Test
    void rejectsMoreHeadersThanTheLimit() {
        Frame three = Frame.builder(FrameType.DATA)
                .header("a", "1")
                .header("b", "2")
                .header("c", "3")
                .build();
        ByteBuf in = Unpooled.buffer();
        new FrameWriter().write(three, in);
        assertCode(
                () -> new FrameReader(FrameLimits.DEFAULT.withMaxHeaderCount(2)).read(in), ErrorCode.TOO_MANY_HEADERS);
    }

    @Test
    void handsOutThePayloadAsARetainedSliceNotACopy() {
        ByteBuf in = Hex.buffer(DATA_HI);
        Frame f = reader.read(in);
        assertThat(in.refCnt()).as("the payload holds a reference to the input").isEqualTo(2);
        in.setByte(11 + 24, 'H');
        assertThat(f.payloadAsString()).as("payload shares the input's memory").isEqualTo("Hi");
        in.setByte(11 + 24, 'h');
        in.release();
        assertThat(f.payloadAsString())
                .as("the payload outlives the caller's reference")
                .isEqualTo("hi");
        f.release();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void headersOutliveTheInputBuffer() {
        ByteBuf in = Hex.buffer(DATA_HI);
        Frame f = reader.read(in);
        f.release();
        in.release();
        assertThat(f.headers().value("content-type")).isEqualTo("text/plain");
    }

    @Test
    void decodesFromACompositeBufferSplitInsideEveryField() {
        byte[] bytes = Hex.decode(DATA_HI);
        CompositeByteBuf in = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        for (int i = 0; i < bytes.length; i += 5) {
            in.addComponent(true, Hex.buffer(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 5))));
        }
        Frame f = reader.read(in);
        assertThat(f.payloadAsString()).isEqualTo("hi");
        f.release();
        in.release();
    }

    @Test
    void readAllReportsAStreamThatEndsInsideAFrame() {
        ByteBuf in = Hex.buffer(HELLO + HELLO.substring(0, 20));
        assertCode(() -> reader.readAll(in), ErrorCode.TRUNCATED);
        in.release();
    }

    @Test
    void frameErrorsAreConnectionScoped() {
        ByteBuf in = Hex.buffer("58");
        assertThatThrownBy(() -> reader.read(in))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.scope()).isEqualTo(VstpException.Scope.CONNECTION));
        in.release();
    }

    static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FrameException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).startsWith(code.name() + ": ");
        });
    }
}
