package io.vstp.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.vstp.core.fips.FipsMode;
import io.vstp.core.fips.NotFipsApprovedException;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The TLS implementation behind {@link ServerTls} and {@link ClientTls}. Both behave the same towards peers (TLS
 * 1.3 only, ALPN {@value TlsProtocols#ALPN_VSTP_1}, the same certificate checks); OpenSSL (BoringSSL through
 * netty-tcnative) is faster and is chosen when it loads.
 *
 * <p>Selection, first match wins: the provider set in the options; the system property {@value #PROPERTY}
 * ({@code openssl} or {@code jdk}); OpenSSL if {@link OpenSsl#isAvailable()} and it supports TLS 1.3; the JDK.
 *
 * <p>In {@link FipsMode FIPS mode} the provider is always {@link #FIPS}, and asking for another one is refused:
 * neither BoringSSL here nor the JDK's SunJSSE is the FIPS module.
 */
public enum TlsProvider {
    /** BoringSSL through netty-tcnative (JNI). */
    OPENSSL("OpenSSL", SslProvider.OPENSSL),
    /** The JDK's own SSLEngine (SunJSSE). */
    JDK("JDK", SslProvider.JDK),
    /**
     * BouncyCastle's JSSE ({@value FipsMode#JSSE_PROVIDER}) in its FIPS mode over the BouncyCastle FIPS module,
     * through the same SSLEngine API as {@link #JDK}; only in {@link FipsMode FIPS mode}, where it is the only one.
     */
    FIPS("BCJSSE FIPS", SslProvider.JDK);

    /** System property that forces a provider: {@code openssl} or {@code jdk}. */
    public static final String PROPERTY = "vstp.tls.provider";

    private final String displayName;
    private final SslProvider nettyProvider;

    TlsProvider(String displayName, SslProvider nettyProvider) {
        this.displayName = displayName;
        this.nettyProvider = nettyProvider;
    }

    /** {@code "OpenSSL"}, {@code "JDK"} or {@code "BCJSSE FIPS"}, as logs and {@link ServerTls#provider()} show. */
    public String displayName() {
        return displayName;
    }

    SslProvider nettyProvider() {
        return nettyProvider;
    }

    /** Whether this provider can run TLS 1.3 in this JVM (for {@link #FIPS}: FIPS mode is on and installed). */
    public boolean isAvailable() {
        switch (this) {
            case OPENSSL:
                return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL);
            case FIPS:
                return fipsJsseProvider() != null;
            default:
                return true;
        }
    }

    /**
     * The installed {@value FipsMode#JSSE_PROVIDER} if FIPS mode is on and that provider runs in its FIPS mode, else
     * null. Compiled against the regular bctls jar; in FIPS mode the same class comes from bctls-fips.
     */
    static Provider fipsJsseProvider() {
        if (!FipsMode.active()) {
            return null;
        }
        Provider provider = Security.getProvider(FipsMode.JSSE_PROVIDER);
        return provider instanceof BouncyCastleJsseProvider bc && bc.isFipsMode() ? provider : null;
    }

    /**
     * The provider to use: in FIPS mode {@link #FIPS}; otherwise {@code requested} if not null, else the one named
     * by {@value #PROPERTY}, else OpenSSL if available, else the JDK.
     *
     * @throws TlsConfigException if the requested or named provider cannot run here, or the property value is
     *     not {@code openssl} or {@code jdk}
     * @throws NotFipsApprovedException in FIPS mode, if another provider than {@link #FIPS} is requested or named
     */
    static TlsProvider select(TlsProvider requested) {
        if (FipsMode.active()) {
            return selectInFipsMode(requested);
        }
        if (requested == FIPS) {
            throw new TlsConfigException("TLS provider " + FIPS.displayName() + " needs FIPS mode, which only the "
                    + "vstp-fips build runs (./vstp --fips, or java -jar vstp-fips.jar)");
        }
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

    private static TlsProvider selectInFipsMode(TlsProvider requested) {
        String property = System.getProperty(PROPERTY);
        if (requested != null && requested != FIPS) {
            throw new NotFipsApprovedException("TLS provider " + requested.displayName() + " (set in the options)",
                    "FIPS mode runs TLS only on " + FIPS.displayName() + ", over the validated FIPS module");
        }
        if (requested == null && property != null && !property.isBlank()) {
            throw new NotFipsApprovedException("TLS provider " + property.strip() + " (-D" + PROPERTY + ")",
                    "FIPS mode runs TLS only on " + FIPS.displayName() + ", over the validated FIPS module");
        }
        if (!FIPS.isAvailable()) {
            throw new TlsConfigException("FIPS mode is on (-D" + FipsMode.PROPERTY + "=true) but no "
                    + FipsMode.JSSE_PROVIDER + " provider in FIPS mode is installed: run VSTP through the vstp-fips "
                    + "build (./vstp --fips, or java -jar vstp-fips.jar), which installs it");
        }
        return FIPS;
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
