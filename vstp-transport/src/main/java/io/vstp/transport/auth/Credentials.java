package io.vstp.transport.auth;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a client presented when its session opened (or refreshed): a bearer token from HELLO or AUTH, and the
 * certificate chain its mTLS handshake verified. Either may be absent. {@link #toString()} never shows the token.
 *
 * @param bearerToken        the token, or null
 * @param clientCertificates the verified chain, leaf first; empty without mTLS
 * @param remoteAddress      the peer's address (for the audit log)
 * @param sessionId          the session's id (for the audit log)
 */
public record Credentials(
        String bearerToken, List<X509Certificate> clientCertificates, SocketAddress remoteAddress, String sessionId) {
    public Credentials {
        clientCertificates = List.copyOf(clientCertificates);
    }

    public Optional<X509Certificate> clientCertificate() {
        return clientCertificates.isEmpty() ? Optional.empty() : Optional.of(clientCertificates.get(0));
    }

    @Override
    public String toString() {
        return "Credentials[token=" + (bearerToken == null ? "none" : "<" + bearerToken.length() + " chars>")
                + ", certificate="
                + clientCertificate()
                        .map(c -> c.getSubjectX500Principal().getName())
                        .orElse("none")
                + ", remote=" + remoteAddress + ", session=" + sessionId + "]";
    }
}
