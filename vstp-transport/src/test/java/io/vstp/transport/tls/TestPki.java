package io.vstp.transport.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Certificates made in code for tests: CAs, certificates they issue, and certificates with odd validity; EC P-256
 * unless a {@link CertificateKeyType} is given (ML-DSA for the BCJSSE tests). A certificate is signed with its
 * issuer's kind of key.
 */
final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestPki() {}

    /** A certificate and its key, writable as the two PEM files VSTP reads. */
    record Issued(X509Certificate certificate, PrivateKey key) {
        String fingerprint() {
            return CertificateFingerprints.sha256(certificate);
        }

        /** Writes {@code <dir>/<name>-cert.pem} and {@code <dir>/<name>-key.pem}; returns the pair of paths. */
        PemPair written(Path directory, String name) throws IOException {
            Path cert = directory.resolve(name + "-cert.pem");
            Path key = directory.resolve(name + "-key.pem");
            writeTo(cert, key);
            return new PemPair(cert, key);
        }

        void writeTo(Path certificateFile, Path keyFile) throws IOException {
            Files.writeString(certificateFile, PemFiles.certificatePem(certificate));
            Files.writeString(keyFile, PemFiles.privateKeyPem(key));
        }
    }

    record PemPair(Path certificate, Path key) {}

    static Issued ca(String name) {
        return ca(name, CertificateKeyType.EC_P256);
    }

    static Issued ca(String name, CertificateKeyType type) {
        KeyPair keys = type.generateKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        return new Issued(sign(subject, keys, subject, keys.getPrivate(), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30)), true, null, List.of()), keys.getPrivate());
    }

    /** A server certificate for {@code names} (IP literals and DNS names) issued by {@code ca}. */
    static Issued server(Issued ca, String... names) {
        return leaf(ca, CertificateKeyType.EC_P256, KeyPurposeId.id_kp_serverAuth, names);
    }

    /** A server certificate with a {@code type} key for {@code names}, issued by {@code ca}. */
    static Issued server(Issued ca, CertificateKeyType type, String... names) {
        return leaf(ca, type, KeyPurposeId.id_kp_serverAuth, names);
    }

    /** A client certificate issued by {@code ca}. */
    static Issued client(Issued ca, String name) {
        return leaf(ca, CertificateKeyType.EC_P256, KeyPurposeId.id_kp_clientAuth, name);
    }

    private static Issued leaf(Issued ca, CertificateKeyType type, KeyPurposeId purpose, String... names) {
        KeyPair keys = type.generateKeyPair();
        return new Issued(sign(new X500Name("CN=" + names[0]), keys,
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), ca.key(),
                Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)), false, purpose,
                List.of(names)), keys.getPrivate());
    }

    /** A self-signed server certificate for 127.0.0.1 and localhost, valid from {@code notBefore} to {@code notAfter}. */
    static Issued selfSigned(Instant notBefore, Instant notAfter) {
        return selfSigned(CertificateKeyType.EC_P256, notBefore, notAfter);
    }

    /** A self-signed server certificate with a {@code type} key for 127.0.0.1 and localhost, valid for 30 days. */
    static Issued selfSigned(CertificateKeyType type) {
        return selfSigned(type, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    private static Issued selfSigned(CertificateKeyType type, Instant notBefore, Instant notAfter) {
        KeyPair keys = type.generateKeyPair();
        X500Name subject = new X500Name("CN=localhost");
        return new Issued(sign(subject, keys, subject, keys.getPrivate(), notBefore, notAfter, false,
                KeyPurposeId.id_kp_serverAuth, List.of("127.0.0.1", "localhost")), keys.getPrivate());
    }

    static Issued selfSigned() {
        return selfSigned(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter, boolean isCa, KeyPurposeId purpose, List<String> names) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
                    subject, subjectKeys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        SelfSignedCertificates.subjectAlternativeNames(names));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(CertificateKeyType.certificateSigner(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
