package io.vstp.crypto.qkd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The mutual TLS between an SAE and its KME, which ETSI GS QKD 014 requires: an {@link SSLContext} holding
 * one certificate chain with its private key (the SAE's, or for {@link KmeSimulator} the KME's) and the CAs whose
 * certificates the other side must present. Build it from PEM files, a PKCS#12 file, or objects in memory.
 *
 * <p>Every failure is a {@link QkdException} naming the file and what is wrong with it.
 */
public final class KmeTls {
    /** No legitimate PEM or PKCS#12 file of one key and a few certificates comes near this. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private static final Map<ASN1ObjectIdentifier, String> KEY_ALGORITHMS = Map.of(
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            PKCSObjectIdentifiers.id_RSASSA_PSS, "RSASSA-PSS",
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            new ASN1ObjectIdentifier("1.3.101.112"), "Ed25519", // RFC 8410
            new ASN1ObjectIdentifier("1.3.101.113"), "Ed448");

    private KmeTls() {
    }

    /**
     * A context presenting {@code chain} (leaf first) with {@code key}, and trusting {@code trustedCas} to vouch
     * for the other side.
     */
    public static SSLContext context(PrivateKey key, List<X509Certificate> chain,
            Collection<X509Certificate> trustedCas) throws QkdException {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
        if (!keyMatchesCertificate(key, chain.get(0))) {
            throw new QkdException("the private key does not belong to the certificate "
                    + chain.get(0).getSubjectX500Principal() + "; were the files replaced at different times?");
        }
        try {
            // The password only protects the key inside this in-memory key store, which never leaves the process.
            char[] password = "in-memory".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("key", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers(trustedCas).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new QkdException("cannot build the TLS context for the KME connection: " + e.getMessage(), e);
        }
    }

    /**
     * A context from PEM files: the certificate chain (leaf first), its unencrypted private key (PKCS#8, PKCS#1 or
     * SEC1), and the CA certificates to trust.
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey, Path trustedCas) throws QkdException {
        List<X509Certificate> chain = readCertificates(certificateChain);
        PrivateKey key = readPrivateKey(privateKey);
        try {
            return context(key, chain, readCertificates(trustedCas));
        } catch (QkdException e) {
            throw new QkdException(e.getMessage() + " (" + certificateChain + ", " + privateKey + ")", e);
        }
    }

    /**
     * A context from a PKCS#12 file holding exactly one private key with its certificate chain, and a PEM file of
     * the CA certificates to trust. The password is not kept.
     */
    public static SSLContext fromPkcs12(Path pkcs12, char[] password, Path trustedCas) throws QkdException {
        byte[] bytes = read(pkcs12);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
            List<String> keyAliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                }
            }
            if (keyAliases.size() != 1) {
                throw new QkdException(pkcs12 + " holds " + keyAliases.size()
                        + " private keys; it must hold exactly one, the SAE's (or the KME's)");
            }
            String alias = keyAliases.get(0);
            PrivateKey key = (PrivateKey) store.getKey(alias, password);
            List<X509Certificate> chain = new ArrayList<>();
            Certificate[] certificates = store.getCertificateChain(alias);
            for (Certificate c : certificates == null ? new Certificate[0] : certificates) {
                chain.add((X509Certificate) c);
            }
            if (chain.isEmpty()) {
                throw new QkdException(pkcs12 + " holds a private key without its certificate");
            }
            return context(key, chain, readCertificates(trustedCas));
        } catch (GeneralSecurityException | IOException | ClassCastException e) {
            if (e instanceof QkdException q) {
                throw q;
            }
            throw new QkdException("cannot read PKCS#12 file " + pkcs12 + " (wrong password, or not PKCS#12?): "
                    + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, in file order. */
    public static List<X509Certificate> readCertificates(Path pem) throws QkdException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (PemObject object : pemObjects(pem)) {
                if (object.getType().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(object.getContent())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new QkdException("cannot read a certificate in " + pem + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new QkdException("no PEM certificate (-----BEGIN CERTIFICATE-----) in " + pem);
        }
        return certificates;
    }

    /** The one unencrypted private key of a PEM file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). */
    public static PrivateKey readPrivateKey(Path pem) throws QkdException {
        List<PemObject> keys = new ArrayList<>();
        for (PemObject object : pemObjects(pem)) {
            if (object.getType().endsWith("PRIVATE KEY")) {
                keys.add(object);
            }
        }
        if (keys.size() != 1) {
            throw new QkdException(pem + " holds " + keys.size() + " PEM private keys; it must hold exactly one");
        }
        PemObject object = keys.get(0);
        boolean encrypted = object.getType().equals("ENCRYPTED PRIVATE KEY") || object.getHeaders().stream()
                .anyMatch(h -> ((PemHeader) h).getValue().contains("ENCRYPTED"));
        if (encrypted) {
            throw new QkdException("the private key in " + pem + " is encrypted; decrypt it (openssl pkcs8 -topk8"
                    + " -nocrypt) or use a PKCS#12 file with its password");
        }
        try {
            PrivateKeyInfo info = switch (object.getType()) {
                case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(object.getContent());
                case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(object.getContent()));
                case "EC PRIVATE KEY" -> {
                    ECPrivateKey sec1 = ECPrivateKey.getInstance(object.getContent());
                    ASN1Object curve = sec1.getParametersObject();
                    if (curve == null) {
                        throw new QkdException("the EC private key in " + pem + " does not name its curve");
                    }
                    yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve),
                            sec1);
                }
                default -> throw new QkdException("unsupported PEM type " + object.getType() + " in " + pem);
            };
            ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
            String algorithm = KEY_ALGORITHMS.get(oid);
            if (algorithm == null) {
                throw new QkdException("unsupported private key algorithm " + oid + " in " + pem
                        + "; use RSA, EC, Ed25519 or Ed448");
            }
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            if (e instanceof QkdException q) {
                throw q;
            }
            throw new QkdException("cannot read the private key in " + pem + ": " + e.getMessage(), e);
        }
    }

    static TrustManagerFactory trustManagers(Collection<X509Certificate> trustedCas)
            throws GeneralSecurityException, IOException {
        if (trustedCas.isEmpty()) {
            throw new IllegalArgumentException("no trusted CA certificates");
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate ca : trustedCas) {
            trust.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trust);
        return factory;
    }

    /**
     * Whether {@code key} belongs to {@code certificate}, tested by signing: this works for every key type without
     * reaching into key internals, and turns a mismatch into a clear message instead of a handshake failure later.
     */
    private static boolean keyMatchesCertificate(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // a key type we cannot test here; the TLS handshake will judge it
        }
        try {
            byte[] challenge = "VSTP KME TLS key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA key for an EC certificate
        }
    }

    private static List<PemObject> pemObjects(Path pem) throws QkdException {
        byte[] bytes = read(pem);
        List<PemObject> objects = new ArrayList<>();
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(bytes),
                StandardCharsets.US_ASCII); PemReader pemReader = new PemReader(reader)) {
            for (PemObject o = pemReader.readPemObject(); o != null; o = pemReader.readPemObject()) {
                objects.add(o);
            }
        } catch (IOException | RuntimeException e) {
            throw new QkdException("cannot read PEM file " + pem + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        return objects;
    }

    private static byte[] read(Path file) throws QkdException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new QkdException(file + " is larger than " + MAX_FILE_BYTES + " bytes; is it the right file?");
            }
            return bytes;
        } catch (IOException e) {
            if (e instanceof QkdException q) {
                throw q;
            }
            throw new QkdException("cannot read " + file + ": " + e, e);
        }
    }
}
