package io.vstp.core.error;

/**
 * A frame could not be decoded or encoded. Always {@link Scope#CONNECTION} scoped on a stream transport: after a
 * decode error the byte stream has no trustworthy frame boundary.
 *
 * <p>Built without a stack trace: these are raised by hostile input at line rate, and the code plus message say
 * everything the trace would.
 */
public final class FrameException extends VstpException {
    private static final long serialVersionUID = 1L;

    public FrameException(ErrorCode code, String message) {
        super(code, Scope.CONNECTION, message, false);
    }
}
