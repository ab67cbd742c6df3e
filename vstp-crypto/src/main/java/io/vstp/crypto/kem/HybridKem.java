package io.vstp.crypto.kem;

import io.vstp.crypto.Secrets;
import io.vstp.crypto.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * The hybrid key encapsulation of end-to-end encryption: X25519 (RFC 7748) and ML-KEM-768 (FIPS 203), both from
 * BouncyCastle, combined with HKDF-SHA-256 so the shared secret stays safe while either one holds
 * (docs/spec/e2e.md §2).
 *
 * <pre>
 *   public key     = X25519 public (32) || ML-KEM-768 encapsulation key (1184)
 *   private key    = X25519 scalar (32) || ML-KEM-768 seed d||z (64)
 *   encapsulation  = ephemeral X25519 public (32) || ML-KEM-768 ciphertext (1088)
 *   shared secret  = HKDF(salt = LABEL, ikm = ss_mlkem || ss_x25519 || extra,
 *                         info = ephemeral X25519 public || recipient X25519 public, 32)
 * </pre>
 *
 * The X25519 public values go into {@code info} because X25519 alone does not bind them (ML-KEM does bind its
 * ciphertext). {@code extra} is optional further keying material, e.g. a QKD key: it can only add strength, since
 * the classical and post-quantum secrets are always in the input.
 */
public final class HybridKem {
    public static final String NAME = "X25519+ML-KEM-768";
    public static final int X25519_LENGTH = 32;
    public static final int MLKEM_PUBLIC_LENGTH = 1184;
    public static final int MLKEM_CIPHERTEXT_LENGTH = 1088;
    public static final int MLKEM_SEED_LENGTH = 64;
    public static final int PUBLIC_KEY_LENGTH = X25519_LENGTH + MLKEM_PUBLIC_LENGTH;
    public static final int PRIVATE_KEY_LENGTH = X25519_LENGTH + MLKEM_SEED_LENGTH;
    public static final int ENCAPSULATION_LENGTH = X25519_LENGTH + MLKEM_CIPHERTEXT_LENGTH;
    public static final int SHARED_SECRET_LENGTH = 32;
    static final byte[] LABEL = "VSTP hybrid KEM X25519+ML-KEM-768 v1".getBytes(StandardCharsets.US_ASCII);
    private static final MLKEMParameters MLKEM = MLKEMParameters.ml_kem_768;

    private HybridKem() {}

    /** A key pair; the private half should be wiped ({@link Secrets#wipe}) when done with. */
    public record KeyPair(byte[] publicKey, byte[] privateKey) {}

    /** A shared secret and the encapsulation that lets the holder of the private key compute it too. */
    public record Encapsulated(byte[] sharedSecret, byte[] encapsulation) {}

    public static KeyPair generate(SecureRandom random) {
        io.vstp.crypto.FipsRefusals.encryption();
        byte[] seed = new byte[MLKEM_SEED_LENGTH];
        random.nextBytes(seed);
        X25519PrivateKeyParameters x = new X25519PrivateKeyParameters(random);
        byte[] priv = concat(x.getEncoded(), seed);
        Secrets.wipe(seed);
        return new KeyPair(publicKeyOf(priv), priv);
    }

    /** The public key that belongs to {@code privateKey}. */
    public static byte[] publicKeyOf(byte[] privateKey) {
        requireLength(privateKey, PRIVATE_KEY_LENGTH, "private key");
        X25519PrivateKeyParameters x = new X25519PrivateKeyParameters(privateKey, 0);
        MLKEMPrivateKeyParameters m = mlkemPrivate(privateKey);
        return concat(x.generatePublicKey().getEncoded(), m.getPublicKey());
    }

