package io.vstp.crypto.kem;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the hybrid KEM over one recipient key and one encapsulation to it. */
class HybridKemProperties {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] NO_EXTRA = new byte[0];
    private static final HybridKem.KeyPair RECIPIENT = HybridKem.generate(RANDOM);
    private static final HybridKem.Encapsulated SENT = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);

    @Property(tries = 300)
    void anyFlippedBitOfTheEncapsulationChangesTheSecret(
            @ForAll @IntRange(min = 0, max = HybridKem.ENCAPSULATION_LENGTH * 8 - 1) int bit) {
        byte[] tampered = HybridKemTest.flip(SENT.encapsulation(), bit);

        // A flip in the X25519 part could in principle land on a small-order value, which is refused; any other
        // outcome must be a secret unrelated to the one sent.
        byte[] received;
        try {
            received = HybridKem.decapsulate(RECIPIENT.privateKey(), tampered, NO_EXTRA);
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageContaining("small order");
            return;
        }
        assertThat(received).isNotEqualTo(SENT.sharedSecret());
    }

    @Property(tries = 100)
    void anyExtraKeyingMaterialIsAgreedAndBound(@ForAll @Size(max = 64) byte[] extra) {
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), extra, RANDOM);

        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), sent.encapsulation(), extra))
                .isEqualTo(sent.sharedSecret());
        // One byte more is other keying material, hence another secret.
        byte[] longer = HybridKem.concat(extra, new byte[] {0});
        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), sent.encapsulation(), longer))
                .isNotEqualTo(sent.sharedSecret());
    }
}
