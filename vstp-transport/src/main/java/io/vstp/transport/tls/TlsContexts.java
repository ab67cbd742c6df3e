package io.vstp.transport.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.List;

/**
 * The settings every VSTP TLS context shares, server and client, whatever the provider.
 *
 * <p><b>TLS 1.3 only</b> (RFC 8446): the protocol list holds nothing else, so a TLS 1.2 hello gets a
 * {@code protocol_version} alert. Cipher suites are left to the provider unless options restrict them (for
 * measurements): all TLS 1.3 suites are AEAD with forward secrecy, and BoringSSL does not let them be configured,
 * so a restriction there is refused rather than silently ignored.
 *
 * <p><b>ALPN {@value TlsProtocols#ALPN_VSTP_1}</b> (RFC 7301), offered by clients and selected by servers. A peer
 * that offers no ALPN, or only other protocols, still connects, with no protocol selected: tools such as
 * {@code openssl s_client} and early clients in other languages send none, and the VSTP HELLO that follows is the
 * real protocol check. That is also the only failure behaviour both providers implement
 * ({@code NO_ADVERTISE}/{@code ACCEPT}; Netty's OpenSSL binding rejects {@code FATAL_ALERT}).
 */
final class TlsContexts {
    static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
            TlsProtocols.ALPN_VSTP_1);

    private TlsContexts() {}

    /** @throws TlsConfigException if {@code cipherSuites} is not empty and the provider cannot honour it */
    static SslContextBuilder configure(SslContextBuilder builder, TlsProvider provider, List<String> cipherSuites,
                                       List<String> groups) {
        builder.sslProvider(provider.nettyProvider())
                .protocols(TlsProtocols.TLS_1_3)
                .applicationProtocolConfig(ALPN);
        if (provider == TlsProvider.OPENSSL) {
            builder.option(io.netty.handler.ssl.OpenSslContextOption.GROUPS, groups.toArray(String[]::new));
        }
        if (!cipherSuites.isEmpty()) {
            if (provider == TlsProvider.OPENSSL) {
                throw new TlsConfigException("TLS 1.3 cipher suites " + cipherSuites + " cannot be configured with "
                        + provider.displayName() + " (BoringSSL fixes them); force the JDK provider");
            }
            builder.ciphers(cipherSuites);
        }
        return builder;
    }

}
