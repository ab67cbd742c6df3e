package io.vstp.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.e2e.DecryptingInputStream;
import io.vstp.crypto.e2e.EncryptingOutputStream;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.internal.ChaCha20Poly1305;
import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.keys.KeyRing;
import io.vstp.crypto.sign.Manifest;
import io.vstp.crypto.sign.SignatureAlgorithm;
import io.vstp.crypto.sign.SignedManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a FIPS JVM the library itself refuses what runs outside the FIPS module, before any key material is made or
 * read, whoever calls it: an application, not only the {@code vstp} command.
 */
class FipsRefusalsTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;

    @AfterEach
    void leaveFipsMode() {
        System.clearProperty(FipsRefusals.PROPERTY);
    }

    @Test
    void itIsTheSameSwitchAsTheTransports() {
        assertThat(FipsRefusals.PROPERTY).isEqualTo(io.vstp.transport.fips.FipsMode.PROPERTY);
    }

    @Test
    void encryptionDecryptionSignaturesAndTheKeyRingAreRefusedInFipsModeOnly() throws Exception {
        HybridKem.KeyPair bob = HybridKem.generate(RANDOM);
        List<Recipient> to = List.of(new Recipient(bob.publicKey()));
        SignatureAlgorithm ed = SignatureAlgorithm.values()[0];
        byte[] priv = ed.generatePrivateKey(RANDOM);
        byte[] pub = ed.publicKeyOf(priv);
        Manifest manifest =
                new Manifest("f", 1, "00".repeat(32), false, Instant.parse("2026-12-07T00:00:00Z"), KeyId.of(pub), ed);
        SignedManifest signed = SignedManifest.sign(manifest, priv, RANDOM);
        ByteArrayOutputStream ciphertext = new ByteArrayOutputStream();
        new EncryptingOutputStream(ciphertext, to, RANDOM).close();

        System.setProperty(FipsRefusals.PROPERTY, "true");
        assertThatThrownBy(() -> new EncryptingOutputStream(new ByteArrayOutputStream(), to, RANDOM))
                .isInstanceOf(RefusedInFipsModeException.class)
                .hasMessageContaining("end-to-end encryption");
        assertThatThrownBy(() -> new DecryptingInputStream(
                        new ByteArrayInputStream(ciphertext.toByteArray()),
                        id -> bob.privateKey().clone()))
                .isInstanceOf(RefusedInFipsModeException.class)
                .hasMessageContaining("end-to-end decryption");
        assertThatThrownBy(() -> SignedManifest.sign(manifest, priv, RANDOM))
                .isInstanceOf(RefusedInFipsModeException.class)
                .hasMessageContaining("signing a manifest");
        assertThatThrownBy(() -> signed.verify(pub))
                .isInstanceOf(RefusedInFipsModeException.class)
                .hasMessageContaining("checking a signature");
        assertThatThrownBy(() -> KeyRing.open(tmp.resolve("ring.p12"), "pass".toCharArray()))
                .isInstanceOf(RefusedInFipsModeException.class)
                .hasMessageContaining("key ring");
        assertThat(tmp.resolve("ring.p12"))
                .as("refused before anything is made")
                .doesNotExist();
        // The building blocks too, for a program that uses them directly.
        assertThatThrownBy(() -> HybridKem.generate(RANDOM)).isInstanceOf(RefusedInFipsModeException.class);
        assertThatThrownBy(() -> HybridKem.encapsulate(bob.publicKey(), new byte[0], RANDOM))
                .isInstanceOf(RefusedInFipsModeException.class);
        assertThatThrownBy(() -> ed.sign(priv, new byte[1], RANDOM)).isInstanceOf(RefusedInFipsModeException.class);
        assertThatThrownBy(() -> ed.generatePrivateKey(RANDOM)).isInstanceOf(RefusedInFipsModeException.class);
        assertThatThrownBy(() -> ChaCha20Poly1305.seal(new byte[32], new byte[12], new byte[0], new byte[1]))
                .isInstanceOf(RefusedInFipsModeException.class);

        System.clearProperty(FipsRefusals.PROPERTY);
        assertThat(signed.verify(pub)).isTrue();
        KeyRing.open(tmp.resolve("ring.p12"), "pass".toCharArray());
    }
}
