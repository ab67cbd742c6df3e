package io.vstp.core.error;

/**
 * A frame could not be decoded or encoded. Always {@link Scope#CONNECTION} scoped on a stream transport: after a
 * decode error the byte stream has no trustworthy frame boundary.
 *
 * <p>A decode error says where it was decided, when the reader knows: {@link #offset()} is the position of the
 * deciding byte counted from the first byte of the frame, and {@link #field()} names what lives there ("magic,
 * second byte", "HDR_LEN (u16le)", "header entry 3"). {@code vstp inspect} shows both.
 *
 * <p>Built without a stack trace: these are raised by hostile input at line rate, and the code plus message say
 * everything the trace would.
 */
public final class FrameException extends VstpException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final String field;

    /**
     * An error without a location (an encoding error, or one that belongs to no single byte).
     *
     * @param code    the error code
     * @param message what went wrong
     */
    public FrameException(ErrorCode code, String message) {
        this(code, message, -1, null);
    }

    /**
     * A decode error at a known place of the frame.
     *
     * @param code    the error code
     * @param message what went wrong
     * @param offset  the deciding byte, counted from the frame's first byte; -1 when unknown
     * @param field   what lives there, or null
     */
    public FrameException(ErrorCode code, String message, int offset, String field) {
        super(code, Scope.CONNECTION, message, false);
        this.offset = offset;
        this.field = field;
    }

    /**
     * Where the error was decided.
     *
     * @return the deciding byte's position from the frame's first byte, or -1 when unknown
     */
    public int offset() {
        return offset;
    }

    /**
     * What lives at {@link #offset()}.
     *
     * @return a field name such as "CRC trailer", or null when unknown
     */
    public String field() {
        return field;
    }
}
