package io.vstp.crypto;

/**
 * What this library refuses in FIPS mode (docs/guide/fips.md), at its own entry points, so an application that uses
 * it in a FIPS JVM is refused as the {@code vstp} command is: end-to-end encryption and decryption, signatures and
 * the key ring all run on BouncyCastle's regular API, outside the FIPS module, with algorithms it does not approve.
 * Each refusal comes before any key material is made or read.
 *
 * <p>FIPS mode is the system property {@value #PROPERTY} that the vstp-fips bootstrap sets, the same switch as the
 * transport's {@code io.vstp.transport.fips.FipsMode} (this module depends on neither the transport nor Netty, so it
 * reads the property itself).
 */
public final class FipsRefusals {
    /** The system property that is {@code true} in FIPS mode. */
    public static final String PROPERTY = "vstp.fips";

    /** Why end-to-end encryption is refused (a compile-time constant: reading it loads no class). */
    public static final String E2E_WHY = "X25519 and ChaCha20-Poly1305 are not FIPS-approved, and VSTP's ML-KEM runs "
            + "on BouncyCastle's regular API, outside the FIPS module (which has no ML-KEM)";
    /** Why signatures are refused (a compile-time constant). */
    public static final String SIGNATURES_WHY =
            "VSTP signs with BouncyCastle's regular API, outside the FIPS module " + "(which has no ML-DSA)";

    private FipsRefusals() {}

    /**
     * Refuses end-to-end encryption in FIPS mode.
     *
     * @throws RefusedInFipsModeException in FIPS mode
     */
    public static void encryption() {
        refuse("end-to-end encryption (X25519 + ML-KEM-768 and ChaCha20-Poly1305)", E2E_WHY);
    }

    /**
     * Refuses end-to-end decryption in FIPS mode.
     *
     * @throws RefusedInFipsModeException in FIPS mode
     */
    public static void decryption() {
        refuse("end-to-end decryption (X25519 + ML-KEM-768 and ChaCha20-Poly1305)", E2E_WHY);
    }

    /**
     * Refuses making or checking a signature in FIPS mode.
     *
     * @param what "signing a manifest", "checking a signature"
     * @throws RefusedInFipsModeException in FIPS mode
     */
    public static void signatures(String what) {
        refuse(what + " (Ed25519 or ML-DSA)", SIGNATURES_WHY);
    }

    /**
     * Refuses the key ring in FIPS mode.
     *
     * @throws RefusedInFipsModeException in FIPS mode
     */
    public static void keyRing() {
        refuse(
                "the key ring (end-to-end and signing keys)",
                "its keys serve end-to-end encryption and " + "signatures, which run outside the FIPS module");
    }

    private static void refuse(String algorithm, String why) {
        if (Boolean.getBoolean(PROPERTY)) {
            throw new RefusedInFipsModeException(algorithm, why);
        }
    }
}
