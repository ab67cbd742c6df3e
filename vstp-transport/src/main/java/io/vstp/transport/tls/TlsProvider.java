package io.vstp.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.fips.NotFipsApprovedException;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The TLS implementation behind {@link ServerTls} and {@link ClientTls}. Both behave the same towards peers (TLS
 * 1.3 only, ALPN {@value TlsProtocols#ALPN_VSTP_1}, the same certificate checks); OpenSSL (BoringSSL through
 * netty-tcnative) is faster and is chosen when it loads. {@link #BOUNCY_CASTLE} is the one that can use ML-DSA
 * certificates, and is only used when asked for.
 *
 * <p>Selection, first match wins: the provider set in the options; the system property {@value #PROPERTY}
 * ({@code openssl}, {@code jdk} or {@code bc}); OpenSSL if {@link OpenSsl#isAvailable()} and it supports TLS
 * 1.3; the JDK.
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
     * BouncyCastle's JSSE over the regular BouncyCastle provider, through the same SSLEngine API as {@link #JDK},
     * with the ML-DSA signature schemes enabled: the provider for ML-DSA certificates (see
     * {@link CertificateKeyType}). Never chosen automatically; {@code -D}{@value #PROPERTY}{@code =bc} or the
     * options select it. Provider instances are VSTP's own, not registered with {@link Security}.
     */
    BOUNCY_CASTLE("BCJSSE", SslProvider.JDK),
    /**
     * BouncyCastle's JSSE ({@value FipsMode#JSSE_PROVIDER}) in its FIPS mode over the BouncyCastle FIPS module,
     * through the same SSLEngine API as {@link #JDK}; only in {@link FipsMode FIPS mode}, where it is the only one.
     */
    FIPS("BCJSSE FIPS", SslProvider.JDK);

    /** System property that forces a provider: {@code openssl}, {@code jdk} or {@code bc}. */
    public static final String PROPERTY = "vstp.tls.provider";

    private final String displayName;
    private final SslProvider nettyProvider;

    TlsProvider(String displayName, SslProvider nettyProvider) {
        this.displayName = displayName;
        this.nettyProvider = nettyProvider;
    }

    /**
     * {@code "OpenSSL"}, {@code "JDK"}, {@code "BCJSSE"} or {@code "BCJSSE FIPS"}, as logs and
     * {@link ServerTls#provider()} show.
     */
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
            case BOUNCY_CASTLE:
                return !FipsMode.active(); // the FIPS build has no regular BouncyCastle provider
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
     *     not {@code openssl}, {@code jdk} or {@code bc}
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
            throw new TlsConfigException(
                    "TLS provider OpenSSL was requested by " + source
                            + " but netty-tcnative cannot run TLS 1.3 here"
                            + (cause != null ? ": " + cause : "; use -D" + PROPERTY + "=jdk"),
                    cause);
        }
        return chosen;
    }

    private static TlsProvider selectInFipsMode(TlsProvider requested) {
        String property = System.getProperty(PROPERTY);
        if (requested != null && requested != FIPS) {
            throw new NotFipsApprovedException(
                    "TLS provider " + requested.displayName() + " (set in the options)",
                    "FIPS mode runs TLS only on " + FIPS.displayName() + ", over the validated FIPS module");
        }
        if (requested == null && property != null && !property.isBlank()) {
            throw new NotFipsApprovedException(
                    "TLS provider " + property.strip() + " (-D" + PROPERTY + ")",
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
        try {
            return fromName(value);
        } catch (IllegalArgumentException e) {
            throw new TlsConfigException(
                    "-D" + PROPERTY + "=" + value + " is not a TLS provider; use openssl, jdk " + "or bc");
        }
    }

    /**
     * The provider named {@code name}, case-insensitive: {@code openssl}, {@code jdk}, or {@code bc} (also
     * {@code bcjsse}, {@code bouncycastle}) for {@link #BOUNCY_CASTLE}. {@link #FIPS} has no name: FIPS mode
     * chooses it.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static TlsProvider fromName(String name) {
        switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "openssl":
                return OPENSSL;
            case "jdk":
                return JDK;
            case "bc":
            case "bcjsse":
            case "bouncycastle":
                return BOUNCY_CASTLE;
            default:
                throw new IllegalArgumentException("'" + name + "' is not a TLS provider; use openssl, jdk or bc");
        }
    }

    /**
     * Whether this provider takes its key and chain straight from {@link CertifiedKeyManager} rather than from a
     * PKCS#12 key store Netty makes: the BouncyCastle ones, whose keys (FIPS module keys, ML-DSA keys) the JDK's
     * key store and key manager cannot handle.
     */
    boolean takesKeysDirectly() {
        return this == FIPS || this == BOUNCY_CASTLE;
    }

    /**
     * The JSSE provider whose PKIX trust managers check certificate chains for this provider, or null for the
     * JVM's default: the BouncyCastle providers check chains with their own crypto (the FIPS module; ML-DSA).
     */
    Provider trustManagerProvider() {
        switch (this) {
            case FIPS:
                return fipsJsseProvider();
            case BOUNCY_CASTLE:
                return BouncyCastleJsse.jsse();
            default:
                return null;
        }
    }

    /**
     * Refuses, at configuration time, a certificate key this provider cannot sign with in TLS, rather than let
     * every handshake fail with a bare {@code handshake_failure}. {@code role} says whose certificate it is and
     * where it came from, for the message.
     *
     * @throws TlsConfigException for an ML-DSA key with any provider but {@link #BOUNCY_CASTLE}
     */
    void requireUsable(CertifiedKey certifiedKey, String role) {
        CertificateKeyType mlDsa = CertificateKeyType.mlDsaTypeOf(certifiedKey.key());
        if (mlDsa == null || this == BOUNCY_CASTLE) {
            return;
        }
        if (this == FIPS) {
            throw new TlsConfigException(role + " (" + certifiedKey.fingerprint() + ") has an " + mlDsa.displayName()
                    + " key; VSTP's FIPS mode does not use ML-DSA certificates (use an EC P-256 certificate)");
        }
        throw new TlsConfigException(role + " (" + certifiedKey.fingerprint() + ") has an " + mlDsa.displayName()
                + " key, which the " + displayName + " TLS provider cannot use: neither BoringSSL (netty-tcnative) "
                + "nor the JDK's TLS supports ML-DSA certificates. Use the BCJSSE provider: -D" + PROPERTY + "=bc, "
                + "--tls-provider bc on the vstp command line, or provider(TlsProvider.BOUNCY_CASTLE) in the options");
    }
}
