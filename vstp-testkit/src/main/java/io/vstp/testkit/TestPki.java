package io.vstp.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Certificates made in code for tests, never committed: CAs, the server and client certificates they issue, and
 * self-signed certificates, with EC P-256 or ML-DSA keys and any validity (expired and not-yet-valid ones too).
 * A certificate is signed with its issuer's kind of key, as {@code vstp cert} does.
 *
 * <p>This is a test-only issuer on purpose: it signs whatever a test asks for, where the production issuer
 * ({@code io.vstp.transport.tls.SelfSignedCertificates}) refuses what it should. The shortcuts cover the usual
 * cases; {@link #certificate(String)} builds anything else.
 *
 * <pre>{@code
 * Issued ca = TestPki.ca("test CA");
 * Issued server = TestPki.server(ca, "127.0.0.1", "localhost");
 * Issued expired = TestPki.certificate("localhost").serverAuth().names("127.0.0.1")
 *         .validity(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1))).build();
 * }</pre>
 */
public final class TestPki {
    /** Tolerates a peer whose clock is a little behind, as the production issuer does. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    private static final Duration VALIDITY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** An instance, not registered: Java 17 has no ML-DSA, and a test must not change the JVM's provider list. */
    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();

    private TestPki() {}

    /** The kinds of key a test certificate can have: those {@code vstp cert --key-type} makes. */
    public enum KeyType {
        EC_P256(null),
        ML_DSA_44("ML-DSA-44"),
        ML_DSA_65("ML-DSA-65"),
        ML_DSA_87("ML-DSA-87");

        /** The JCA name of ML-DSA keys and of their signatures (pure ML-DSA, RFC 9881); null for EC. */
        private final String mlDsaName;

        KeyType(String mlDsaName) {
            this.mlDsaName = mlDsaName;
        }

        KeyPair generate() {
            try {
                if (mlDsaName != null) {
                    return KeyPairGenerator.getInstance(mlDsaName, BOUNCY_CASTLE)
                            .generateKeyPair();
                }
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate a " + this + " key", e);
            }
        }

        static KeyType of(PrivateKey key) {
            for (KeyType type : values()) {
                if (type.mlDsaName != null && type.mlDsaName.equalsIgnoreCase(key.getAlgorithm())) {
                    return type;
                }
            }
            return EC_P256;
        }
    }

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public Issued {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }

