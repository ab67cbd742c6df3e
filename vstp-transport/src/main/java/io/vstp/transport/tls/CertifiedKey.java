package io.vstp.transport.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A certificate chain (leaf first) and the private key of its leaf: what a server presents, or a client for
 * mutual TLS. {@link #toString()} never shows the key.
 *
 * <p>Public so that transports whose handshake is not an {@code SslHandler} (DTLS, in
 * {@code io.vstp.transport.udp.dtls}) present the same certificate as {@link ServerTls}: see
 * {@link #forServer(TlsServerOptions)}.
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    private static final Logger LOG = LoggerFactory.getLogger(CertifiedKey.class.getPackageName());
    private static final byte[] CHALLENGE = "VSTP certificate and key match check".getBytes(StandardCharsets.US_ASCII);

    public CertifiedKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    /**
     * Reads both PEM files and checks that the key belongs to the chain's leaf.
     *
     * @throws TlsConfigException if a file is missing or unreadable, or the key does not belong to the leaf
     */
    public static CertifiedKey read(Path certificateChainFile, Path privateKeyFile) {
        CertifiedKey read = new CertifiedKey(
                PemFiles.readCertificates(certificateChainFile), PemFiles.readPrivateKey(privateKeyFile));
        if (!read.keyMatchesLeaf()) {
            throw new TlsConfigException("the private key in " + privateKeyFile
                    + " does not belong to the certificate in " + certificateChainFile + " ("
                    + read.fingerprint() + "); were the two files replaced at different times?");
        }
        return read;
    }

    /**
     * The server certificate {@code options} describe, loaded as {@link ServerTls} loads it: the self-signed one
     * under {@code <home>/tls/} (generated on first use), or the configured PEM files. A certificate that is not
     * valid now is returned anyway, with a warning in the log (clients refuse it; see ServerTls).
     *
     * @throws TlsConfigException if files are missing, unreadable or do not belong together
     */
    public static CertifiedKey forServer(TlsServerOptions options) {
        CertifiedKey certifiedKey = options.isSelfSigned()
                ? SelfSignedCertificates.loadOrGenerate(
                        options.home().resolve("tls"), options.selfSignedNames(), options.selfSignedValidity())
                : read(
                        options.certificateChainFile().get(),
                        options.privateKeyFile().get());
        if (!certifiedKey.isValidAt(Instant.now())) {
            // Served anyway: refusing to start would turn a renewal slip into an outage for clients that pin.
            LOG.warn(
                    "server TLS certificate {} in {} is not valid now (valid {} to {}); VSTP clients will refuse it",
                    certifiedKey.fingerprint(),
                    options.certificateChainFile().orElse(options.selfSignedCertificateFile()),
                    certifiedKey.leaf().getNotBefore().toInstant(),
                    certifiedKey.leaf().getNotAfter().toInstant());
        }
        return certifiedKey;
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** {@link CertificateFingerprints#sha256(X509Certificate)} of the leaf. */
    public String fingerprint() {
        return CertificateFingerprints.sha256(leaf());
    }

    boolean isValidAt(Instant now) {
        return !now.isBefore(leaf().getNotBefore().toInstant())
                && !now.isAfter(leaf().getNotAfter().toInstant());
    }

    /**
     * Whether the private key belongs to the leaf's public key, checked by signing a challenge: this works for
     * every key type without reaching into key internals, and catches a certificate and key file replaced
     * separately before the TLS stack fails on it with a less helpful message (or, for some providers, not at
     * all until the first handshake).
     */
    boolean keyMatchesLeaf() {
        if (CertificateKeyType.mlDsaTypeOf(key) != null) {
            return mlDsaKeyMatchesLeaf();
        }
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null) {
            return true; // a key type we cannot test; the TLS stack will judge it
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf().getPublicKey());
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // Keys of different types (an RSA key for an EC certificate) fail here: they do not match.
            return false;
        }
    }

    /**
     * The same check with BouncyCastle's ML-DSA (PemFiles reads ML-DSA keys through it). The leaf's public key is
     * decoded by BouncyCastle too: the JDK's certificate object may hold it as an opaque key on Java 17.
     */
    private boolean mlDsaKeyMatchesLeaf() {
        if (CertificateKeyType.mlDsaTypeOf(key) != CertificateKeyType.mlDsaTypeOf(leaf().getPublicKey())) {
            return false;
        }
        try {
            java.security.Provider bc = BouncyCastleJsse.crypto();
            Signature signer = Signature.getInstance("ML-DSA", bc);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            java.security.PublicKey leafKey = java.security.KeyFactory.getInstance("ML-DSA", bc)
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(
                            leaf().getPublicKey().getEncoded()));
            Signature verifier = Signature.getInstance("ML-DSA", bc);
            verifier.initVerify(leafKey);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        switch (keyAlgorithm) {
            case "EC":
                return "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return keyAlgorithm;
            default:
                return null;
        }
    }

    @Override
    public String toString() {
        return "CertifiedKey[" + leaf().getSubjectX500Principal() + ", " + fingerprint() + ", " + key.getAlgorithm()
                + " key]";
    }
}
