package io.vstp.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The allocation-free shortcuts of {@link Header} and {@link HeaderCache} agree with the plain definitions. */
class HeaderProperties {
    @Property(tries = 2000)
    void keyEqualsIsUtf8Equality(
            @ForAll
                    @StringLength(max = 12)
                    @CharRange(from = 'a', to = 'e')
                    @CharRange(from = 0xe0, to = 0xe2)
                    @CharRange(from = 0x4e00, to = 0x4e01)
                    String key,
            @ForAll
                    @StringLength(max = 12)
                    @CharRange(from = 'a', to = 'e')
                    @CharRange(from = 0xe0, to = 0xe2)
                    @CharRange(from = 0x4e00, to = 0x4e01)
                    String probe) {
        Header h = Header.of(key, "v");
        boolean expected = Arrays.equals(key.getBytes(StandardCharsets.UTF_8), probe.getBytes(StandardCharsets.UTF_8));
        assertThat(h.keyEquals(probe)).isEqualTo(expected);
        assertThat(h.keyEquals(key)).isTrue();
    }

    @Property(tries = 1000)
    void cacheAlwaysReturnsTheBytesItWasGiven(
            @ForAll @Size(max = 8) byte[] @Size(max = 40) [] keys, @ForAll @Size(max = 80) byte[] value) {
        HeaderCache cache = new HeaderCache();
        for (int round = 0; round < 2; round++) {
            for (byte[] key : keys) {
                ByteBuf b = Unpooled.buffer().writeByte(0x7f).writeBytes(key).writeBytes(value);
                Header h = cache.get(b, 1, key.length, value.length);
                assertThat(h.key()).isEqualTo(key);
                assertThat(h.value()).isEqualTo(value);
                b.release();
            }
        }
    }
}
