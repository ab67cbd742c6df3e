package io.vstp.transport.tls;

import java.security.cert.CertificateException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * A VSTP client refused the server's certificate. Thrown by the client's trust manager during the handshake, so
 * the application sees it as the cause of an {@link javax.net.ssl.SSLHandshakeException} (the JDK provider also
 * copies the message into the handshake exception; OpenSSL only chains it). {@link #findIn(Throwable)} digs it out
 * of whatever the handshake failed with.
 *
 * <p>The message is meant for a person: it names the server ({@code host:port}), what was expected and what was
 * presented (as {@link CertificateFingerprints fingerprints}) and, for a {@code known_hosts} mismatch, the file and
 * line to edit.
 */
public final class CertificateVerificationException extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** Why the certificate was refused. */
    public enum Reason {
        /** The leaf certificate's validity ended before now. */
        EXPIRED,
        /** The leaf certificate's validity starts after now. */
        NOT_YET_VALID,
        /** Pins were configured and the leaf matches none of them. */
        PIN_MISMATCH,
        /** {@code known_hosts} holds a different fingerprint for this {@code host:port}. */
        KNOWN_HOSTS_MISMATCH,
        /** The certificate does not chain to a trusted CA, is not in {@code known_hosts}, and TOFU is off. */
        UNTRUSTED,
        /** The certificate chains to a trusted CA but is not issued for the host name or address dialled. */
        HOSTNAME_MISMATCH,
        /** {@code known_hosts} could not be read or written. */
        KNOWN_HOSTS_UNAVAILABLE
    }

    private final Reason reason;
    private final String endpoint;
    private final String presentedFingerprint;

    CertificateVerificationException(
            Reason reason, String endpoint, String presentedFingerprint, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.endpoint = endpoint;
        this.presentedFingerprint = presentedFingerprint;
    }

    public Reason reason() {
        return reason;
    }

    /** The server as dialled: {@code host:port}, IPv6 in brackets. */
    public String endpoint() {
        return endpoint;
    }

    /** The fingerprint of the leaf certificate the server presented. */
    public String presentedFingerprint() {
        return presentedFingerprint;
    }

    /** The first {@code CertificateVerificationException} among {@code failure}, its causes and suppressed ones. */
    public static Optional<CertificateVerificationException> findIn(Throwable failure) {
        return Optional.ofNullable(find(failure, Collections.newSetFromMap(new IdentityHashMap<>())));
    }

    private static CertificateVerificationException find(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return null;
        }
        if (t instanceof CertificateVerificationException) {
            return (CertificateVerificationException) t;
        }
        CertificateVerificationException found = find(t.getCause(), seen);
        for (Throwable suppressed : t.getSuppressed()) {
            if (found != null) {
                break;
            }
            found = find(suppressed, seen);
        }
        return found;
    }
}
