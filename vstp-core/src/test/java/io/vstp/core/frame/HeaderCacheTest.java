package io.vstp.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderCacheTest {
    private static ByteBuf entry(String key, String value) {
        // Two junk bytes first, so indexes are not 0.
        return Unpooled.buffer()
                .writeShort(0xFFFF)
                .writeBytes(key.getBytes(StandardCharsets.UTF_8))
                .writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    private static Header read(HeaderCache cache, ByteBuf b, int keyLength) {
        return cache.get(b, 2, keyLength, b.writerIndex() - 2 - keyLength);
    }

    @Test
    void repeatedEntryIsTheSameInstanceWithTheSameContent() {
        HeaderCache cache = new HeaderCache();
        Header first = read(cache, entry("content-type", "text/plain"), 12);
        Header second = read(cache, entry("content-type", "text/plain"), 12);
        assertThat(second).isSameAs(first);
        assertThat(second.keyAsString()).isEqualTo("content-type");
        assertThat(second.valueAsString()).isEqualTo("text/plain");
    }

    @Test
    void sameBytesSplitDifferentlyAreDifferentHeaders() {
        HeaderCache cache = new HeaderCache();
        Header ab = read(cache, entry("ab", "c"), 2);
        Header a = read(cache, entry("a", "bc"), 1);
        assertThat(a).isNotSameAs(ab);
        assertThat(a.keyAsString()).isEqualTo("a");
        assertThat(a.valueAsString()).isEqualTo("bc");
        assertThat(read(cache, entry("ab", "c"), 2).valueAsString()).isEqualTo("c");
    }

    @Test
    void everyDistinctEntryDecodesToItsOwnContentEvenWhenSlotsCollide() {
        HeaderCache cache = new HeaderCache();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5 * HeaderCache.SLOTS; i++) {
                Header h = read(cache, entry("req-id", Integer.toString(i)), 6);
                assertThat(h.keyAsString()).isEqualTo("req-id");
                assertThat(h.valueAsString()).isEqualTo(Integer.toString(i));
            }
        }
    }

    @Test
    void entriesLongerThanTheBoundAreCopiedNotCached() {
        HeaderCache cache = new HeaderCache();
        String big = "v".repeat(HeaderCache.MAX_ENTRY_BYTES);
        Header first = read(cache, entry("k", big), 1);
        Header second = read(cache, entry("k", big), 1);
        assertThat(second).isNotSameAs(first).isEqualTo(first);
    }

    @Test
    void firstMatchesAsciiAndNonAsciiKeysWithoutConfusingThem() {
        Headers h = Headers.of("req-id", "1", "clé", "2", "cle", "3");
        assertThat(h.value("req-id")).isEqualTo("1");
        assertThat(h.value("clé")).isEqualTo("2");
        assertThat(h.value("cle")).isEqualTo("3");
        assertThat(h.value("req-i")).isNull();
        assertThat(h.value("req-idx")).isNull();
        assertThat(h.all("cle")).hasSize(1);
    }
}
