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
    public static final java.util.List<String> DEFAULT_GROUPS =
            java.util.List.of("X25519MLKEM768", "X25519", "P-256", "P-384");

    /**
     * The TLS 1.3 suites used in FIPS mode, most preferred first: AES-GCM is the approved AEAD (SP 800-38D);
     * ChaCha20-Poly1305 is not approved, and the CCM suites are left out because few peers offer them.
     */
    public static final java.util.List<String> FIPS_CIPHER_SUITES =
            java.util.List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

    /**
     * The key-exchange groups used in FIPS mode: ECDH over the NIST curves P-256 and P-384 (SP 800-56A Rev. 3). The
     * FIPS bootstrap sets them for the whole process; per-connection choice is not supported there.
     */
    public static final java.util.List<String> FIPS_GROUPS = java.util.List.of("P-256", "P-384");

    private TlsProtocols() {}

    /**
     * The key-exchange group a finished handshake used ({@code X25519MLKEM768}, {@code X25519}, {@code P-256}), or
     * null where the provider does not say (the JDK's) or before the handshake.
     */
    public static String namedGroup(javax.net.ssl.SSLSession session) {
        return session instanceof io.netty.handler.ssl.OpenSslSession s ? s.getNamedGroup() : null;
    }
}
