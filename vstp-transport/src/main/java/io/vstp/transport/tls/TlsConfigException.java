package io.vstp.transport.tls;

/**
 * TLS could not be set up from the given options: a file is missing or unreadable, a PEM file holds no
 * certificate, a private key does not belong to its certificate, a forced provider is not available.
 *
 * <p>The message names the file or option and the reason; it never contains private key material. This is a
 * startup error (or, on reload, a logged one) and has no wire error code, so it is not a
 * {@code io.vstp.core.error.VstpException}.
 */
public final class TlsConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
