package io.vstp.transport.tls;

import io.netty.util.NetUtil;
import io.vstp.transport.fips.FipsMode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server certificate VSTP makes for itself when none is configured: EC P-256, self-signed, for
 * {@code localhost}, {@code 127.0.0.1}, {@code ::1}, this machine's host name and any configured names; kept
 * under {@code <home>/tls/} ({@code server-cert.pem}, {@code server-key.pem} with mode 0600, directory 0700) and
 * reused on later starts, so that clients that pinned it (trust on first use) keep trusting it.
 *
 * <p>It is made again, with a warning in the log, when the files are missing, unreadable, do not belong together,
 * or the certificate is expired or not yet valid. Clients that pinned the old one will then refuse the server
 * until their {@code known_hosts} line is removed: that is the point of pinning.
 *
 * <p>{@link #issue} is production code's one certificate issuer: the self-signed certificate here and the CA, server
 * and client certificates of {@code vstp cert} are all signed by it. (Tests make theirs with vstp-testkit's
 * {@code TestPki}, which signs whatever a test asks for.)
 *
 * <p>Uses only the default JCA providers plus BouncyCastle's certificate builder; it does not register the
 * BouncyCastle provider. In {@link FipsMode FIPS mode} the key, the signature and the certificate all come from
 * the FIPS provider, named explicitly so that a JDK provider earlier in the list can never make them.
 */
public final class SelfSignedCertificates {
    static final String CERTIFICATE_FILE = "server-cert.pem";
    static final String KEY_FILE = "server-key.pem";
    private static final String LOCK_FILE = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class.getPackageName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Tolerates clients whose clock is a little behind ours. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static final String MISSING = "missing";

    private SelfSignedCertificates() {}

    /**
     * The certificate and key in {@code directory}, generated there first if they are missing or unusable.
     * A file lock keeps two servers starting at once from writing a mismatched pair.
     */
    static CertifiedKey loadOrGenerate(Path directory, Set<String> extraNames, Duration validity) {
        Path certificateFile = directory.resolve(CERTIFICATE_FILE);
        Path keyFile = directory.resolve(KEY_FILE);
        try {
            PemFiles.createPrivateDirectory(directory);
            try (FileChannel lockChannel = FileChannel.open(
                    directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockChannel.lock(); // held until the channel closes
                CertifiedKey existing = null;
                String unusable;
                if (!Files.exists(certificateFile) && !Files.exists(keyFile)) {
                    unusable = MISSING;
                } else {
                    try {
                        existing = CertifiedKey.read(certificateFile, keyFile);
                        unusable = validityProblem(existing);
                    } catch (TlsConfigException e) {
                        unusable = e.getMessage();
                    }
                }
                if (unusable == null) {
                    warnIfKeyReadableByOthers(keyFile);
                    String fingerprint = existing.fingerprint();
                    LOG.atDebug()
                            .setMessage(
                                    () -> "using self-signed certificate " + fingerprint + " from " + certificateFile)
                            .log();
                    return existing;
                }
                CertifiedKey generated = generate(namesFor(extraNames), validity);
                PemFiles.writeAtomically(keyFile, PemFiles.privateKeyPem(generated.key()), PemFiles.OWNER_ONLY_FILE);
                PemFiles.writeAtomically(
                        certificateFile, PemFiles.certificatePem(generated.leaf()), PemFiles.OWNER_ONLY_FILE);
                if (unusable.equals(MISSING)) {
                    LOG.info(
                            "generated self-signed TLS certificate {} in {} (valid until {}); clients trust it on"
                                    + " first use, or pin {}",
                            generated.fingerprint(),
                            certificateFile,
                            generated.leaf().getNotAfter().toInstant(),
                            generated.fingerprint());
                } else {
                    LOG.warn(
                            "replaced the self-signed TLS certificate in {}: {}; the new one is {}. Clients that"
                                    + " pinned the old one will refuse this server until their known_hosts line for it "
                                    + "is"
                                    + " removed",
                            certificateFile,
                            unusable,
                            generated.fingerprint());
                }
                return generated;
            }
        } catch (IOException e) {
            throw new TlsConfigException(
                    "cannot create or read the self-signed server certificate in " + directory + ": "
                            + PemFiles.describe(e) + " (set another VSTP home, or configure certificate files)",
                    e);
        }
    }

    /** Null if the certificate is valid now, else why not (for the log). */
    private static String validityProblem(CertifiedKey existing) {
        Instant now = Instant.now();
        if (now.isAfter(existing.leaf().getNotAfter().toInstant())) {
            return "the old one " + existing.fingerprint() + " expired on "
                    + existing.leaf().getNotAfter().toInstant();
        }
        if (now.isBefore(existing.leaf().getNotBefore().toInstant())) {
            return "the old one " + existing.fingerprint() + " is not valid before "
                    + existing.leaf().getNotBefore().toInstant() + " (is the clock right?)";
        }
        return null;
    }

    private static void warnIfKeyReadableByOthers(Path keyFile) throws IOException {
        if (!PemFiles.isPosix(keyFile)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
        if (!PemFiles.OWNER_ONLY_FILE.containsAll(permissions)) {
            LOG.warn(
                    "{} is readable by other users (mode {}); run: chmod 600 {}",
                    keyFile,
                    java.nio.file.attribute.PosixFilePermissions.toString(permissions),
                    keyFile);
        }
    }

    /** localhost, the loopback addresses, this machine's host name, then {@code extraNames}. */
    static List<String> namesFor(Set<String> extraNames) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        String hostName = machineHostName();
        if (hostName != null) {
            names.add(hostName);
        }
        for (String name : extraNames) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return new ArrayList<>(names);
    }

    private static String machineHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            if (name != null
                    && !name.isBlank()
                    && !NetUtil.isValidIpV4Address(name)
                    && !NetUtil.isValidIpV6Address(name)) {
                return name.toLowerCase(Locale.ROOT);
            }
        } catch (UnknownHostException e) {
            // The host name does not resolve; the environment still knows it on most systems.
        }
        String fromEnvironment = System.getenv("HOSTNAME");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.toLowerCase(Locale.ROOT);
    }

    /**
     * A fresh EC P-256 key and a self-signed certificate for {@code names} (IP literals become IP address
     * entries, the rest DNS names), valid from an hour ago for {@code validity}.
     */
    static CertifiedKey generate(List<String> names, Duration validity) {
        try {
            Provider fips = fipsProvider();
            KeyPairGenerator generator =
                    fips != null ? KeyPairGenerator.getInstance("EC", fips) : KeyPairGenerator.getInstance("EC");
            if (fips != null) {
                // The FIPS module's own approved DRBG: RANDOM may come from a JDK provider.
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            }
            KeyPair keyPair = generator.generateKeyPair();

            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.O, "VSTP self-signed")
                    .addRDN(BCStyle.CN, commonName(names))
                    .build();
            Instant notBefore = Instant.now().minus(BACKDATE);
            X509Certificate certificate = issue(
                    subject,
                    keyPair.getPublic(),
                    subject,
                    keyPair.getPrivate(),
                    null,
                    notBefore,
                    notBefore.plus(validity),
                    builder -> {
                        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                        builder.addExtension(
                                Extension.extendedKeyUsage,
                                false,
                                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}));
                        builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(names));
                    });
            return new CertifiedKey(List.of(certificate), keyPair.getPrivate());
        } catch (GeneralSecurityException e) {
            // P-256 is in every JDK; failing here means a broken security configuration.
            throw new TlsConfigException("cannot generate a self-signed EC P-256 certificate: " + e, e);
        }
    }

    /** Adds the extensions particular to one kind of certificate. */
    @FunctionalInterface
    public interface Extensions {
        void addTo(X509v3CertificateBuilder builder) throws IOException;
    }

    /**
     * Signs a certificate for {@code subjectKey} with {@code issuerKey} (its kind of signature: SHA256withECDSA, or
     * ML-DSA), with a subject key identifier, an authority key identifier when {@code authorityKey} is given, and
     * {@code extensions}. Validity is kept to whole seconds, as X.509 encodes it.
     *
     * @param authorityKey the issuer's public key for the authority key identifier (key identifier only, so that a
     *                     CA re-issued with the same key still matches); null for none
     * @throws TlsConfigException if the certificate cannot be made (a key that cannot sign, ML-DSA in FIPS mode)
     */
    public static X509Certificate issue(
            X500Name subject,
            PublicKey subjectKey,
            X500Name issuer,
            PrivateKey issuerKey,
            PublicKey authorityKey,
            Instant notBefore,
            Instant notAfter,
            Extensions extensions) {
        try {
            // RFC 5280 §4.1.2.2: positive, at most 20 octets; 127 random bits are unique enough.
            BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer,
                    serial,
                    Date.from(notBefore.truncatedTo(ChronoUnit.SECONDS)),
                    Date.from(notAfter.truncatedTo(ChronoUnit.SECONDS)),
                    subject,
                    subjectKey);
            JcaX509ExtensionUtils extensionUtils = new JcaX509ExtensionUtils();
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensionUtils.createSubjectKeyIdentifier(subjectKey));
            if (authorityKey != null) {
                builder.addExtension(
                        Extension.authorityKeyIdentifier,
                        false,
                        extensionUtils.createAuthorityKeyIdentifier(authorityKey));
            }
            extensions.addTo(builder);
            Provider fips = fipsProvider();
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            ContentSigner signer;
            if (fips != null && CertificateKeyType.mlDsaTypeOf(issuerKey) == null) {
                signer = new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider(fips)
                        .build(issuerKey);
                converter.setProvider(fips);
            } else {
                signer = CertificateKeyType.certificateSigner(issuerKey);
            }
            return converter.getCertificate(builder.build(signer));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            // The algorithms are in every JDK or in BouncyCastle; failing here means a broken configuration.
            throw new TlsConfigException("cannot sign the certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    /** The FIPS provider in FIPS mode, null otherwise; FIPS mode without it is an error, never a fallback. */
    private static Provider fipsProvider() {
        if (!FipsMode.active()) {
            return null;
        }
        Provider provider = FipsMode.cryptoProvider();
        if (provider == null) {
            throw new TlsConfigException("FIPS mode is on but the " + FipsMode.CRYPTO_PROVIDER + " provider is not "
                    + "installed: cannot make the self-signed certificate with approved algorithms");
        }
        return provider;
    }

    /** The first DNS name other than localhost (the machine's name, usually), for people reading the subject. */
    private static String commonName(List<String> names) {
        for (String name : names) {
            if (!name.equals("localhost") && !NetUtil.isValidIpV4Address(name) && !NetUtil.isValidIpV6Address(name)) {
                return name;
            }
        }
        return "localhost";
    }

    /** IP literals become IP address entries, the rest DNS names. */
    public static GeneralNames subjectAlternativeNames(List<String> names) {
        GeneralName[] entries = new GeneralName[names.size()];
        for (int i = 0; i < entries.length; i++) {
            String name = names.get(i);
            boolean ip = NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name);
            entries[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name);
        }
        return new GeneralNames(entries);
    }
}
