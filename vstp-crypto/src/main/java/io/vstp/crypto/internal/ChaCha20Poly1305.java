package io.vstp.crypto.internal;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) from the JDK's SunJCE provider: 256-bit key, 96-bit nonce, 128-bit tag.
 *
 * <p>The JDK refuses to encrypt twice with the same key and nonce on one {@link Cipher}; callers guarantee
 * uniqueness across ciphers by construction (a fresh key per file and a chunk counter as the nonce).
 */
public final class ChaCha20Poly1305 {
    public static final int KEY_LENGTH = 32;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    private static final String TRANSFORMATION = "ChaCha20-Poly1305";

    private ChaCha20Poly1305() {}

    /** Encrypts {@code plaintext[offset, offset+length)}; the result is ciphertext followed by the tag. */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int offset, int length) {
        io.vstp.crypto.FipsRefusals.encryption();
        byte[] out = new byte[length + TAG_LENGTH];
        new Keyed(key).seal(nonce, aad, plaintext, offset, length, out, 0);
        return out;
    }

    public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        return seal(key, nonce, aad, plaintext, 0, plaintext.length);
    }

    /**
     * Decrypts and authenticates {@code ciphertext[offset, offset+length)} (tag included).
     *
     * @throws AEADBadTagException when the key, nonce, associated data or ciphertext is not what was sealed
     */
    public static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext, int offset, int length)
            throws AEADBadTagException {
        if (length < TAG_LENGTH) {
            throw new AEADBadTagException("ciphertext shorter than its tag");
        }
        byte[] out = new byte[length - TAG_LENGTH];
        new Keyed(key).open(nonce, aad, ciphertext, offset, length, out, 0);
        return out;
    }

    public static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) throws AEADBadTagException {
        return open(key, nonce, aad, ciphertext, 0, ciphertext.length);
    }

    /**
     * One key's cipher kept for many chunks: {@code Cipher.getInstance} is a provider lookup per call, which the
     * chunked file format would otherwise pay every 64 KiB (EndToEndEncryptionBenchmark). Not thread-safe.
     */
    public static final class Keyed {
        private final SecretKeySpec key;
        private final Cipher cipher;

        public Keyed(byte[] key) {
            io.vstp.crypto.FipsRefusals.encryption();
            if (key.length != KEY_LENGTH) {
                throw new IllegalArgumentException("ChaCha20-Poly1305 key must be " + KEY_LENGTH + " bytes");
            }
            this.key = new SecretKeySpec(key, "ChaCha20");
            this.cipher = newCipher();
        }

        private Keyed(SecretKeySpec key) {
            this.key = key;
            this.cipher = newCipher();
        }

        /**
         * Another cipher for the same key. The JDK refuses to initialise one {@link Cipher} twice in a row with the
         * same key and nonce, even to decrypt, so trying a chunk a second way (final or not) needs a second one.
         */
        public Keyed another() {
            return new Keyed(key);
        }

        private static void requireNonce(byte[] nonce) {
            if (nonce.length != NONCE_LENGTH) {
                throw new IllegalArgumentException("ChaCha20-Poly1305 nonce must be " + NONCE_LENGTH + " bytes");
            }
        }

        private static Cipher newCipher() {
            try {
                return Cipher.getInstance(TRANSFORMATION);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
            }
        }

        /** Seals {@code in[off, off+len)} into {@code out} at {@code outOff}; returns len + 16. */
        public int seal(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff) {
            requireNonce(nonce);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
                cipher.updateAAD(aad);
                return cipher.doFinal(in, off, len, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ChaCha20-Poly1305 misused", e);
            }
        }

        /** Opens {@code in[off, off+len)} (tag included) into {@code out} at {@code outOff}; returns len - 16. */
        public int open(byte[] nonce, byte[] aad, byte[] in, int off, int len, byte[] out, int outOff)
                throws AEADBadTagException {
            requireNonce(nonce);
            if (len < TAG_LENGTH) {
                throw new AEADBadTagException("ciphertext shorter than its tag");
            }
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
                cipher.updateAAD(aad);
                return cipher.doFinal(in, off, len, out, outOff);
            } catch (AEADBadTagException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ChaCha20-Poly1305 misused", e);
            }
        }
    }
}
