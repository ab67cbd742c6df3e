package io.vstp.cli;

import io.netty.util.NetUtil;
import io.vstp.transport.tls.CertificateFingerprints;
import io.vstp.transport.tls.CertificateKeyType;
import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.SelfSignedCertificates;
import io.vstp.transport.tls.TlsConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vstp cert}: a small private PKI for VSTP — a CA, server and client certificates it issues, and the
 * fingerprint of any certificate in the form {@code vstp serve} prints and {@code --pin} accepts
 * ({@link CertificateFingerprints#sha256(X509Certificate)}).
 *
 * <p>Keys are EC P-256 by default, or ML-DSA ({@code --key-type ml-dsa-65}; usable in TLS with the BCJSSE provider
 * only), written as unencrypted PKCS#8 PEM with mode 0600 (where the file system has POSIX modes) and never
 * printed. Each certificate is signed with its issuer's kind of key: SHA256withECDSA, or ML-DSA. Existing files are
 * never replaced without {@code --force}. Reading and writing PEM goes
 * through {@link PemFiles}, the helper the TLS code reads these files with.
 */
@Command(
        name = "cert",
        mixinStandardHelpOptions = true,
        description = "Create a private CA and the server and client certificates it issues; print fingerprints.",
        subcommands = {
            CertCommand.Ca.class,
            CertCommand.Server.class,
            CertCommand.Client.class,
            CertCommand.Fingerprint.class
        },
        footer = {
            "",
            "Examples:",
            "  vstp cert ca --out pki",
            "  vstp cert ca --out pq-pki --key-type ml-dsa-65   (servers then need --tls-provider bc)",
            "  vstp cert server --ca-dir pki --out pki/server --name vstp.example.org --san 10.0.0.5",
            "  vstp cert client --ca-dir pki --out pki/alice --name alice",
            "  vstp cert fingerprint pki/server/server-cert.pem"
        })
final class CertCommand implements Callable<Integer> {
    static final String CA_CERT = "ca-cert.pem";
    static final String CA_KEY = "ca-key.pem";

    /** Tolerates peers whose clock is a little behind ours (as the self-signed certificates do). */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");

    @Override
    public Integer call() {
        throw new CliException(
                ExitCodes.USAGE, "missing subcommand: ca, server, client or fingerprint (see 'vstp cert --help')");
    }

    /** What every creating subcommand shares: where to write, for how long, and whether to replace files. */
    abstract static class Creating implements Callable<Integer> {
        @Option(
                names = "--out",
                paramLabel = "DIR",
                required = true,
                description = "Directory to write to (created with mode 0700 if missing).")
        Path out;

        @Option(names = "--force", description = "Replace existing files.")
        boolean force;

        @Spec
        CommandSpec spec;

        abstract int days();

        /** The --key-type given, or null. */
        abstract String keyTypeOption();

        /** {@code --key-type} parsed, or {@code otherwise} when it was not given. */
        CertificateKeyType keyType(CertificateKeyType otherwise) {
            String option = keyTypeOption();
            if (option == null) {
                return otherwise;
            }
            try {
                return CertificateKeyType.fromName(option);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "--key-type: " + e.getMessage());
            }
        }

        KeyPair newKeyPair(CertificateKeyType type) {
            try {
                return type.generateKeyPair();
            } catch (TlsConfigException e) {
                throw new CliException(ExitCodes.FAILED, e.getMessage(), e);
            }
        }

        Duration validity() {
            int days = days();
            if (days < 1 || days > 36_500) {
                throw new CliException(ExitCodes.USAGE, "--days must be between 1 and 36500: " + days);
            }
            return Duration.ofDays(days);
        }

        /** Writes the key (0600) then the certificate, after checking that neither exists unless --force. */
        void write(Path certificateFile, X509Certificate certificate, Path keyFile, PrivateKey key) {
            for (Path f : List.of(certificateFile, keyFile)) {
                if (!force && Files.exists(f)) {
                    throw new CliException(ExitCodes.IO, f + " already exists; use --force to replace it");
                }
            }
            try {
                PemFiles.createPrivateDirectory(out);
            } catch (IOException e) {
                throw new CliException(ExitCodes.IO, "cannot create directory " + out + ": " + describe(e), e);
            }
            writeFile(keyFile, PemFiles.privateKeyPem(key), true);
            writeFile(certificateFile, PemFiles.certificatePem(certificate), false);
        }

        private static void writeFile(Path file, String content, boolean secret) {
            try {
                PemFiles.writeAtomically(
                        file,
                        content,
                        secret ? PemFiles.OWNER_ONLY_FILE : PosixFilePermissions.fromString("rw-r--r--"));
            } catch (IOException e) {
                throw new CliException(ExitCodes.IO, "cannot write " + file + ": " + describe(e), e);
            }
        }

        void printKey(Path keyFile) {
            boolean posix = Files.getFileAttributeView(keyFile, PosixFileAttributeView.class) != null;
            spec.commandLine()
                    .getOut()
                    .println("wrote " + keyFile + ": private key"
                            + (posix ? " (mode 0600; keep it secret)" : " (keep it secret: restrict who can read it)"));
        }

        void printFingerprint(X509Certificate certificate) {
            spec.commandLine().getOut().println("fingerprint " + CertificateFingerprints.sha256(certificate));
            spec.commandLine().getOut().flush();
        }
    }

    /** {@code vstp cert ca}: a self-signed CA that can issue end-entity certificates only. */
    @Command(
            name = "ca",
            mixinStandardHelpOptions = true,
            description = "Create a CA: DIR/" + CA_CERT + " and DIR/" + CA_KEY + " (EC P-256 unless --key-type).")
    static final class Ca extends Creating {
        @Option(
                names = "--key-type",
                paramLabel = "TYPE",
                description = "ec-p256 (default), ml-dsa-44, ml-dsa-65 "
                        + "or ml-dsa-87. ML-DSA certificates work in TLS with the BCJSSE provider only "
                        + "(--tls-provider bc).")
        String keyType;

        @Override
        String keyTypeOption() {
            return keyType;
        }

        @Option(
                names = "--name",
                paramLabel = "CN",
                defaultValue = "VSTP CA",
                description = "The CA's common name (default '${DEFAULT-VALUE}').")
        String name;

        @Option(
                names = "--days",
                paramLabel = "N",
                defaultValue = "3650",
                description = "Validity in days (default ${DEFAULT-VALUE}).")
        int days;

        @Override
        int days() {
            return days;
        }

        @Override
        public Integer call() {
            Duration validity = validity();
            CertificateKeyType type = keyType(CertificateKeyType.EC_P256);
            KeyPair keys = newKeyPair(type);
            X500Name subject = commonName(name);
            Instant now = Instant.now();
            X509Certificate ca = sign(
                    subject, keys, subject, keys.getPrivate(), null, now.minus(BACKDATE), now.plus(validity), b -> {
                        // pathLen 0: this CA issues servers and clients, never other CAs.
                        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
                        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                    });
            Path certificateFile = out.resolve(CA_CERT);
            Path keyFile = out.resolve(CA_KEY);
            write(certificateFile, ca, keyFile, keys.getPrivate());
            spec.commandLine()
                    .getOut()
                    .println("wrote " + certificateFile + ": CA " + describe(ca) + ", " + type.displayName() + " key");
            printKey(keyFile);
            printFingerprint(ca);
            return ExitCodes.OK;
        }
    }

    /** What server and client certificates share: the issuing CA. */
    abstract static class Issuing extends Creating {
        @Option(
                names = "--ca-dir",
                paramLabel = "DIR",
                required = true,
                description = "Directory holding " + CA_CERT + " and " + CA_KEY + " (from 'vstp cert ca').")
        Path caDir;

        @Option(
                names = "--days",
                paramLabel = "N",
                defaultValue = "825",
                description = "Validity in days (default ${DEFAULT-VALUE}; never beyond the CA's).")
        int days;

        @Option(
                names = "--key-type",
                paramLabel = "TYPE",
                description = "ec-p256, ml-dsa-44, ml-dsa-65 or ml-dsa-87 "
                        + "(default: the CA's, so that the whole chain is of one kind).")
        String keyType;

        @Override
        int days() {
            return days;
        }

        @Override
        String keyTypeOption() {
            return keyType;
        }

        /** The key type for the new certificate: --key-type, else the CA's own. */
        CertificateKeyType keyTypeFor(CertifiedKey ca) {
            CertificateKeyType caType = CertificateKeyType.of(ca.leaf().getPublicKey());
            return keyType(caType != null ? caType : CertificateKeyType.EC_P256);
        }

        CertifiedKey loadCa() {
            Path certificateFile = caDir.resolve(CA_CERT);
            CertifiedKey ca;
            try {
                ca = CertifiedKey.read(certificateFile, caDir.resolve(CA_KEY));
            } catch (TlsConfigException e) {
                throw new CliException(ExitCodes.IO, e.getMessage(), e);
            }
            if (ca.leaf().getBasicConstraints() < 0) {
                throw new CliException(ExitCodes.IO, certificateFile + " is not a CA certificate");
            }
            if (Instant.now().isAfter(ca.leaf().getNotAfter().toInstant())) {
                throw new CliException(
                        ExitCodes.IO,
                        "the CA in " + certificateFile + " expired on "
                                + ca.leaf().getNotAfter().toInstant());
            }
            return ca;
        }

        /**
         * Issues a leaf for {@code commonName} with {@code purpose}; {@code names} become subject alternative names.
         */
        X509Certificate issue(
                CertifiedKey ca, KeyPair keys, String commonName, KeyPurposeId purpose, List<String> names) {
            Duration validity = validity();
            Instant now = Instant.now();
            Instant notAfter = now.plus(validity);
            Instant caNotAfter = ca.leaf().getNotAfter().toInstant();
            if (notAfter.isAfter(caNotAfter)) {
                notAfter = caNotAfter;
                spec.commandLine().getErr().println("vstp: note: validity shortened to the CA's, until " + caNotAfter);
            }
            X500Name issuer =
                    X500Name.getInstance(ca.leaf().getSubjectX500Principal().getEncoded());
            return sign(commonName(commonName), keys, issuer, ca.key(), ca.leaf(), now.minus(BACKDATE), notAfter, b -> {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                if (!names.isEmpty()) {
                    b.addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            SelfSignedCertificates.subjectAlternativeNames(names));
                }
            });
        }
    }

    /** {@code vstp cert server}: a TLS server certificate (serverAuth) for DNS names and IP addresses. */
    @Command(
            name = "server",
            mixinStandardHelpOptions = true,
            description = {
                "Issue a server certificate: DIR/server-cert.pem and DIR/server-key.pem, signed by the CA.",
                "--name and every --san become subject alternative names: IP literals as IP addresses, the rest "
                        + "as DNS names. Clients check the name they connect to against them."
            })
    static final class Server extends Issuing {
        @Option(
                names = "--name",
                paramLabel = "HOST",
                required = true,
                description = "The server's main name (also the common name), e.g. vstp.example.org or 10.0.0.5.")
        String name;

        @Option(names = "--san", paramLabel = "NAME", description = "Another DNS name or IP address. Repeatable.")
        List<String> sans = new ArrayList<>();

        @Override
        public Integer call() {
            List<String> names = serverNames(name, sans);
            CertifiedKey ca = loadCa();
            CertificateKeyType type = keyTypeFor(ca);
            KeyPair keys = newKeyPair(type);
            X509Certificate certificate = issue(ca, keys, names.get(0), KeyPurposeId.id_kp_serverAuth, names);
            Path certificateFile = out.resolve("server-cert.pem");
            Path keyFile = out.resolve("server-key.pem");
            write(certificateFile, certificate, keyFile, keys.getPrivate());
            spec.commandLine()
                    .getOut()
                    .println("wrote " + certificateFile + ": server certificate for " + String.join(", ", names) + ", "
                            + describe(certificate) + ", " + type.displayName() + " key");
            printKey(keyFile);
            spec.commandLine()
                    .getOut()
                    .println("serve with: vstp serve --cert " + certificateFile + " --key "
                            + keyFile + "; clients trust it with --ca " + caDir.resolve(CA_CERT) + " or --pin"
                            + (type.isMlDsa()
                                    ? " (ML-DSA: both sides use the BCJSSE provider, --tls-provider bc)"
                                    : ""));
            printFingerprint(certificate);
            return ExitCodes.OK;
        }
    }

    /** {@code vstp cert client}: a client certificate (clientAuth) for mutual TLS. */
    @Command(
            name = "client",
            mixinStandardHelpOptions = true,
            description = "Issue a client certificate for mutual TLS: DIR/client-cert.pem and DIR/client-key.pem, "
                    + "signed by the CA.")
    static final class Client extends Issuing {
        @Option(names = "--name", paramLabel = "CN", required = true, description = "The client's common name.")
        String name;

        @Override
        public Integer call() {
            if (name.isBlank()) {
                throw new CliException(ExitCodes.USAGE, "--name must not be empty");
            }
            CertifiedKey ca = loadCa();
            KeyPair keys = newKeyPair(keyTypeFor(ca));
            X509Certificate certificate = issue(ca, keys, name, KeyPurposeId.id_kp_clientAuth, List.of());
            Path certificateFile = out.resolve("client-cert.pem");
            Path keyFile = out.resolve("client-key.pem");
            write(certificateFile, certificate, keyFile, keys.getPrivate());
            spec.commandLine()
                    .getOut()
                    .println("wrote " + certificateFile + ": client certificate " + describe(certificate));
            printKey(keyFile);
            spec.commandLine()
                    .getOut()
                    .println("accepted by a server started with --client-ca " + caDir.resolve(CA_CERT));
            printFingerprint(certificate);
            return ExitCodes.OK;
        }
    }

    /** {@code vstp cert fingerprint}: exactly one line, {@code sha256:<hex>}, for scripts and {@code --pin}. */
    @Command(
            name = "fingerprint",
            mixinStandardHelpOptions = true,
            description = {
                "Print the SHA-256 fingerprint of the (first) certificate in a PEM file, as 'vstp serve' "
                        + "prints it and --pin accepts."
            })
    static final class Fingerprint implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A PEM certificate (a chain: its first, leaf certificate).")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<X509Certificate> certificates;
            try {
                certificates = PemFiles.readCertificates(file);
            } catch (TlsConfigException e) {
                throw new CliException(ExitCodes.IO, e.getMessage(), e);
            }
            spec.commandLine().getOut().println(CertificateFingerprints.sha256(certificates.get(0)));
            spec.commandLine().getOut().flush();
            if (certificates.size() > 1) {
                spec.commandLine()
                        .getErr()
                        .println("vstp: note: " + file + " holds " + certificates.size()
                                + " certificates; this is the first");
            }
            return ExitCodes.OK;
        }
    }

    // ---- certificate building ----

    /**
     * Signs a certificate through the transport's one issuer ({@link SelfSignedCertificates#issue}), with the
     * issuer's kind of key (SHA256withECDSA or ML-DSA), subject and authority key identifiers plus
     * {@code extensions}. {@code issuerCertificate} is null for a self-signed certificate.
     */
    static X509Certificate sign(
            X500Name subject,
            KeyPair subjectKeys,
            X500Name issuer,
            PrivateKey issuerKey,
            X509Certificate issuerCertificate,
            Instant notBefore,
            Instant notAfter,
            SelfSignedCertificates.Extensions extensions) {
        try {
            return SelfSignedCertificates.issue(
                    subject,
                    subjectKeys.getPublic(),
                    issuer,
                    issuerKey,
                    issuerCertificate == null ? subjectKeys.getPublic() : issuerCertificate.getPublicKey(),
                    notBefore,
                    notAfter,
                    extensions);
        } catch (TlsConfigException e) {
            throw new CliException(ExitCodes.FAILED, "cannot create the certificate: " + e.getMessage(), e);
        }
    }

    static X500Name commonName(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    }

    /**
     * {@code name} then {@code sans}, normalised (DNS names lower-case, IPv6 without brackets) and without
     * duplicates.
     *
     * @throws CliException (usage) for something that is neither an IP literal nor a DNS name
     */
    static List<String> serverNames(String name, List<String> sans) {
        Set<String> names = new LinkedHashSet<>();
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(sans);
        for (String raw : all) {
            String n = raw.strip();
            if (n.startsWith("[") && n.endsWith("]")) {
                n = n.substring(1, n.length() - 1);
            }
            if (isIpLiteral(n)) {
                names.add(n);
                continue;
            }
            n = n.toLowerCase(Locale.ROOT);
            if (!isDnsName(n)) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "not a DNS name or IP address: '" + raw + "'"
                                + (raw.chars().anyMatch(c -> c > 0x7f)
                                        ? " (write internationalised names in their " + "xn-- form)"
                                        : ""));
            }
            names.add(n);
        }
        return new ArrayList<>(names);
    }

    private static boolean isIpLiteral(String s) {
        return NetUtil.isValidIpV4Address(s) || NetUtil.isValidIpV6Address(s);
    }

    /** Letters, digits, '-' and '_' in labels of at most 63; a leading '*' label for a wildcard. */
    private static boolean isDnsName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        String[] labels = s.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 2;
            if (!wildcard && !DNS_LABEL.matcher(labels[i]).matches()) {
                return false;
            }
        }
        return true;
    }

    private static String describe(X509Certificate certificate) {
        return "\"" + certificate.getSubjectX500Principal().getName() + "\", valid until "
                + certificate.getNotAfter().toInstant();
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        return m != null ? m : e.getClass().getSimpleName();
    }
}
