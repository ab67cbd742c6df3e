package io.vstp.transport.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate chain (leaf first) and the private key of its leaf: what a server presents, or a client for
 * mutual TLS. {@link #toString()} never shows the key.
 */
record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    CertifiedKey {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty certificate chain");
        }
    }

    /** Reads both PEM files and checks that the key belongs to the chain's leaf. */
    static CertifiedKey read(Path certificateChainFile, Path privateKeyFile) {
        CertifiedKey read = new CertifiedKey(
                PemFiles.readCertificates(certificateChainFile), PemFiles.readPrivateKey(privateKeyFile));
        if (!read.keyMatchesLeaf()) {
            throw new TlsConfigException("the private key in " + privateKeyFile
                    + " does not belong to the certificate in " + certificateChainFile + " ("
                    + read.fingerprint() + "); were the two files replaced at different times?");
        }
        return read;
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    String fingerprint() {
        return CertificateFingerprints.sha256(leaf());
    }

    boolean isValidAt(Instant now) {
        return !now.isBefore(leaf().getNotBefore().toInstant()) && !now.isAfter(leaf().getNotAfter().toInstant());
    }

    /**
     * Whether the private key belongs to the leaf's public key, checked by signing a challenge: this works for
     * every key type without reaching into key internals, and catches a certificate and key file replaced
     * separately before the TLS stack fails on it with a less helpful message (or, for some providers, not at
     * all until the first handshake).
     */
    boolean keyMatchesLeaf() {
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null) {
            return true; // a key type we cannot test; the TLS stack will judge it
        }
        try {
            byte[] challenge = "VSTP certificate and key match check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf().getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // Keys of different types (an RSA key for an EC certificate) fail here: they do not match.
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
        return "CertifiedKey[" + leaf().getSubjectX500Principal() + ", " + fingerprint() + ", "
                + key.getAlgorithm() + " key]";
    }
}
