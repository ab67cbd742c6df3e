package io.vstp.crypto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.kem.HybridKem;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EncryptedFileProperties {
    private static final HybridKem.KeyPair KEY = HybridKem.generate(new SecureRandom());

    @Property(tries = 60)
    void anyContentRoundTrips(@ForAll @Size(max = 5000) byte[] plain) throws IOException {
        byte[] enc = EncryptedFileTest.encrypt(plain, List.of(new Recipient(KEY.publicKey())));
        assertThat(EncryptedFileTest.decrypt(enc, EncryptedFileTest.holding(KEY)))
                .isEqualTo(plain);
    }

    @Property(tries = 60)
    void anySingleByteChangeIsRefused(
            @ForAll @Size(min = 1, max = 3000) byte[] plain,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int where,
            @ForAll @IntRange(min = 1, max = 255) int xor)
            throws IOException {
        byte[] enc = EncryptedFileTest.encrypt(plain, List.of(new Recipient(KEY.publicKey())));
        enc[where % enc.length] ^= (byte) xor;
        assertThatThrownBy(() -> EncryptedFileTest.decrypt(enc, EncryptedFileTest.holding(KEY)))
                .isInstanceOf(EncryptedFileException.class);
    }
}
