package io.vstp.transport.fips;

import java.security.Provider;
import java.security.Security;

/**
 * Whether VSTP runs in FIPS mode in this JVM, and the refusal of what that mode does not allow.
 *
 * <p>FIPS mode is switched on by the vstp-fips bootstrap after it has installed the BouncyCastle FIPS provider
 * ({@value #CRYPTO_PROVIDER}, approved-only) and its JSSE provider ({@value #JSSE_PROVIDER}, FIPS mode); it sets the
 * system property {@value #PROPERTY} to {@code true}. The switch is a system property rather than a field of
 * vstp-fips so that every module (transport, crypto, the command line) can ask without depending on the FIPS jars,
 * which cannot share a class path with the regular BouncyCastle jars.
 *
 * <p>Setting the property by hand without those providers does not run anything outside FIPS mode: the TLS setup
 * then fails, saying the FIPS providers are missing.
 */
public final class FipsMode {
    /** The system property that is {@code true} in FIPS mode. */
    public static final String PROPERTY = "vstp.fips";
    /** The JCA provider name of the BouncyCastle FIPS module (bc-fips). */
    public static final String CRYPTO_PROVIDER = "BCFIPS";
    /** The system property bc-fips reads at start-up to run every thread in approved-only mode. */
    public static final String APPROVED_ONLY_PROPERTY = "org.bouncycastle.fips.approved_only";
    /** The JSSE provider name of BouncyCastle's TLS (bctls-fips), in its FIPS mode over {@value #CRYPTO_PROVIDER}. */
    public static final String JSSE_PROVIDER = "BCJSSE";

    private FipsMode() {}

    /** Whether this JVM runs in FIPS mode ({@code -D}{@value #PROPERTY}{@code =true}). */
    public static boolean active() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * Refuses {@code algorithm} in FIPS mode; does nothing otherwise. Call it where a non-approved algorithm is
     * about to be used, before any key material is made.
     *
     * @param algorithm what is refused, as a person would name it ({@code ChaCha20-Poly1305},
     *     {@code X25519+ML-KEM-768 end-to-end encryption})
     * @param why why it is not available in FIPS mode, and what to use instead if there is something
     * @throws NotFipsApprovedException in FIPS mode
     */
    public static void refuse(String algorithm, String why) {
        if (active()) {
            throw new NotFipsApprovedException(algorithm, why);
        }
    }

    /**
     * The JCA provider FIPS mode runs on, or null when not in FIPS mode or when it is not installed (which the TLS
     * setup reports).
     */
    public static Provider cryptoProvider() {
        return active() ? Security.getProvider(CRYPTO_PROVIDER) : null;
    }

    /**
     * One line for version output: the FIPS module and JSSE provider in use as they describe themselves, e.g.
     * {@code BouncyCastle Security Provider (FIPS edition) v2.1.3, approved-only; Bouncy Castle JSSE Provider
     * Version 2.1.24}, or {@code off}.
     */
    public static String describe() {
        if (!active()) {
            return "off";
        }
        Provider crypto = Security.getProvider(CRYPTO_PROVIDER);
        Provider jsse = Security.getProvider(JSSE_PROVIDER);
        return (crypto != null ? crypto.getInfo() : CRYPTO_PROVIDER + " missing")
                + (Boolean.getBoolean(APPROVED_ONLY_PROPERTY) ? ", approved-only" : "")
                + "; " + (jsse != null ? jsse.getInfo() : JSSE_PROVIDER + " missing");
    }
}
