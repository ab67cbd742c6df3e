package io.vstp.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** What the AEAD refuses: a ciphertext shorter than its tag (hostile input), and keys or nonces of the wrong size. */
class ChaCha20Poly1305MisuseTest {
    private static final byte[] KEY = new byte[32];
    private static final byte[] NONCE = new byte[12];

    @Test
    void aCiphertextShorterThanItsTagIsABadTagNotACrash() {
        for (int n = 0; n < ChaCha20Poly1305.TAG_LENGTH; n++) {
            byte[] tooShort = new byte[n];
            assertThatThrownBy(() -> ChaCha20Poly1305.open(KEY, NONCE, new byte[0], tooShort))
                    .as(n + " bytes")
                    .isInstanceOf(AEADBadTagException.class)
                    .hasMessageContaining("shorter than its tag");
            ChaCha20Poly1305.Keyed keyed = new ChaCha20Poly1305.Keyed(KEY);
            assertThatThrownBy(() -> keyed.open(NONCE, new byte[0], tooShort, 0, tooShort.length, new byte[64], 0))
                    .isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    void keysAndNoncesOfTheWrongSizeAreRefused() throws Exception {
        assertThatThrownBy(() -> new ChaCha20Poly1305.Keyed(new byte[16])).hasMessageContaining("key must be 32 bytes");
        ChaCha20Poly1305.Keyed keyed = new ChaCha20Poly1305.Keyed(KEY);
        assertThatThrownBy(() -> keyed.seal(new byte[8], new byte[0], new byte[4], 0, 4, new byte[64], 0))
                .hasMessageContaining("nonce must be 12 bytes");
        byte[] out = new byte[4 + ChaCha20Poly1305.TAG_LENGTH];
        int n = keyed.another().seal(NONCE, new byte[] {1}, new byte[] {1, 2, 3, 4}, 0, 4, out, 0);
        byte[] back = new byte[4];
        assertThat(keyed.open(NONCE, new byte[] {1}, out, 0, n, back, 0)).isEqualTo(4);
        assertThat(back).containsExactly(1, 2, 3, 4);
        out[0] ^= 1;
        // A fresh instance: the JDK refuses to initialise one cipher twice with the same key and nonce.
        assertThatThrownBy(() -> keyed.another().open(NONCE, new byte[] {1}, out, 0, n, back, 0))
                .isInstanceOf(AEADBadTagException.class);
    }
}
