package io.vstp.transport.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContextBuilder;
import io.vstp.transport.fips.NotFipsApprovedException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
 *
 * <p><b>FIPS mode</b> ({@link TlsProvider#FIPS}): the JDK's SSLEngine API with BouncyCastle's JSSE in its FIPS
 * mode, {@link TlsProtocols#FIPS_CIPHER_SUITES} unless a subset of them is asked for, and
 * {@link TlsProtocols#FIPS_GROUPS}. Asking for anything else (ChaCha20-Poly1305, X25519, the hybrid group) is
 * refused with a {@link NotFipsApprovedException} naming it, never quietly dropped.
 *
 * <p><b>BCJSSE</b> ({@link TlsProvider#BOUNCY_CASTLE}): the same SSLEngine path with VSTP's own instance of
 * BouncyCastle's JSSE, whose engines also accept and offer the ML-DSA signature schemes (see
 * {@link BouncyCastleJsse}). Cipher suites can be restricted as with the JDK; key-exchange groups are BCJSSE's.
 */
final class TlsContexts {
    static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE,
            SelectedListenerFailureBehavior.ACCEPT,
            TlsProtocols.ALPN_VSTP_1);

    private TlsContexts() {}

    /**
     * @throws TlsConfigException if {@code cipherSuites} is not empty and the provider cannot honour it
     * @throws NotFipsApprovedException with {@link TlsProvider#FIPS}, if a suite or group is not FIPS-approved
     */
    static SslContextBuilder configure(
            SslContextBuilder builder, TlsProvider provider, List<String> cipherSuites, List<String> groups) {
        builder.sslProvider(provider.nettyProvider())
                .protocols(TlsProtocols.TLS_1_3)
                .applicationProtocolConfig(ALPN);
        if (provider == TlsProvider.FIPS) {
            checkFipsGroups(groups);
            return builder.sslContextProvider(TlsProvider.fipsJsseProvider()).ciphers(fipsCipherSuites(cipherSuites));
        }
        if (provider == TlsProvider.BOUNCY_CASTLE) {
            // BCJSSE through the JDK's SSLEngine API, as in FIPS mode; the provider also enables ML-DSA per engine.
            builder.sslContextProvider(BouncyCastleJsse.sslContextProvider());
        }
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

    /** The suites to enable in FIPS mode: the approved ones, or those of {@code requested} if all are approved. */
    private static List<String> fipsCipherSuites(List<String> requested) {
        for (String suite : requested) {
            if (!TlsProtocols.FIPS_CIPHER_SUITES.contains(suite)) {
                throw new NotFipsApprovedException(
                        "TLS cipher suite " + suite,
                        suite.contains("CHACHA20")
                                ? "ChaCha20-Poly1305 is not a FIPS-approved cipher; FIPS mode offers AES-GCM: "
                                        + String.join(", ", TlsProtocols.FIPS_CIPHER_SUITES)
                                : "FIPS mode offers only " + String.join(", ", TlsProtocols.FIPS_CIPHER_SUITES));
            }
        }
        return requested.isEmpty() ? TlsProtocols.FIPS_CIPHER_SUITES : requested;
    }

    /**
     * The default list (which leads with X25519MLKEM768 and X25519) stands for the FIPS groups in FIPS mode; a list
     * set by the caller must not name a group FIPS mode does not have, and cannot narrow the FIPS groups, which are
     * set for the whole process.
     */
    private static void checkFipsGroups(List<String> groups) {
        if (groups.equals(TlsProtocols.DEFAULT_GROUPS)) {
            return;
        }
        Set<String> named = new HashSet<>();
        for (String group : groups) {
            String fipsName = fipsGroupName(group);
            if (fipsName == null) {
                String upper = group.toUpperCase(Locale.ROOT);
                throw new NotFipsApprovedException(
                        "TLS key-exchange group " + group,
                        (upper.contains("MLKEM") || upper.contains("KYBER")
                                        ? "the hybrid's X25519 half is not an approved key agreement and the FIPS "
                                                + "module has "
                                                + "no ML-KEM; "
                                        : "")
                                + "FIPS mode uses ECDH over " + String.join(" and ", TlsProtocols.FIPS_GROUPS)
                                + " (SP 800-56A) only");
            }
            named.add(fipsName);
        }
        if (!named.containsAll(TlsProtocols.FIPS_GROUPS)) {
            throw new TlsConfigException("in FIPS mode the key-exchange groups are " + TlsProtocols.FIPS_GROUPS
                    + " for the whole process; choosing among them per server or client is not supported (got "
                    + groups + ")");
        }
    }

    /** {@code P-256} or {@code P-384} for those groups under their BoringSSL or IANA names, else null. */
    private static String fipsGroupName(String group) {
        switch (group.toLowerCase(Locale.ROOT)) {
            case "p-256":
            case "secp256r1":
                return "P-256";
            case "p-384":
            case "secp384r1":
                return "P-384";
            default:
                return null;
        }
    }
}
