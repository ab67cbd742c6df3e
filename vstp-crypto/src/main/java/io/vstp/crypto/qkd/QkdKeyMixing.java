package io.vstp.crypto.qkd;

import io.vstp.crypto.Secrets;
import io.vstp.crypto.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Derives a key from a classical (or post-quantum hybrid) shared secret together with a QKD key, with HKDF-SHA-256,
 * so that the result is as strong as the stronger of the two. This is the only way this package turns a QKD key
 * into a key: a QKD key alone depends on the KME, the QKD link and the TLS to the KME all being sound, and none of
 * them authenticates the peer, so VSTP never uses one without a classical component.
 *
 * <pre>
 *   key = HKDF-SHA-256(salt = "VSTP QKD key mixing v1",
 *                      ikm  = uint32_be(len(classical)) || classical || qkd,
 *                      info = info, length)
 * </pre>
 *
 * The length prefix keeps the split between the two parts unambiguous. For the end-to-end hybrid KEM, pass the QKD
 * key as {@code extra} to {@code io.vstp.crypto.kem.HybridKem} instead: it already mixes it with the X25519 and
 * ML-KEM secrets.
 */
public final class QkdKeyMixing {
    static final byte[] SALT = "VSTP QKD key mixing v1".getBytes(StandardCharsets.US_ASCII);

    /** The shortest classical secret accepted: 128 bits, so that a token value cannot pass for one. */
    public static final int MIN_CLASSICAL_BYTES = 16;

    private QkdKeyMixing() {}

    /**
     * {@code length} bytes from {@code classicalSecret} and {@code qkdKey}; neither is modified.
     *
     * @throws IllegalArgumentException if the classical secret is missing or shorter than
     *                                  {@value #MIN_CLASSICAL_BYTES} bytes, or the QKD key is empty
     */
    public static byte[] derive(byte[] classicalSecret, byte[] qkdKey, byte[] info, int length) {
        io.vstp.crypto.FipsRefusals.encryption();
        if (classicalSecret == null || classicalSecret.length < MIN_CLASSICAL_BYTES) {
            throw new IllegalArgumentException("a QKD key is only used together with a classical shared secret of at"
                    + " least " + MIN_CLASSICAL_BYTES + " bytes; got "
                    + (classicalSecret == null ? "none" : classicalSecret.length + " bytes"));
        }
        Objects.requireNonNull(qkdKey, "qkdKey");
        Objects.requireNonNull(info, "info");
        if (qkdKey.length == 0) {
            throw new IllegalArgumentException("empty QKD key");
        }
        int n = classicalSecret.length;
        byte[] ikm = new byte[4 + n + qkdKey.length];
        ikm[0] = (byte) (n >>> 24);
        ikm[1] = (byte) (n >>> 16);
        ikm[2] = (byte) (n >>> 8);
        ikm[3] = (byte) n;
        System.arraycopy(classicalSecret, 0, ikm, 4, n);
        System.arraycopy(qkdKey, 0, ikm, 4 + n, qkdKey.length);
        try {
            return Hkdf.derive(SALT, ikm, info, length);
        } finally {
            Secrets.wipe(ikm);
        }
    }

    /** {@link #derive(byte[], byte[], byte[], int)} with the bytes of a delivered key. */
    public static byte[] derive(byte[] classicalSecret, QkdKey qkdKey, byte[] info, int length) {
        return derive(classicalSecret, Objects.requireNonNull(qkdKey, "qkdKey").key(), info, length);
    }
}
