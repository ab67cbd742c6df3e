package io.vstp.crypto.e2e;

import java.io.IOException;

/** An encrypted file that cannot be decrypted, and why, in words a user can act on. */
public final class EncryptedFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why decryption stopped. */
    public enum Reason {
        /** Not in the VSTP end-to-end format at all. */
        NOT_ENCRYPTED,
        /** A format version, suite or field value this implementation does not accept. */
        MALFORMED,
        /** Encrypted, but to none of the keys at hand. */
        NO_MATCHING_KEY,
        /** A chunk or the header failed authentication: altered, reordered or spliced from another file. */
        TAMPERED,
        /** The data stops before the final chunk. */
        TRUNCATED
    }

    private final Reason reason;

    public EncryptedFileException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EncryptedFileException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
