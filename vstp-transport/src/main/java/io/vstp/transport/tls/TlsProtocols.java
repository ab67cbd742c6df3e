package io.vstp.transport.tls;

/** The protocol names VSTP uses in TLS. */
public final class TlsProtocols {
    /** The only TLS version VSTP negotiates (RFC 8446); TLS 1.2 and older are refused. */
    public static final String TLS_1_3 = "TLSv1.3";

    /** The ALPN protocol id (RFC 7301) for VSTP wire version 1 over TLS. */
    public static final String ALPN_VSTP_1 = "vstp/1";

    /**
     * The key-exchange groups offered, most preferred first (BoringSSL names): the post-quantum hybrid
     * X25519MLKEM768 (ML-KEM-768 with X25519, draft-ietf-tls-ecdhe-mlkem) against harvest-now-decrypt-later, then
     * the classical X25519 for peers without it, and P-256 and P-384 for FIPS-mode peers, which offer neither.
     * With the JDK provider, which has no hybrid group, the JDK's own list applies.
     */
    public static final java.util.List<String> DEFAULT_GROUPS = java.util.List.of("X25519MLKEM768", "X25519", "P-256",
            "P-384");

    private TlsProtocols() {}

    /**
     * The key-exchange group a finished handshake used ({@code X25519MLKEM768}, {@code X25519}, {@code P-256}), or
     * null where the provider does not say (the JDK's) or before the handshake.
     */
    public static String namedGroup(javax.net.ssl.SSLSession session) {
        return session instanceof io.netty.handler.ssl.OpenSslSession s ? s.getNamedGroup() : null;
    }
}
