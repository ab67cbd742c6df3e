package io.vstp.transport.tls;

/** The protocol names VSTP uses in TLS. */
public final class TlsProtocols {
    /** The only TLS version VSTP negotiates (RFC 8446); TLS 1.2 and older are refused. */
    public static final String TLS_1_3 = "TLSv1.3";

    /** The ALPN protocol id (RFC 7301) for VSTP wire version 1 over TLS. */
    public static final String ALPN_VSTP_1 = "vstp/1";

    private TlsProtocols() {}
}
