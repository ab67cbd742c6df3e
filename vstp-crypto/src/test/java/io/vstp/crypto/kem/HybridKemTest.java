package io.vstp.crypto.kem;

import static io.vstp.crypto.kem.HybridKem.ENCAPSULATION_LENGTH;
import static io.vstp.crypto.kem.HybridKem.PRIVATE_KEY_LENGTH;
import static io.vstp.crypto.kem.HybridKem.PUBLIC_KEY_LENGTH;
import static io.vstp.crypto.kem.HybridKem.SHARED_SECRET_LENGTH;
import static io.vstp.crypto.kem.HybridKem.X25519_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The X25519 + ML-KEM-768 hybrid KEM: agreement, binding of every input, refusal of malformed ones. */
class HybridKemTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] NO_EXTRA = new byte[0];
    private static final HybridKem.KeyPair RECIPIENT = HybridKem.generate(RANDOM);

    /**
     * X25519 u-coordinates of small order, and their non-canonical encodings p-1, p, p+1: with any clamped scalar
     * the shared value is all zeros (RFC 7748 §6.1). The list is the one of cr.yp.to/ecdh.html as kept in
     * libsodium's {@code has_small_order} block list (u = 0, 1, two points of order 8, p-1, p, p+1).
     */
    static List<String> smallOrderPoints() {
        return List.of(
                "0000000000000000000000000000000000000000000000000000000000000000",
                "0100000000000000000000000000000000000000000000000000000000000000",
                "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
                "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    }

    @Test
    void bothSidesAgreeOnA32ByteSecret() {
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);

        byte[] received = HybridKem.decapsulate(RECIPIENT.privateKey(), sent.encapsulation(), NO_EXTRA);

        assertThat(sent.sharedSecret()).hasSize(SHARED_SECRET_LENGTH).isEqualTo(received);
        assertThat(sent.encapsulation()).hasSize(ENCAPSULATION_LENGTH);
        assertThat(RECIPIENT.publicKey()).hasSize(PUBLIC_KEY_LENGTH);
        assertThat(RECIPIENT.privateKey()).hasSize(PRIVATE_KEY_LENGTH);
    }

    @Test
    void eachEncapsulationIsFresh() {
        HybridKem.Encapsulated a = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);
        HybridKem.Encapsulated b = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);

        assertThat(a.encapsulation()).isNotEqualTo(b.encapsulation());
        assertThat(a.sharedSecret()).isNotEqualTo(b.sharedSecret());
    }

    @Test
    void thePublicKeyFollowsFromThePrivateKey() {
        assertThat(HybridKem.publicKeyOf(RECIPIENT.privateKey())).isEqualTo(RECIPIENT.publicKey());
    }

    @Test
    void extraKeyingMaterialChangesTheSecretAndMustMatchOnBothSides() {
        byte[] extra = "a QKD key, say".getBytes(StandardCharsets.US_ASCII);
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), extra, RANDOM);
        byte[] encapsulation = sent.encapsulation();

        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), encapsulation, extra))
                .isEqualTo(sent.sharedSecret());
        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), encapsulation, NO_EXTRA))
                .isNotEqualTo(sent.sharedSecret());
        byte[] otherExtra = extra.clone();
        otherExtra[0] ^= 1;
        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), encapsulation, otherExtra))
                .isNotEqualTo(sent.sharedSecret());
    }

    @Test
    void anotherRecipientGetsAnotherSecret() {
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);
        HybridKem.KeyPair other = HybridKem.generate(RANDOM);

        // No error: ML-KEM's implicit rejection answers the wrong key with an unrelated secret.
        assertThat(HybridKem.decapsulate(other.privateKey(), sent.encapsulation(), NO_EXTRA))
                .hasSize(SHARED_SECRET_LENGTH)
                .isNotEqualTo(sent.sharedSecret());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 254, 255, 256, ENCAPSULATION_LENGTH * 8 - 1})
    void aFlippedBitOfTheEncapsulationGivesAnotherSecret(int bit) {
        // Bits 0-255 are the ephemeral X25519 value (255 is the top bit X25519 ignores: the info label still binds
        // the bytes as sent); bits 256 on are the ML-KEM ciphertext. HybridKemProperties tries random bits.
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);

        byte[] tampered = flip(sent.encapsulation(), bit);

        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), tampered, NO_EXTRA))
                .isNotEqualTo(sent.sharedSecret());
    }

    @ParameterizedTest
    @MethodSource("smallOrderPoints")
    void aSmallOrderEphemeralValueIsRefused(String point) {
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM);
        byte[] forged = sent.encapsulation();
        System.arraycopy(HexFormat.of().parseHex(point), 0, forged, 0, X25519_LENGTH);

        assertThatThrownBy(() -> HybridKem.decapsulate(RECIPIENT.privateKey(), forged, NO_EXTRA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("small order");
    }

    @ParameterizedTest
    @MethodSource("smallOrderPoints")
    void aRecipientKeyWithASmallOrderX25519PartIsRefused(String point) {
        byte[] forged = RECIPIENT.publicKey().clone();
        System.arraycopy(HexFormat.of().parseHex(point), 0, forged, 0, X25519_LENGTH);

        assertThatThrownBy(() -> HybridKem.encapsulate(forged, NO_EXTRA, RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("small order");
    }

    @Test
    void aRecipientKeyFailingTheMlKemModulusCheckIsRefused() {
        // FIPS 203 §7.2: every 12-bit coefficient of ek must be below q = 3329. Set the first one to 4095.
        byte[] forged = RECIPIENT.publicKey().clone();
        forged[X25519_LENGTH] = (byte) 0xff;
        forged[X25519_LENGTH + 1] |= 0x0f;

        assertThatThrownBy(() -> HybridKem.encapsulate(forged, NO_EXTRA, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongLengthsAreRefused() {
        byte[] encapsulation =
                HybridKem.encapsulate(RECIPIENT.publicKey(), NO_EXTRA, RANDOM).encapsulation();
        for (int delta : new int[] {-1, 1}) {
            byte[] publicKey = Arrays.copyOf(RECIPIENT.publicKey(), PUBLIC_KEY_LENGTH + delta);
            byte[] privateKey = Arrays.copyOf(RECIPIENT.privateKey(), PRIVATE_KEY_LENGTH + delta);
            byte[] badEncapsulation = Arrays.copyOf(encapsulation, ENCAPSULATION_LENGTH + delta);

            assertThatThrownBy(() -> HybridKem.publicKeyOf(privateKey)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HybridKem.encapsulate(publicKey, NO_EXTRA, RANDOM))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HybridKem.decapsulate(privateKey, encapsulation, NO_EXTRA))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HybridKem.decapsulate(RECIPIENT.privateKey(), badEncapsulation, NO_EXTRA))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> HybridKem.publicKeyOf(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HybridKem.encapsulate(null, NO_EXTRA, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HybridKem.decapsulate(RECIPIENT.privateKey(), null, NO_EXTRA))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00", "5155444b6579"})
    void theSecretIsTheDocumentedHkdfOfBothSecrets(String extraHex) throws GeneralSecurityException {
        // The construction as HybridKem's javadoc states it, recomputed with other code (JDK X25519 and HMAC,
        // BouncyCastle only for ML-KEM decapsulation) so that other implementations can follow this formula:
        //   HKDF-SHA-256(salt = "VSTP hybrid KEM X25519+ML-KEM-768 v1", ikm = ss_mlkem || ss_x25519 || extra,
        //                info = ephemeral X25519 public || recipient X25519 public, L = 32)
        byte[] extra = HexFormat.of().parseHex(extraHex);
        HybridKem.Encapsulated sent = HybridKem.encapsulate(RECIPIENT.publicKey(), extra, RANDOM);
        byte[] scalar = Arrays.copyOfRange(RECIPIENT.privateKey(), 0, X25519_LENGTH);
        byte[] mlkemSeed = Arrays.copyOfRange(RECIPIENT.privateKey(), X25519_LENGTH, PRIVATE_KEY_LENGTH);
        byte[] recipientX = Arrays.copyOfRange(RECIPIENT.publicKey(), 0, X25519_LENGTH);
        byte[] ephemeralX = Arrays.copyOfRange(sent.encapsulation(), 0, X25519_LENGTH);
        byte[] ciphertext = Arrays.copyOfRange(sent.encapsulation(), X25519_LENGTH, ENCAPSULATION_LENGTH);

        byte[] basePoint = new byte[X25519_LENGTH];
        basePoint[0] = 9;
        assertThat(x25519(scalar, basePoint)).as("recipient X25519 public").isEqualTo(recipientX);
        byte[] ssX25519 = x25519(scalar, ephemeralX);
        byte[] ssMlkem = mlkemDecapsulate(mlkemSeed, ciphertext);
        byte[] salt = "VSTP hybrid KEM X25519+ML-KEM-768 v1".getBytes(StandardCharsets.US_ASCII);
        byte[] prk = hmacSha256(salt, HybridKem.concat(ssMlkem, ssX25519, extra));
        // L = 32 is one HMAC block: OKM = T(1) = HMAC(PRK, info || 0x01).
        byte[] expected = hmacSha256(prk, HybridKem.concat(ephemeralX, recipientX, new byte[] {1}));

        assertThat(sent.sharedSecret()).isEqualTo(expected);
        assertThat(HybridKem.decapsulate(RECIPIENT.privateKey(), sent.encapsulation(), extra))
                .isEqualTo(expected);
        assertThat(HybridKem.LABEL).isEqualTo(salt);
    }

    static byte[] flip(byte[] bytes, int bit) {
        byte[] out = bytes.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }

    /** X25519 of the JDK's SunEC provider, independent of the BouncyCastle code HybridKem uses. */
    private static byte[] x25519(byte[] scalar, byte[] u) throws GeneralSecurityException {
        KeyFactory keys = KeyFactory.getInstance("XDH");
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar)));
        agreement.doPhase(keys.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(u))), true);
        return agreement.generateSecret();
    }

    /** RFC 7748 §5 decodeUCoordinate: little-endian, the top bit masked. */
    private static BigInteger decodeU(byte[] u) {
        byte[] bigEndian = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            bigEndian[i] = u[u.length - 1 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian);
    }

    private static byte[] mlkemDecapsulate(byte[] seed, byte[] ciphertext) {
        return new MLKEMExtractor(new MLKEMPrivateKeyParameters(MLKEMParameters.ml_kem_768, seed))
                .extractSecret(ciphertext);
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
