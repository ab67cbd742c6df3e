package io.vstp.cli;

import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.tls.CertificateKeyType;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.TlsConfigException;
import io.vstp.transport.tls.TlsProvider;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

/**
 * {@code --tls-provider} for serve and the client commands, and when the CLI picks BCJSSE by itself: only for
 * ML-DSA certificates (which no other provider can use), and only when nothing chose a provider, neither the
 * option nor {@code -D}{@value TlsProvider#PROPERTY}, nor FIPS mode. The library itself never does this
 * ({@link TlsProvider}): there, OpenSSL stays the default and an ML-DSA key with it is a configuration error.
 */
final class TlsProviderChoice {
    private TlsProviderChoice() {}

    /** The provider named by {@code --tls-provider}, or null if it was not given. */
    static TlsProvider parse(String option) {
        if (option == null) {
            return null;
        }
        try {
            return TlsProvider.fromName(option);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--tls-provider: " + e.getMessage());
        }
    }

    /** Whether the CLI may choose: no system property names a provider, and FIPS mode (which has one) is off. */
    static boolean isAutomatic() {
        String property = System.getProperty(TlsProvider.PROPERTY);
        return (property == null || property.isBlank()) && !FipsMode.active();
    }

    /**
     * Whether the PEM file holds a certificate with an ML-DSA key. False for null or an unreadable file: the TLS
     * setup reports that one, naming it.
     */
    static boolean holdsMlDsaCertificate(Path pemFile) {
        if (pemFile == null) {
            return false;
        }
        try {
            for (X509Certificate certificate : PemFiles.readCertificates(pemFile)) {
                if (CertificateKeyType.mlDsaTypeOf(certificate.getPublicKey()) != null) {
                    return true;
                }
            }
        } catch (TlsConfigException e) {
            return false;
        }
        return false;
    }
}
