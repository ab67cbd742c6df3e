package io.vstp.crypto.internal;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF with HMAC-SHA-256 (RFC 5869), from BouncyCastle: the JDK has no HKDF before Java 24.
 * Every key VSTP derives goes through here, with an {@code info} label naming what the key is for.
 */
public final class Hkdf {
    /** The length of a pseudorandom key from {@link #extract}: SHA-256's output. */
    public static final int PRK_LENGTH = 32;

    private static final int MAX_OUTPUT = 255 * PRK_LENGTH;

    private Hkdf() {}

    /** HKDF-Extract: a pseudorandom key from input keying material. A null or empty salt means HashLen zeros. */
    public static byte[] extract(byte[] salt, byte[] ikm) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        return hkdf.extractPRK(salt, ikm);
    }

    /** HKDF-Expand: {@code length} bytes (at most 8160) from a pseudorandom key of at least 32 bytes. */
    public static byte[] expand(byte[] prk, byte[] info, int length) {
        if (prk.length < PRK_LENGTH) {
            throw new IllegalArgumentException("pseudorandom key shorter than " + PRK_LENGTH + " bytes");
        }
        return generate(HKDFParameters.skipExtractParameters(prk, info), length);
    }

    /** Extract then expand: the usual one-step derivation. */
    public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
        return generate(new HKDFParameters(ikm, salt, info), length);
    }

    private static byte[] generate(HKDFParameters parameters, int length) {
        if (length < 1 || length > MAX_OUTPUT) {
            throw new IllegalArgumentException("HKDF output length must be 1.." + MAX_OUTPUT + ", not " + length);
        }
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(parameters);
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }
}
