package io.vstp.core.error;

/**
 * The root of every error VSTP reports: it always carries a stable {@link ErrorCode} and the {@link Scope} it
 * affects, so that a transport can turn it into an ERR frame and decide whether the connection survives.
 *
 * <p>Later layers add their own subclasses (session, transport, security); the codec raises {@link FrameException}.
 */
public abstract class VstpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What an error affects. */
    public enum Scope {
        /** The byte stream can no longer be trusted: the connection must close (after an ERR where possible). */
        CONNECTION,
        /** Only one request or stream failed; the connection goes on. */
        REQUEST
    }

    private final ErrorCode code;
    private final Scope scope;
    private final String detail;

    protected VstpException(ErrorCode code, Scope scope, String message, boolean writableStackTrace) {
        this(code, scope, message, null, writableStackTrace);
    }

    protected VstpException(ErrorCode code, Scope scope, String message, Throwable cause, boolean writableStackTrace) {
        super(code.name() + ": " + message, cause, false, writableStackTrace);
        this.code = code;
        this.scope = scope;
        this.detail = message;
    }

    /** The message without the code name in front: what an ERR frame carries. */
    public String detail() {
        return detail;
    }

    public ErrorCode code() {
        return code;
    }

    public Scope scope() {
        return scope;
    }
}
