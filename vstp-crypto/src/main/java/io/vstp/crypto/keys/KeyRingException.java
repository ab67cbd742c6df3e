package io.vstp.crypto.keys;

import java.io.IOException;

/** A key ring operation that cannot be done, in words a user can act on (wrong passphrase, unknown key, …). */
public final class KeyRingException extends IOException {
    private static final long serialVersionUID = 1L;

    public KeyRingException(String message) {
        super(message);
    }

    public KeyRingException(String message, Throwable cause) {
        super(message, cause);
    }
}
