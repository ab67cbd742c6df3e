package io.vstp.transport.udp.dtls;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What one DTLS association negotiated.
 *
 * @param peer                       the other end's address
 * @param protocolVersion            {@code "DTLS 1.2"} (the only version BouncyCastle's DTLS speaks; see
 *                                   {@code docs/guide/dtls.md})
 * @param cipherSuite                the negotiated suite
 * @param resumed                    whether this association resumed an earlier session (abbreviated handshake:
 *                                   no certificate, no key exchange)
 * @param peerCertificateFingerprint {@code sha256:…} of the peer's leaf certificate: the server's, as seen by a
 *                                   client (for a resumed session, the one verified when the session was made);
 *                                   empty on a server, since clients present none over DTLS
 */
public record DtlsSessionInfo(
        InetSocketAddress peer,
        String protocolVersion,
        DtlsCipherSuite cipherSuite,
        boolean resumed,
        Optional<String> peerCertificateFingerprint) {
    public DtlsSessionInfo {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
        Objects.requireNonNull(peerCertificateFingerprint, "peerCertificateFingerprint");
    }
}
