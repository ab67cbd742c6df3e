package io.vstp.crypto.qkd;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates of the QKD tests, made in memory: a CA the KME trusts, one it does not, the KME's server
 * certificate for 127.0.0.1, and SAE client certificates whose CN is the SAE ID.
 */
final class QkdTestPki {
    static final String SAE_A = "SAE_A";
    static final String SAE_B = "SAE_B";
    static final String SAE_C = "SAE_C";

    private static final SecureRandom RANDOM = new SecureRandom();

    static final Issued CA = ca("VSTP QKD test CA");
    static final Issued UNKNOWN_CA = ca("A CA the KME does not trust");
    static final Issued KME = issue(CA, "kme.test", KeyPurposeId.id_kp_serverAuth, "127.0.0.1");

    private QkdTestPki() {
    }

    record Issued(X509Certificate certificate, PrivateKey key) {
        /** A TLS context presenting this certificate and trusting the test CA. */
        SSLContext context() {
            try {
                return KmeTls.context(key, List.of(certificate), List.of(CA.certificate()));
            } catch (QkdException e) {
                throw new IllegalStateException(e);
            }
        }

        Path writePkcs12(Path file, char[] password) throws IOException, GeneralSecurityException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("sae", key, password, new Certificate[] {certificate});
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return file;
        }
    }

    /** A client certificate for SAE {@code saeId}, issued by {@code ca}. */
    static Issued sae(Issued ca, String saeId) {
        return issue(ca, saeId, KeyPurposeId.id_kp_clientAuth, null);
    }

    static SSLContext kmeContext() {
        return KME.context();
    }

    private static Issued ca(String name) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        return new Issued(sign(subject, keys, subject, keys.getPrivate(), true, null, null), keys.getPrivate());
    }

    private static Issued issue(Issued ca, String cn, KeyPurposeId purpose, String ipAddress) {
        KeyPair keys = newKeyPair();
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        return new Issued(sign(new X500Name("CN=" + cn), keys, issuer, ca.key(), false, purpose, ipAddress),
                keys.getPrivate());
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            boolean isCa, KeyPurposeId purpose, String ipAddress) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (ipAddress != null) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, ipAddress)));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