        /**
         * {@code sha256:} and the lowercase hex SHA-256 of the DER encoding: the form {@code vstp serve} prints and
         * {@code --pin} takes. Computed here independently, so a test comparing it with the transport's own
         * fingerprint checks that too.
         */
        public String fingerprint() {
            try {
                return "sha256:"
                        + HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes {@code <dir>/<name>-cert.pem} and {@code <dir>/<name>-key.pem}; returns their paths. */
        public PemPair written(Path directory, String name) throws IOException {
            Path certificateFile = directory.resolve(name + "-cert.pem");
            Path keyFile = directory.resolve(name + "-key.pem");
            writeTo(certificateFile, keyFile);
            return new PemPair(certificateFile, keyFile);
        }

        /** The certificate as PEM {@code CERTIFICATE}, the key as PKCS#8 PEM {@code PRIVATE KEY}. */
        public void writeTo(Path certificateFile, Path keyFile) throws IOException {
            Files.writeString(certificateFile, certificatePem());
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        }

        public String certificatePem() {
            try {
                return pem("CERTIFICATE", certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A PKCS#12 file holding this key and certificate under the alias {@code key}. */
        public Path writePkcs12(Path file, char[] password) throws IOException, GeneralSecurityException {
            try (OutputStream out = Files.newOutputStream(file)) {
                keyStore(password).store(out, password);
            }
            return file;
        }

        /**
         * A TLS context presenting this certificate and trusting certificates issued by {@code trusted} (CAs, or
         * self-signed certificates): the JDK's own key and trust managers.
         */
        public SSLContext tlsContext(Issued... trusted) {
            try {
                char[] password = "in-memory".toCharArray();
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keyStore(password), password);
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                for (int i = 0; i < trusted.length; i++) {
                    trust.setCertificateEntry("trusted-" + i, trusted[i].certificate());
                }
                TrustManagerFactory trustManagers =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private KeyStore keyStore(char[] password) throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password, new Certificate[] {certificate});
            return store;
        }
    }

    /** Where {@link Issued#written} put the certificate and the key. */
    public record PemPair(Path certificate, Path key) {}

    /** A self-signed EC P-256 CA named {@code commonName}, valid from an hour ago for 30 days. */
    public static Issued ca(String commonName) {
        return certificate(commonName).ca().build();
    }

    public static Issued ca(String commonName, KeyType type) {
        return certificate(commonName).ca().keyType(type).build();
    }

    /**
     * A server certificate for {@code names} (IP literals become IP address entries, the rest DNS names; the first
     * is also the common name) issued by {@code ca}, with an EC P-256 key.
     */
    public static Issued server(Issued ca, String... names) {
        return server(ca, KeyType.EC_P256, names);
    }

    public static Issued server(Issued ca, KeyType type, String... names) {
        return certificate(names[0])
                .issuedBy(ca)
                .keyType(type)
                .serverAuth()
                .names(names)
                .build();
    }

    /** A client certificate whose subject is {@code CN=commonName} (no alternative names), issued by {@code ca}. */
    public static Issued client(Issued ca, String commonName) {
        return certificate(commonName).issuedBy(ca).clientAuth().build();
    }

    /** A self-signed EC P-256 server certificate for 127.0.0.1 and localhost, valid from an hour ago for 30 days. */
    public static Issued selfSigned() {
        return selfSigned(KeyType.EC_P256);
    }

    public static Issued selfSigned(KeyType type) {
        return certificate("localhost")
                .keyType(type)
                .serverAuth()
                .names("127.0.0.1", "localhost")
                .build();
    }

    /** As {@link #selfSigned()}, valid from {@code notBefore} to {@code notAfter} (expired, or not yet valid). */
    public static Issued selfSigned(Instant notBefore, Instant notAfter) {
        return certificate("localhost")
                .serverAuth()
                .names("127.0.0.1", "localhost")
                .validity(notBefore, notAfter)
                .build();
    }

    /** Any certificate: self-signed unless {@link Builder#issuedBy}, an end entity unless {@link Builder#ca}. */
    public static Builder certificate(String commonName) {
        return new Builder(commonName);
    }

    /** Settings of one certificate; each has the default the shortcuts above use. */
    public static final class Builder {
        private final String commonName;
        private KeyType keyType = KeyType.EC_P256;
        private Issued issuer;
        private boolean ca;
        private KeyPurposeId purpose;
        private final List<String> names = new ArrayList<>();
        private Instant notBefore;
        private Instant notAfter;

        private Builder(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
        }

        public Builder keyType(KeyType type) {
            this.keyType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** Signed by {@code issuer}'s key, with its kind of signature; self-signed when not set. */
        public Builder issuedBy(Issued issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** A CA: basic constraints CA, key usage keyCertSign and cRLSign. */
        public Builder ca() {
            this.ca = true;
            return this;
        }

        /** Extended key usage serverAuth. */
        public Builder serverAuth() {
            this.purpose = KeyPurposeId.id_kp_serverAuth;
            return this;
        }

        /** Extended key usage clientAuth. */
        public Builder clientAuth() {
            this.purpose = KeyPurposeId.id_kp_clientAuth;
            return this;
        }

        /** Subject alternative names: IP literals become IP address entries, the rest DNS names. */
        public Builder names(String... subjectAlternativeNames) {
            names.addAll(List.of(subjectAlternativeNames));
            return this;
        }

        public Builder validity(Instant from, Instant until) {
            this.notBefore = Objects.requireNonNull(from, "from");
            this.notAfter = Objects.requireNonNull(until, "until");
            return this;
        }

        public Issued build() {
            KeyPair keys = keyType.generate();
            X500Name subject = new X500Name("CN=" + commonName);
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(
                            issuer.certificate().getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.key();
            Instant from = notBefore != null ? notBefore : Instant.now().minus(BACKDATE);
            Instant until = notAfter != null ? notAfter : Instant.now().plus(VALIDITY);
            try {
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        issuerName,
                        new BigInteger(127, RANDOM).add(BigInteger.ONE),
                        Date.from(from),
                        Date.from(until),
                        subject,
                        keys.getPublic());
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                builder.addExtension(
                        Extension.subjectKeyIdentifier,
                        false,
                        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
                builder.addExtension(
                        Extension.keyUsage,
                        true,
                        new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
                if (purpose != null) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                }
                if (!names.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(names));
                }
                return new Issued(
                        new JcaX509CertificateConverter().getCertificate(builder.build(signer(signingKey))),
                        keys.getPrivate());
            } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
                throw new IllegalStateException("cannot make the test certificate CN=" + commonName, e);
            }
        }
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        KeyType type = KeyType.of(key);
        if (type.mlDsaName != null) {
            return new JcaContentSignerBuilder(type.mlDsaName)
                    .setProvider(BOUNCY_CASTLE)
                    .build(key);
        }
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static GeneralNames alternativeNames(List<String> names) {
        GeneralName[] entries = new GeneralName[names.size()];
        for (int i = 0; i < entries.length; i++) {
            String name = names.get(i);
            entries[i] = new GeneralName(isIpLiteral(name) ? GeneralName.iPAddress : GeneralName.dNSName, name);
        }
        return new GeneralNames(entries);
    }

    /** Digits and dots (IPv4) or a colon (IPv6): a DNS name has neither form. */
    private static boolean isIpLiteral(String name) {
        return name.contains(":") || name.matches("[0-9.]+");
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
}
