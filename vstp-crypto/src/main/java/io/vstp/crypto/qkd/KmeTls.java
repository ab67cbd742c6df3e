package io.vstp.crypto.qkd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The mutual TLS between an SAE and its KME, which ETSI GS QKD 014 requires: an {@link SSLContext} holding
 * one certificate chain with its private key (the SAE's, or a KME's) and the CAs whose certificates the other side
 * must present. Build it from a PKCS#12 file or objects in memory; PEM files are read with the transport's
 * {@code io.vstp.transport.tls.PemFiles} (as {@code vstp --qkd-*} does), the one PEM reader of the project.
 *
 * <p>Every failure is a {@link QkdException} naming the file and what is wrong with it.
 */
public final class KmeTls {
    /** No legitimate PEM or PKCS#12 file of one key and a few certificates comes near this. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private KmeTls() {}

    /**
     * A context presenting {@code chain} (leaf first) with {@code key}, and trusting {@code trustedCas} to vouch
     * for the other side.
     */
    public static SSLContext context(
            PrivateKey key, List<X509Certificate> chain, Collection<X509Certificate> trustedCas) throws QkdException {
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
     * A context from a PKCS#12 file holding exactly one private key with its certificate chain, and the CA
     * certificates to trust. The password is not kept.
     */
    public static SSLContext fromPkcs12(Path pkcs12, char[] password, Collection<X509Certificate> trustedCas)
            throws QkdException {
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
            return context(key, chain, trustedCas);
        } catch (GeneralSecurityException | IOException | ClassCastException e) {
            if (e instanceof QkdException q) {
                throw q;
            }
            throw new QkdException(
                    "cannot read PKCS#12 file " + pkcs12 + " (wrong password, or not PKCS#12?): " + e.getMessage(), e);
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
