package io.vstp.core.compress;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;

/**
 * A compressed payload that cannot be taken: {@code DECOMPRESSED_TOO_LARGE} or {@code DECOMPRESSION_FAILED}.
 *
 * <p>wire-v2.md §12 gives these codes <em>stream</em> scope: the frame was delimited correctly, so the connection
 * goes on and only the stream that carried the payload fails. {@link VstpException.Scope} has no {@code STREAM}
 * value yet; {@link VstpException.Scope#REQUEST} ("only one request or stream failed; the connection goes on") is
 * the scope that means it, so this exception uses that. Errors that are connection scope by §12
 * ({@code UNKNOWN_COMPRESSION}, {@code NON_MINIMAL_VARINT}, {@code LENGTH_MISMATCH}) are raised as
 * {@link io.vstp.core.error.FrameException}.
 *
 * <p>Built without a stack trace, like {@code FrameException}: hostile input raises these at line rate.
 */
public final class DecompressionException extends VstpException {
    private static final long serialVersionUID = 1L;

    public DecompressionException(ErrorCode code, String message) {
        super(code, Scope.REQUEST, message, false);
    }
}