    /** A fresh shared secret for the holder of {@code publicKey}; {@code extra} may be empty or null. */
    public static Encapsulated encapsulate(byte[] publicKey, byte[] extra, SecureRandom random) {
        io.vstp.crypto.FipsRefusals.encryption();
        extra = extra == null ? new byte[0] : extra;
        requireLength(publicKey, PUBLIC_KEY_LENGTH, "public key");
        X25519PublicKeyParameters recipientX = new X25519PublicKeyParameters(publicKey, 0);
        MLKEMPublicKeyParameters recipientM =
                new MLKEMPublicKeyParameters(MLKEM, Arrays.copyOfRange(publicKey, X25519_LENGTH, PUBLIC_KEY_LENGTH));
        X25519PrivateKeyParameters ephemeral = new X25519PrivateKeyParameters(random);
        byte[] ephemeralPublic = ephemeral.generatePublicKey().getEncoded();
        byte[] ssX = agree(ephemeral, recipientX);
        SecretWithEncapsulation m = new MLKEMGenerator(random).generateEncapsulated(recipientM);
        byte[] ssM = m.getSecret();
        try {
            byte[] secret = combine(ssM, ssX, extra, ephemeralPublic, recipientX.getEncoded());
            return new Encapsulated(secret, concat(ephemeralPublic, m.getEncapsulation()));
        } finally {
            Secrets.wipe(ssM, ssX);
        }
    }

    /**
     * The shared secret {@link #encapsulate} produced. A tampered encapsulation does not fail here: ML-KEM answers
     * with an unrelated secret (implicit rejection), so whatever the secret protects fails to authenticate instead.
     *
     * @throws IllegalArgumentException for wrong lengths or an X25519 value of small order
     */
    public static byte[] decapsulate(byte[] privateKey, byte[] encapsulation, byte[] extra) {
        io.vstp.crypto.FipsRefusals.decryption();
        extra = extra == null ? new byte[0] : extra;
        requireLength(privateKey, PRIVATE_KEY_LENGTH, "private key");
        requireLength(encapsulation, ENCAPSULATION_LENGTH, "encapsulation");
        X25519PrivateKeyParameters x = new X25519PrivateKeyParameters(privateKey, 0);
        X25519PublicKeyParameters ephemeral = new X25519PublicKeyParameters(encapsulation, 0);
        byte[] ssX = agree(x, ephemeral);
        byte[] ssM = new MLKEMExtractor(mlkemPrivate(privateKey))
                .extractSecret(Arrays.copyOfRange(encapsulation, X25519_LENGTH, ENCAPSULATION_LENGTH));
        try {
            return combine(
                    ssM,
                    ssX,
                    extra,
                    ephemeral.getEncoded(),
                    x.generatePublicKey().getEncoded());
        } finally {
            Secrets.wipe(ssM, ssX);
        }
    }

    static byte[] combine(byte[] ssM, byte[] ssX, byte[] extra, byte[] ephemeralX, byte[] recipientX) {
        byte[] ikm = concat(ssM, ssX, extra);
        try {
            return Hkdf.derive(LABEL, ikm, concat(ephemeralX, recipientX), SHARED_SECRET_LENGTH);
        } finally {
            Secrets.wipe(ikm);
        }
    }

    private static byte[] agree(X25519PrivateKeyParameters priv, X25519PublicKeyParameters pub) {
        X25519Agreement agreement = new X25519Agreement();
        agreement.init(priv);
        byte[] out = new byte[agreement.getAgreementSize()];
        try {
            agreement.calculateAgreement(pub, out, 0);
        } catch (IllegalStateException e) {
            // RFC 7748 §6.1: an all-zero result means a small-order point, i.e. a forged public value.
            throw new IllegalArgumentException("X25519 public value of small order", e);
        }
        return out;
    }

    private static MLKEMPrivateKeyParameters mlkemPrivate(byte[] privateKey) {
        return new MLKEMPrivateKeyParameters(MLKEM, Arrays.copyOfRange(privateKey, X25519_LENGTH, PRIVATE_KEY_LENGTH));
    }

    private static void requireLength(byte[] value, int length, String what) {
        if (value == null || value.length != length) {
            throw new IllegalArgumentException(NAME + " " + what + " must be " + length + " bytes, not "
                    + (value == null ? "null" : value.length));
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
