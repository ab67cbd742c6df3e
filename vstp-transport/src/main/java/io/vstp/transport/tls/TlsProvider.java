package io.vstp.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * The TLS implementation behind {@link ServerTls} and {@link ClientTls}. Both behave the same towards peers (TLS
 * 1.3 only, ALPN {@value TlsProtocols#ALPN_VSTP_1}, the same certificate checks); OpenSSL (BoringSSL through
 * netty-tcnative) is faster and is chosen when it loads.
 *
 * <p>Selection, first match wins: the provider set in the options; the system property {@value #PROPERTY}
 * ({@code openssl} or {@code jdk}); OpenSSL if {@link OpenSsl#isAvailable()} and it supports TLS 1.3; the JDK.
 */
public enum TlsProvider {
    /** BoringSSL through netty-tcnative (JNI). */
    OPENSSL("OpenSSL", SslProvider.OPENSSL),
    /** The JDK's own SSLEngine (SunJSSE). */
    JDK("JDK", SslProvider.JDK);

    /** System property that forces a provider: {@code openssl} or {@code jdk}. */
    public static final String PROPERTY = "vstp.tls.provider";

    private final String displayName;
    private final SslProvider nettyProvider;

    TlsProvider(String displayName, SslProvider nettyProvider) {
        this.displayName = displayName;
        this.nettyProvider = nettyProvider;
    }

    /** {@code "OpenSSL"} or {@code "JDK"}, as logs and {@link ServerTls#provider()} show it. */
    public String displayName() {
        return displayName;
    }

    SslProvider nettyProvider() {
        return nettyProvider;
    }

    /** Whether this provider can run TLS 1.3 in this JVM. */
    public boolean isAvailable() {
        return this == JDK || (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL));
    }

    /**
     * The provider to use: {@code requested} if not null, else the one named by {@value #PROPERTY}, else OpenSSL
     * if available, else the JDK.
     *
     * @throws TlsConfigException if the requested or named provider cannot run here, or the property value is
     *     not {@code openssl} or {@code jdk}
     */
    static TlsProvider select(TlsProvider requested) {
        TlsProvider chosen = requested;
        String source = "the options";
        if (chosen == null) {
            String property = System.getProperty(PROPERTY);
            if (property != null && !property.isBlank()) {
                chosen = parse(property);
                source = "-D" + PROPERTY + "=" + property;
            }
        }
        if (chosen == null) {
            return OPENSSL.isAvailable() ? OPENSSL : JDK;
        }
        if (!chosen.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            throw new TlsConfigException("TLS provider OpenSSL was requested by " + source
                    + " but netty-tcnative cannot run TLS 1.3 here"
                    + (cause != null ? ": " + cause : "; use -D" + PROPERTY + "=jdk"), cause);
        }
        return chosen;
    }

    private static TlsProvider parse(String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "openssl":
                return OPENSSL;
            case "jdk":
                return JDK;
            default:
                throw new TlsConfigException(
                        "-D" + PROPERTY + "=" + value + " is not a TLS provider; use openssl or jdk");
        }
    }
}
