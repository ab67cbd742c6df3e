package io.vstp.core.codec.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.testing.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** wire-v2.md §2. */
class VarIntTest {
    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "37, 25",
        "63, 3f",
        "64, 4040",
        "15293, 7bbd",
        "16383, 7fff",
        "16384, 80004000",
        "494878333, 9d7f3e7d",
        "1073741823, bfffffff",
        "1073741824, c000000040000000",
        "151288809941952652, c2197c5eff14e88c",
        "4611686018427387903, ffffffffffffffff",
    })
    void writesAndReadsTheShortestForm(long value, String hex) {
        ByteBuf out = Unpooled.buffer();
        VarInt.write(out, value);
        assertThat(Hex.encode(out)).isEqualTo(hex);
        assertThat(VarInt.size(value)).isEqualTo(hex.length() / 2);
        assertThat(VarInt.sizeOfFirstByte(out.getByte(0))).isEqualTo(hex.length() / 2);
        assertThat(VarInt.get(out, 0)).isEqualTo(value);
        assertThat(VarInt.read(out)).isEqualTo(value);
        assertThat(out.isReadable()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "4000", // 0 in two bytes
        "403f", // 63 in two bytes
        "80000000", // 0 in four bytes
        "80003fff", // 16383 in four bytes
        "c000000000000000", // 0 in eight bytes
        "c00000003fffffff", // 2^30 - 1 in eight bytes
    })
    void rejectsEveryNonMinimalLength(String hex) {
        ByteBuf in = Unpooled.wrappedBuffer(Hex.decode(hex));
        assertThatThrownBy(() -> VarInt.get(in, 0))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NON_MINIMAL_VARINT));
        assertThatThrownBy(() -> VarInt.read(in)).isInstanceOf(FrameException.class);
        assertThat(in.readerIndex()).isZero();
    }

    @Test
    void refusesValuesOutsideTheRangeOnWrite() {
        ByteBuf out = Unpooled.buffer();
        assertThatThrownBy(() -> VarInt.write(out, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VarInt.write(out, VarInt.MAX + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VarInt.write(out, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VarInt.size(Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out.writerIndex()).isZero();
    }

    @Test
    void readRefusesAVarintCutShort() {
        assertThatThrownBy(() -> VarInt.read(Unpooled.wrappedBuffer(Hex.decode("80ff"))))
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LENGTH_MISMATCH));
        assertThatThrownBy(() -> VarInt.read(Unpooled.EMPTY_BUFFER)).isInstanceOf(FrameException.class);
    }
}
