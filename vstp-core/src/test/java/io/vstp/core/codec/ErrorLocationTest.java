package io.vstp.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.testing.WireVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where a reader says an error was decided ({@link FrameException#offset()}, {@link FrameException#field()}), for
 * both wire versions: {@code vstp inspect} shows exactly this, so it must point at the deciding byte.
 */
class ErrorLocationTest {
    private static final WireVectors VECTORS = WireVectors.load();

    private static FrameException v1Error(String vector) {
        WireVectors.Invalid v = VECTORS.invalid().stream()
                .filter(c -> c.name().equals(vector))
                .findFirst()
                .orElseThrow();
        ByteBuf in = Unpooled.wrappedBuffer(v.bytes());
        try {
            return catchThrowableOfType(
                    () -> {
                        Frame f;
                        while ((f = new FrameReader(v.limits()).read(in)) != null) {
                            f.release();
                        }
                    },
                    FrameException.class);
        } finally {
            in.release();
        }
    }

    @ParameterizedTest(name = "{0}: {1} at {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "bad-magic-first-byte; BAD_MAGIC; 0; magic, first byte",
                "bad-magic-second-byte; BAD_MAGIC; 1; magic, second byte",
                "version-02-frame; UNSUPPORTED_VERSION; 2; version byte",
                "headers-too-large-prefix; HEADERS_TOO_LARGE; 5; HDR_LEN (u16le)",
                "frame-too-large-default-by-one; FRAME_TOO_LARGE; 7; PAY_LEN (u32be)",
                "crc-mismatch-trailer; CRC_MISMATCH; 11; CRC trailer",
                "unknown-type-09; UNKNOWN_TYPE; 3; type byte",
                "header-overrun-second-entry; HEADER_OVERRUN; 15; header entry 2 (section offset 4)",
                "too-many-headers-limit-2; TOO_MANY_HEADERS; 19; header entry 3 (section offset 8)"
            })
    void v1ErrorsPointAtTheDecidingByte(String vector, ErrorCode code, int offset, String field) {
        FrameException e = v1Error(vector);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.offset()).isEqualTo(offset);
        assertThat(e.field()).isEqualTo(field);
    }

    private static byte[] v2Frame(Integrity integrity) {
        ByteBuf out = new V2FrameWriter(HpackHeaderBlocks.encoder(4096), integrity, 1 << 20)
                .encode(
                        Frame.builder(FrameType.DATA).stream(5)
                                .header("k", "v")
                                .payload("body")
                                .build(),
                        UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            out.release();
        }
    }

    private static FrameException v2Error(byte[] bytes, Integrity integrity, V2Limits limits) {
        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(4096, 65_536, 1024), integrity, limits, FrameTypeRegistry.V2);
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            return catchThrowableOfType(() -> reader.read(in), FrameException.class);
        } finally {
            in.release();
        }
    }

    @Test
    void v2ErrorsPointAtTheDecidingField() {
        byte[] frame = v2Frame(Integrity.CRC32C);
        // LENGTH (1 byte here), TYPE, FLAGS, STREAM, HLEN, header block, payload, trailer
        frame[frame.length - 1] ^= 1;
        FrameException crc = v2Error(frame, Integrity.CRC32C, V2Limits.DEFAULT);
        assertThat(crc.code()).isEqualTo(ErrorCode.CRC_MISMATCH);
        assertThat(crc.offset()).isEqualTo(frame.length - 4);
        assertThat(crc.field()).isEqualTo("CRC32C trailer");

        FrameException tooLarge =
                v2Error(v2Frame(Integrity.NONE), Integrity.NONE, V2Limits.DEFAULT.withMaxFrameSize(8));
        assertThat(tooLarge.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(tooLarge.offset()).isZero();
        assertThat(tooLarge.field()).isEqualTo("LENGTH (varint)");

        FrameException block = v2Error(v2Frame(Integrity.NONE), Integrity.NONE, V2Limits.DEFAULT.withMaxHeaderBlock(1));
        assertThat(block.code()).isEqualTo(ErrorCode.HEADERS_TOO_LARGE);
        assertThat(block.offset())
                .as("HLEN follows LENGTH, TYPE, FLAGS and STREAM, one byte each")
                .isEqualTo(4);
        assertThat(block.field()).isEqualTo("HLEN (varint)");

        byte[] unknown = v2Frame(Integrity.NONE);
        unknown[1] = 0x3e; // a core code nobody defined
        FrameException type = v2Error(unknown, Integrity.NONE, V2Limits.DEFAULT);
        assertThat(type.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(type.offset()).isEqualTo(1);
        assertThat(type.field()).isEqualTo("TYPE (varint)");
    }

    @Test
    void aNonMinimalVarintIsLocatedAtItsField() {
        FrameException length = v2Error(new byte[] {0x40, 0x0a}, Integrity.NONE, V2Limits.DEFAULT);
        assertThat(length.code()).isEqualTo(ErrorCode.NON_MINIMAL_VARINT);
        assertThat(length.offset()).isZero();
        assertThat(length.field()).isEqualTo("LENGTH (varint)");

        // LENGTH 5, TYPE 3 in two bytes, FLAGS, STREAM 5, HLEN 0
        FrameException type =
                v2Error(new byte[] {0x05, 0x40, 0x03, 0x00, 0x05, 0x00}, Integrity.NONE, V2Limits.DEFAULT);
        assertThat(type.code()).isEqualTo(ErrorCode.NON_MINIMAL_VARINT);
        assertThat(type.offset()).isEqualTo(1);
        assertThat(type.field()).isEqualTo("TYPE (varint)");
    }

    @Test
    void errorsWithoutALocationSayTheyHaveNone() {
        FrameException truncated = WireReader.truncated(3);
        assertThat(truncated.code()).isEqualTo(ErrorCode.TRUNCATED);
        assertThat(truncated.offset()).isEqualTo(-1);
        assertThat(truncated.field()).isNull();
    }
}
