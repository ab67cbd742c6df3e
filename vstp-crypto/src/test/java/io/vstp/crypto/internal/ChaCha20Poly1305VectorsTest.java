package io.vstp.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.testing.VectorFile;
import io.vstp.crypto.testing.VectorFile.Values;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ChaCha20Poly1305} against RFC 8439: the AEAD example of §2.8.2 and the decryption of Appendix A.5. */
class ChaCha20Poly1305VectorsTest {
    private static final VectorFile RFC_8439 = VectorFile.load("rfc8439-chacha20poly1305.json");

    static List<Values> cases() {
        return RFC_8439.cases("cases");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sealGivesTheCiphertextFollowedByTheTag(Values v) {
        byte[] sealed = ChaCha20Poly1305.seal(v.hex("key"), v.hex("nonce"), v.hex("aad"), v.hex("plaintext"));
        assertThat(sealed).isEqualTo(sealedBytes(v));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void openGivesThePlaintext(Values v) throws AEADBadTagException {
        assertThat(ChaCha20Poly1305.open(v.hex("key"), v.hex("nonce"), v.hex("aad"), sealedBytes(v)))
                .isEqualTo(v.hex("plaintext"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void offsetsSelectTheSameBytes(Values v) throws AEADBadTagException {
        // The offset/length overloads are what chunked file encryption calls; padding on both sides of the slice
        // must not leak into the cipher.
        byte[] plaintext = v.hex("plaintext");
        byte[] sealed = sealedBytes(v);
        assertThat(ChaCha20Poly1305.seal(
                        v.hex("key"), v.hex("nonce"), v.hex("aad"), padded(plaintext), 3, plaintext.length))
                .isEqualTo(sealed);
        assertThat(ChaCha20Poly1305.open(v.hex("key"), v.hex("nonce"), v.hex("aad"), padded(sealed), 3, sealed.length))
                .isEqualTo(plaintext);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aKeyedCipherReusedAcrossNoncesGivesTheSameBytes(Values v) throws AEADBadTagException {
        // The chunked file format keeps one cipher per key: the vector must hold after it sealed something else.
        ChaCha20Poly1305.Keyed keyed = new ChaCha20Poly1305.Keyed(v.hex("key"));
        byte[] otherNonce = v.hex("nonce");
        otherNonce[0] ^= 1;
        byte[] scratch = new byte[64];
        keyed.seal(otherNonce, new byte[0], new byte[8], 0, 8, scratch, 0);
        byte[] plaintext = v.hex("plaintext");
        byte[] sealed = new byte[plaintext.length + ChaCha20Poly1305.TAG_LENGTH];
        assertThat(keyed.seal(v.hex("nonce"), v.hex("aad"), plaintext, 0, plaintext.length, sealed, 0))
                .isEqualTo(sealed.length);
        assertThat(sealed).isEqualTo(sealedBytes(v));
        byte[] opened = new byte[plaintext.length];
        assertThat(keyed.another().open(v.hex("nonce"), v.hex("aad"), sealed, 0, sealed.length, opened, 0))
                .isEqualTo(plaintext.length);
        assertThat(opened).isEqualTo(plaintext);
        sealed[0] ^= 1;
        assertThatThrownBy(() -> new ChaCha20Poly1305.Keyed(v.hex("key"))
                        .open(v.hex("nonce"), v.hex("aad"), sealed, 0, sealed.length, opened, 0))
                .isInstanceOf(AEADBadTagException.class);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyFlippedTagBitIsRefused(Values v) {
        byte[] sealed = sealedBytes(v);
        int tagStart = sealed.length - ChaCha20Poly1305.TAG_LENGTH;
        for (int bit = 0; bit < ChaCha20Poly1305.TAG_LENGTH * 8; bit++) {
            byte[] forged = sealed.clone();
            forged[tagStart + bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> ChaCha20Poly1305.open(v.hex("key"), v.hex("nonce"), v.hex("aad"), forged))
                    .as("tag bit %d", bit)
                    .isInstanceOf(AEADBadTagException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aFlippedCiphertextOrAssociatedDataBitIsRefused(Values v) {
        byte[] ciphertext = sealedBytes(v);
        ciphertext[0] ^= 1;
        assertThatThrownBy(() -> ChaCha20Poly1305.open(v.hex("key"), v.hex("nonce"), v.hex("aad"), ciphertext))
                .isInstanceOf(AEADBadTagException.class);
        byte[] aad = v.hex("aad");
        aad[aad.length - 1] ^= (byte) 0x80;
        assertThatThrownBy(() -> ChaCha20Poly1305.open(v.hex("key"), v.hex("nonce"), aad, sealedBytes(v)))
                .isInstanceOf(AEADBadTagException.class);
    }

    private static byte[] sealedBytes(Values v) {
        byte[] ciphertext = v.hex("ciphertext");
        byte[] tag = v.hex("tag");
        byte[] out = Arrays.copyOf(ciphertext, ciphertext.length + tag.length);
        System.arraycopy(tag, 0, out, ciphertext.length, tag.length);
        return out;
    }

    /** {@code bytes} with 3 bytes of 0xAA before and 5 after. */
    private static byte[] padded(byte[] bytes) {
        byte[] out = new byte[bytes.length + 8];
        Arrays.fill(out, (byte) 0xAA);
        System.arraycopy(bytes, 0, out, 3, bytes.length);
        return out;
    }
}
