package io.vstp.transport.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reads and writes the PEM files TLS is configured with: certificate chains, CA bundles and unencrypted private
 * keys (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}). PKCS#8 keys
 * with the ML-DSA algorithm identifiers (FIPS 204: ML-DSA-44, -65, -87) are read through the BouncyCastle
 * provider, as {@link CertificateKeyType} describes.
 *
 * <p>Errors are {@link TlsConfigException}s naming the file. Messages about key files never quote the file's
 * content.
 *
 * <p>Public for the {@code vstp cert} command, which writes the same files this package reads; not meant as a
 * general PEM library.
 */
public final class PemFiles {
    /** Mode 0600: what private key files are written with. */
    public static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PemFiles() {}

    /** Every certificate in the file, in file order (for a chain: leaf first). */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    boolean mlDsaKey = CertificateKeyType.mlDsaTypeOf(holder.getSubjectPublicKeyInfo()
                                    .getAlgorithm()
                                    .getAlgorithm())
                            != null;
                    certificates.add(
                            mlDsaKey && !io.vstp.transport.fips.FipsMode.active()
                                    ? mlDsaConverter().getCertificate(holder)
                                    : converter.getCertificate(holder));
                }
            }
        } catch (IOException e) {
            throw new TlsConfigException("cannot read certificates from " + file + ": " + describe(e), e);
        } catch (org.bouncycastle.util.encoders.DecoderException | IllegalArgumentException e) {
            // The parser's unchecked errors for a block that is not base64 or not DER: a broken file, said so.
            throw new TlsConfigException("cannot read certificates from " + file + ": malformed PEM", e);
        } catch (CertificateException e) {
            throw new TlsConfigException("cannot parse a certificate in " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException("no certificate found in " + file
                    + " (expected PEM blocks starting with -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certificates);
    }

    /**
     * Certificates with ML-DSA keys are made by BouncyCastle: BCJSSE picks a certificate by the algorithm name of
     * its public key, and on Java 17 the JDK's certificate object holds an ML-DSA key as an opaque one named by
     * its OID.
     */
    private static JcaX509CertificateConverter mlDsaConverter() {
        return new JcaX509CertificateConverter().setProvider(BouncyCastleJsse.crypto());
    }

    /** The first private key in the file. */
    public static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof PrivateKeyInfo info) {
                    CertificateKeyType mlDsa = CertificateKeyType.mlDsaTypeOf(
                            info.getPrivateKeyAlgorithm().getAlgorithm());
                    if (mlDsa != null) {
                        return readMlDsaKey(info, mlDsa, file);
                    }
                    return converter.getPrivateKey(info);
                }
                if (item instanceof PEMKeyPair pair) {
                    // Only the private half: SEC1's public key is optional ('openssl ec -no_public' leaves it out).
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (item instanceof PKCS8EncryptedPrivateKeyInfo || item instanceof PEMEncryptedKeyPair) {
                    throw new TlsConfigException("the private key in " + file + " is encrypted; VSTP reads "
                            + "unencrypted keys only (protect the file with mode 0600 instead, or decrypt it with "
                            + "'openssl pkey -in <file> -out <new file>')");
                }
            }
        } catch (IOException e) {
            // The parser's messages describe structure ("malformed PEM data"), never the key bytes.
            throw new TlsConfigException("cannot read private key from " + file + ": " + describe(e), e);
        } catch (org.bouncycastle.util.encoders.DecoderException | IllegalArgumentException e) {
            throw new TlsConfigException("cannot read private key from " + file + ": malformed PEM", e);
        }
        throw new TlsConfigException("no private key found in " + file
                + " (expected a PEM block starting with -----BEGIN PRIVATE KEY-----)");
    }

    /**
     * ML-DSA keys are made through the BouncyCastle provider whatever the JDK offers: Java 17 cannot read them,
     * and BCJSSE, the only TLS provider that can use them, signs with BouncyCastle's key objects. FIPS mode runs
     * without that provider and does not use ML-DSA certificates.
     */
    private static PrivateKey readMlDsaKey(PrivateKeyInfo info, CertificateKeyType type, Path file) throws IOException {
        if (io.vstp.transport.fips.FipsMode.active()) {
            throw new TlsConfigException("the private key in " + file + " is an " + type.displayName()
                    + " key; VSTP's FIPS mode does not use ML-DSA certificates (use an EC P-256 certificate)");
        }
        return new JcaPEMKeyConverter().setProvider(BouncyCastleJsse.crypto()).getPrivateKey(info);
    }

    public static String certificatePem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot DER-encode certificate", e);
        }
    }

    /** PKCS#8 {@code PRIVATE KEY}, the format every TLS stack reads. */
    public static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    private static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory failed", e);
        }
        return out.toString();
    }

    /**
     * Replaces {@code file} with {@code content} in one step: a temporary file in the same directory, created
     * with {@code permissions} where the file system has POSIX modes, then moved over the old one. A reader never
     * sees half a file, and a key never exists with a looser mode, not even for a moment.
     */
    public static void writeAtomically(Path file, String content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Path temporary = isPosix(directory)
                ? Files.createTempFile(
                        directory, file.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(permissions))
                : Files.createTempFile(directory, file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Creates the directory (and missing parents) with mode 0700 where the file system has POSIX modes. An
     * existing directory is left as it is: it may be one the operator shares on purpose.
     */
    public static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.toAbsolutePath().getParent();
        if (parent != null) {
            createPrivateDirectory(parent);
        }
        try {
            if (isPosix(parent)) {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } else {
                Files.createDirectory(directory);
            }
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile by another process starting at the same time; fine if it is a directory.
            if (!Files.isDirectory(directory)) {
                throw e;
            }
        }
    }

    static boolean isPosix(Path path) {
        return path != null && Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "file does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
