package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class QkdKeyTest {
    @Test
    void toStringShowsIdAndSizeButNeverTheKey() {
        byte[] bytes = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        QkdKey key = new QkdKey("key-1", bytes);

        assertThat(key.toString()).isEqualTo("QkdKey[key-1, 128 bits]");
        assertThat(key.toString().toLowerCase()).doesNotContain("00112233").doesNotContain("ABEiM0RVZneImaq7zN3u/w");
    }

    @Test
    void wipeZeroesTheKeyBytes() {
        byte[] bytes = {1, 2, 3, 4};
        new QkdKey("k", bytes).wipe();

        assertThat(bytes).containsOnly(0);
    }

    @Test
    void equalityComparesIdAndBytes() {
        assertThat(new QkdKey("k", new byte[] {1}))
                .isEqualTo(new QkdKey("k", new byte[] {1}))
                .isNotEqualTo(new QkdKey("k", new byte[] {2}))
                .isNotEqualTo(new QkdKey("j", new byte[] {1}));
    }
}
