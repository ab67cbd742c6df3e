package io.vstp.transport.auth;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;

/**
 * Credentials were refused. The message is what the peer sees, so it names the class of problem ("token expired",
 * "untrusted issuer") and never echoes the token or the server's configuration.
 */
public final class AuthenticationException extends VstpException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(ErrorCode.UNAUTHENTICATED, Scope.CONNECTION, message, false);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(ErrorCode.UNAUTHENTICATED, Scope.CONNECTION, message, cause, false);
    }
}
