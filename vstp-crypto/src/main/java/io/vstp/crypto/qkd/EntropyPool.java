package io.vstp.crypto.qkd;

import java.nio.charset.StandardCharsets;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;
import java.util.Objects;

/**
 * A {@link SecureRandom} that mixes QKD material into random numbers seeded by the operating system: the JDK's
 * DRBG (NIST SP 800-90A, 256-bit strength, prediction resistance), instantiated from OS entropy, and reseeded by
 * {@link #mix} with fresh OS entropy <em>plus</em> the QKD material as additional input.
 *
 * <p>Why QKD material only ever goes in as additional input: a KME is a remote party and its keys reach us over
 * TLS, so a compromised KME, a broken QKD link or a mis-configured simulator could hand out predictable bytes. As
 * additional input to a DRBG whose state comes from OS entropy, such bytes cannot make the output weaker than the
 * OS alone; good QKD material adds entropy the OS does not have. Each {@link #mix} also pulls fresh OS entropy
 * (prediction resistance), so the material never stands alone even right after it was mixed in.
 *
 * <p>Thread-safe (the JDK DRBG is).
 */
public final class EntropyPool extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private static final byte[] PERSONALIZATION = "VSTP entropy pool v1".getBytes(StandardCharsets.US_ASCII);

    /** The most material one {@link #mix} takes; a KME key is at most a few KiB. */
    public static final int MAX_MATERIAL_BYTES = 64 * 1024;

    private final transient SecureRandom drbg;

    /** A pool seeded from the operating system. */
    public EntropyPool() {
        this(newDrbg());
    }

    /** Over a given DRBG: for tests that observe what the pool asks of it. */
    EntropyPool(SecureRandom drbg) {
        this(new Delegate(drbg), drbg);
    }

    private EntropyPool(Delegate delegate, SecureRandom drbg) {
        super(delegate, drbg.getProvider());
        this.drbg = drbg;
    }

    /**
     * Reseeds with fresh OS entropy and {@code material} (e.g. a QKD key) as additional input. The pool keeps no
     * reference to {@code material}; wipe it afterwards if it is secret. Do not also use the same QKD key as a key:
     * one KME key, one purpose.
     */
    public void mix(byte[] material) {
        Objects.requireNonNull(material, "material");
        if (material.length == 0 || material.length > MAX_MATERIAL_BYTES) {
            throw new IllegalArgumentException(
                    "material must be 1.." + MAX_MATERIAL_BYTES + " bytes, not " + material.length);
        }
        drbg.reseed(DrbgParameters.reseed(true, material));
    }

    @Override
    public String getAlgorithm() {
        return "DRBG";
    }

    @Override
    public String toString() {
        return "EntropyPool[" + drbg + "]";
    }

    private static SecureRandom newDrbg() {
        try {
            return SecureRandom.getInstance(
                    "DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, PERSONALIZATION));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no DRBG with 256-bit strength and prediction resistance", e);
        }
    }

    /** Lets the pool be a SecureRandom while the DRBG does the work. */
    private static final class Delegate extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final transient SecureRandom drbg;

        Delegate(SecureRandom drbg) {
            super(drbg.getParameters());
            this.drbg = drbg;
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            drbg.setSeed(seed);
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            drbg.nextBytes(bytes);
        }

        @Override
        protected void engineNextBytes(byte[] bytes, SecureRandomParameters params) {
            drbg.nextBytes(bytes, params);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            return drbg.generateSeed(numBytes);
        }

        @Override
        protected void engineReseed(SecureRandomParameters params) {
            drbg.reseed(params);
        }

        @Override
        protected SecureRandomParameters engineGetParameters() {
            return drbg.getParameters();
        }
    }
}
