package io.vstp.crypto;

/**
 * This library's refusal in FIPS mode ({@link FipsRefusals}): what was asked runs outside the FIPS module. The same
 * message form as the transport's {@code io.vstp.transport.fips.NotFipsApprovedException}, which this module cannot see
 * (it depends on neither vstp-core nor Netty).
 */
public final class RefusedInFipsModeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String algorithm;

    /**
     * A refusal.
     *
     * @param algorithm what was refused
     * @param why       why, and what to use instead if there is something
     */
    public RefusedInFipsModeException(String algorithm, String why) {
        super(algorithm + " is not available in FIPS mode: " + why);
        this.algorithm = algorithm;
    }

    /**
     * What was refused.
     *
     * @return e.g. "end-to-end encryption (X25519 + ML-KEM-768 and ChaCha20-Poly1305)"
     */
    public String algorithm() {
        return algorithm;
    }
}
