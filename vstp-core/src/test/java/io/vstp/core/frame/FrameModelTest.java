package io.vstp.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameModelTest {
    @Test
    void headersKeepOrderAndDuplicates() {
        Headers h = Headers.of("a", "1", "b", "2", "a", "3");
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.value("a")).isEqualTo("1");
        assertThat(h.all("a")).extracting(Header::valueAsString).containsExactly("1", "3");
        assertThat(h.get(1).keyAsString()).isEqualTo("b");
    }

    @Test
    void headerLookupIsCaseSensitiveAndByteExact() {
        Headers h = Headers.of("Content-Type", "x");
        assertThat(h.value("content-type")).isNull();
        assertThat(h.value("Content-Type")).isEqualTo("x");
    }

    @Test
    void textValueLookupRefusesInvalidUtf8LikeTheCrate() {
        Headers h = Headers.builder()
                .add("k".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff})
                .build();
        assertThat(h.value("k")).isNull();
        assertThat(h.first("k").value()).containsExactly((byte) 0xff);
    }

    @Test
    void headerBytesAreCopiedInAndOut() {
        byte[] key = {'k'};
        Header h = Header.of(key, new byte[] {'v'});
        key[0] = 'x';
        h.key()[0] = 'y';
        assertThat(h.keyAsString()).isEqualTo("k");
    }

    @Test
    void headersBuilderIsSingleUse() {
        Headers.Builder b = Headers.builder().add("a", "b");
        b.build();
        assertThatThrownBy(() -> b.add("c", "d")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void flagsKeepUndefinedBitsAndNameThem() {
        Flags f = Flags.of(0x85);
        assertThat(f.has(Flags.REQ_ACK)).isTrue();
        assertThat(f.undefinedBits()).isEqualTo(0x84);
        assertThat(f.toString()).isEqualTo("REQ_ACK|0x84");
        assertThat(Flags.REQ_ACK.with(Flags.CRC).bits()).isEqualTo(0x03);
        assertThat(Flags.of(0x33).without(Flags.FRAG)).isSameAs(Flags.of(0x23));
        assertThatThrownBy(() -> Flags.of(256)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registryRefusesACodeTakenTwice() {
        assertThat(FrameTypeRegistry.V1.types()).hasSize(8);
        assertThat(FrameTypeRegistry.V1.find(0x03)).isSameAs(FrameType.DATA);
        assertThat(FrameTypeRegistry.V1.find(0x09)).isNull();
        assertThatThrownBy(() -> FrameTypeRegistry.V1.with(FrameType.extension(0x03, "OTHER")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DATA");
        assertThatThrownBy(() -> FrameTypeRegistry.V1.with(FrameType.unknown(0x20)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void v2RegistryAddsWindowUpdateCancelAndAuthAndV1StaysAtEight() {
        assertThat(FrameTypeRegistry.V1.types()).hasSize(8);
        assertThat(FrameTypeRegistry.V1.find(0x0A)).isNull();
        assertThat(FrameTypeRegistry.V1.find(0x0B)).isNull();
        assertThat(FrameTypeRegistry.V2.types())
                .hasSize(11)
                .containsSubsequence(
                        FrameType.HELLO, FrameType.ERR, FrameType.WINDOW_UPDATE, FrameType.CANCEL, FrameType.AUTH);
        assertThat(FrameTypeRegistry.V2.find(0x09)).isSameAs(FrameType.WINDOW_UPDATE);
        assertThat(FrameTypeRegistry.V2.find(0x0A)).isSameAs(FrameType.CANCEL);
        assertThat(FrameTypeRegistry.V2.find(0x0B)).isSameAs(FrameType.AUTH);
        assertThat(FrameTypeRegistry.V2.find(0x0C)).isNull();
    }

    @Test
    void registryHoldsExtensionCodesUpTo0x3FFF() {
        FrameTypeRegistry r = FrameTypeRegistry.V2
                .with(FrameType.extension(0x3FFF, "TOP"))
                .with(FrameType.extension(0x101, "B"))
                .with(FrameType.extension(0x100, "A"))
                .with(FrameType.extension(0x41, "LOW"));
        assertThat(r.find(0x100).name()).isEqualTo("A");
        assertThat(r.find(0x101).name()).isEqualTo("B");
        assertThat(r.find(0x3FFF).name()).isEqualTo("TOP");
        assertThat(r.find(0x41).name()).isEqualTo("LOW");
        assertThat(r.find(0x102)).isNull();
        assertThat(r.find(0x4000)).isNull();
        assertThat(r.find(-1)).isNull();
        assertThat(r.types()).extracting(FrameType::code).isSorted().endsWith(0x100, 0x101, 0x3FFF);
        assertThatThrownBy(() -> r.with(FrameType.extension(0x101, "AGAIN")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("B");
        assertThatThrownBy(() -> FrameType.extension(0x4000, "RESERVED")).isInstanceOf(IllegalArgumentException.class);
        assertThat(FrameType.unknown(0x3FFF).kind()).isEqualTo(FrameType.Kind.UNKNOWN);
    }

    @Test
    void ignorableCodesAreTheOddExtensionCodes() {
        assertThat(FrameType.isIgnorable(0x3F)).isFalse();
        assertThat(FrameType.isIgnorable(0x03)).isFalse();
        assertThat(FrameType.isIgnorable(0x40)).isFalse();
        assertThat(FrameType.isIgnorable(0x41)).isTrue();
        assertThat(FrameType.isIgnorable(0x3FFE)).isFalse();
        assertThat(FrameType.isIgnorable(0x3FFF)).isTrue();
        assertThat(FrameType.isIgnorable(0x4001)).isFalse();
        assertThat(FrameType.isIgnorable(-1)).isFalse();
    }

    @Test
    void registryWithIsACopyNotAMutation() {
        FrameTypeRegistry extended = FrameTypeRegistry.V1.with(FrameType.extension(0x40, "STREAM"));
        assertThat(extended.find(0x40)).isNotNull();
        assertThat(FrameTypeRegistry.V1.find(0x40)).isNull();
    }

    @Test
    void framesAreEqualByContent() {
        Frame a = Frame.builder(FrameType.DATA)
                .flag(Flags.REQ_ACK)
                .header("k", "v")
                .payload("hi")
                .build();
        Frame b = new Frame(
                FrameType.DATA, Flags.REQ_ACK, Headers.of("k", "v"), Unpooled.copiedBuffer(new byte[] {'h', 'i'}));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.replace(Unpooled.EMPTY_BUFFER));
        assertThat(a.toString()).isEqualTo("Frame{DATA, flags=REQ_ACK, headers=1, payload=2 bytes}");
    }

    @Test
    void frameReferenceCountIsThePayloads() {
        Frame f = Frame.builder(FrameType.DATA)
                .payload(Unpooled.buffer(4).writeInt(1))
                .build();
        Frame dup = f.retainedDuplicate();
        assertThat(f.refCnt()).isEqualTo(2);
        dup.release();
        assertThat(f.release()).isTrue();
    }
}
