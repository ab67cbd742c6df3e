package io.vstp.crypto.qkd;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * Anything that went wrong between VSTP and a KME: it could not be reached, TLS failed, it answered with an error,
 * or its answer broke the ETSI GS QKD 014 format or the client's limits. The message names the KME, the request and
 * what to check; text that came from the KME is quoted after cleaning (control characters removed, length capped).
 * Never contains key material.
 *
 * <p>Checked, and an {@link IOException}, because it is a failure of a remote party the caller has to plan for.
 * Mistakes of the caller (an SAE ID with characters the API cannot carry, more keys than the client allows) are
 * {@link IllegalArgumentException}s instead.
 */
public final class QkdException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;

    public QkdException(String message) {
        this(message, -1, null);
    }

    public QkdException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    QkdException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status of the KME's answer when it answered with an error status (400, 401, 503, ...). */
    public OptionalInt httpStatus() {
        return httpStatus < 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }
}
