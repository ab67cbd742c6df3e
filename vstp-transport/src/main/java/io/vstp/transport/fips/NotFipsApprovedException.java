package io.vstp.transport.fips;

/**
 * Something asked for in FIPS mode is not a FIPS-approved algorithm (or runs outside the FIPS module), so it is
 * refused rather than quietly replaced or run anyway. The message names the algorithm and why.
 */
public final class NotFipsApprovedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String algorithm;

    public NotFipsApprovedException(String algorithm, String why) {
        super(algorithm + " is not available in FIPS mode: " + why);
        this.algorithm = algorithm;
    }

    /** What was refused, e.g. {@code TLS_CHACHA20_POLY1305_SHA256}. */
    public String algorithm() {
        return algorithm;
    }
}
