package io.vstp.fips;

import io.vstp.transport.fips.FipsMode;
import java.security.Provider;
import java.security.Security;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.fips.FipsStatus;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Puts this JVM into VSTP's FIPS mode. Call {@link #install()} first thing in {@code main}, before anything uses
 * cryptography; it is idempotent.
 *
 * <ol>
 *   <li>the BouncyCastle FIPS module in approved-only mode for every thread
 *       ({@value FipsMode#APPROVED_ONLY_PROPERTY}), so that the module itself refuses anything not approved;
 *   <li>its JCA provider {@value FipsMode#CRYPTO_PROVIDER} first and BouncyCastle's JSSE in FIPS mode
 *       ({@value FipsMode#JSSE_PROVIDER}) second;
 *   <li>the JDK's other providers removed except {@code SUN} (key stores, certificate paths), so that an algorithm
 *       the FIPS module does not offer fails with {@link java.security.NoSuchAlgorithmException} instead of coming
 *       quietly from SunJCE or SunEC (ChaCha20, X25519, ...);
 *   <li>key and trust managers from BCJSSE ({@code PKIX}), TLS key exchange on P-256 and P-384
 *       ({@code jdk.tls.namedGroups}, which BCJSSE reads);
 *   <li>{@link FipsMode} on, which the transport and the command line read.
 * </ol>
 */
public final class FipsBootstrap {
    /** The NIST curves FIPS mode offers for TLS key exchange, in BCJSSE's names. */
    static final String NAMED_GROUPS = "secp256r1,secp384r1";
    /** The JDK provider kept: its key stores and certificate path classes; its algorithms come after BCFIPS. */
    private static final Set<String> KEPT_JDK_PROVIDERS = Set.of("SUN");

    /**
     * BCJSSE warns, on every start, that it ignores two entries of the JDK's default
     * {@code jdk.certpath.disabledAlgorithms} it cannot parse (SHA-1 limits for JDK CAs and signed jars); the
     * command would print them before every result. Held here so the level set on it is not lost to garbage
     * collection of the logger.
     */
    private static final Logger CONSTRAINTS_LOG =
            Logger.getLogger("org.bouncycastle.jsse.provider.DisabledAlgorithmConstraints");

    private static boolean installed;

    private FipsBootstrap() {}

    /**
     * Installs the FIPS providers and switches FIPS mode on.
     *
     * @throws IllegalStateException if the FIPS module fails its start-up self-tests (for example because its jar
     *     was repackaged, which breaks the integrity check) or was started earlier outside approved-only mode
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        System.setProperty(FipsMode.APPROVED_ONLY_PROPERTY, "true");
        CONSTRAINTS_LOG.setLevel(Level.SEVERE);
        Provider fips;
        try {
            fips = new BouncyCastleFipsProvider();
        } catch (Error e) {
            // FipsOperationError: the module is in its error state and will do nothing; say why.
            throw new IllegalStateException(
                    "the BouncyCastle FIPS module failed its start-up self-tests: " + e.getMessage()
                            + " (its jar must be used unmodified, not repackaged)",
                    e);
        }
        if (!FipsStatus.isReady()) {
            throw new IllegalStateException(
                    "the BouncyCastle FIPS module is not ready: " + FipsStatus.getStatusMessage());
        }
        if (!CryptoServicesRegistrar.isInApprovedOnlyMode()) {
            throw new IllegalStateException("the BouncyCastle FIPS module was started before FIPS mode was installed, "
                    + "outside approved-only mode; call FipsBootstrap.install() before any cryptography runs");
        }
        Provider jsse = new BouncyCastleJsseProvider(true, fips);
        for (Provider provider : Security.getProviders()) {
            if (!KEPT_JDK_PROVIDERS.contains(provider.getName())) {
                Security.removeProvider(provider.getName());
            }
        }
        Security.insertProviderAt(fips, 1);
        Security.insertProviderAt(jsse, 2);
        Security.setProperty("ssl.KeyManagerFactory.algorithm", "PKIX");
        Security.setProperty("ssl.TrustManagerFactory.algorithm", "PKIX");
        System.setProperty("jdk.tls.namedGroups", NAMED_GROUPS);
        System.setProperty(FipsMode.PROPERTY, "true");
        installed = true;
    }
}
