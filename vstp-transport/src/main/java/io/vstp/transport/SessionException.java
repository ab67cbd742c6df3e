package io.vstp.transport;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;

/**
 * A session or transport error (docs/spec/session.md §7): raised locally (a timeout, a closed connection, a limit)
 * or received from the peer in an ERR frame ({@link #fromPeer()}).
 */
public final class SessionException extends VstpException {
    private static final long serialVersionUID = 1L;

    private final boolean fromPeer;
    private final int wireCode;

    public SessionException(ErrorCode code, Scope scope, String message) {
        this(code, code.code(), scope, message, false);
    }

    public SessionException(ErrorCode code, Scope scope, String message, Throwable cause) {
        super(code, scope, message, cause, false);
        this.fromPeer = false;
        this.wireCode = code.code();
    }

    private SessionException(ErrorCode code, int wireCode, Scope scope, String message, boolean fromPeer) {
        super(code, scope, message, false);
        this.fromPeer = fromPeer;
        this.wireCode = wireCode;
    }

    /**
     * The error an ERR frame reported. A code this implementation does not know is kept in {@link #wireCode()}
     * and reported as {@link ErrorCode#PROTOCOL_VIOLATION}.
     */
    public static SessionException fromPeer(int wireCode, Scope scope, String message) {
        ErrorCode known = ErrorCode.fromCode(wireCode);
        return new SessionException(
                known != null ? known : ErrorCode.PROTOCOL_VIOLATION,
                wireCode,
                scope,
                message + (known != null ? "" : " (unknown code " + wireCode + ")") + " (reported by the peer)",
                true);
    }

    /** True when the peer reported this error in an ERR frame. */
    public boolean fromPeer() {
        return fromPeer;
    }

    /** The numeric code as carried on the wire; differs from {@code code().code()} only for unknown codes. */
    public int wireCode() {
        return wireCode;
    }
}
