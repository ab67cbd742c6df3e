/**
 * VSTP over TCP with TLS 1.3 and over UDP with DTLS 1.2. Exported: the client and server
 * ({@code io.vstp.transport}), the authentication SPI vstp-security and plugins implement ({@code auth}), TLS and
 * DTLS settings ({@code tls}, {@code udp.dtls}) and the UDP endpoint ({@code udp}). The session machinery is
 * internal; vstp-services alone reads its header names and auth helpers (docs/decisions/013-module-boundaries.md).
 */
// The qualified export names a module built after this one; javac cannot see it yet and would warn.
@SuppressWarnings("module")
module io.vstp.transport {
    requires transitive io.vstp.core;
    // Channels, event loops and SSL contexts appear in the exported signatures.
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires transitive io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    // SelfSignedCertificates.issue takes BouncyCastle's names and certificate builder (for `vstp cert`).
    requires transitive org.bouncycastle.provider;
    requires transitive org.bouncycastle.pkix;
    requires org.bouncycastle.util;
    requires org.bouncycastle.tls;
    requires org.slf4j;

    exports io.vstp.transport;
    exports io.vstp.transport.auth;
    exports io.vstp.transport.fips;
    exports io.vstp.transport.tls;
    exports io.vstp.transport.udp;
    exports io.vstp.transport.udp.dtls;
    exports io.vstp.transport.session to
            io.vstp.services;
    // Duration parsing for the security settings; the VSTP home directory: not API.
    exports io.vstp.transport.internal to
            io.vstp.security;
}
