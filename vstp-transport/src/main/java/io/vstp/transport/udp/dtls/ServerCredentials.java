package io.vstp.transport.udp.dtls;

import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.TlsConfigException;
import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerContext;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The server's {@link CertifiedKey} in BouncyCastle's form, and the choice of signature scheme for each handshake.
 * Loaded once per link; the TCP transport's certificate reload does not apply (yet) to DTLS.
 */
final class ServerCredentials {
    private final BcTlsCrypto crypto;
    private final Certificate chain;
    private final AsymmetricKeyParameter privateKey;
    private final boolean ecdsa;
    /** For an EC key: the hash that matches its curve (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512). */
    private final short curveHash;

    private final String fingerprint;

    private ServerCredentials(
            BcTlsCrypto crypto,
            Certificate chain,
            AsymmetricKeyParameter privateKey,
            boolean ecdsa,
            short curveHash,
            String fingerprint) {
        this.crypto = crypto;
        this.chain = chain;
        this.privateKey = privateKey;
        this.ecdsa = ecdsa;
        this.curveHash = curveHash;
        this.fingerprint = fingerprint;
    }

    /** @throws TlsConfigException if the key is neither EC nor RSA (DTLS 1.2 has no EdDSA suites in BouncyCastle) */
    static ServerCredentials of(CertifiedKey certifiedKey, BcTlsCrypto crypto) {
        String algorithm = certifiedKey.key().getAlgorithm();
        boolean ecdsa;
        short curveHash = HashAlgorithm.sha256;
        if (algorithm.equals("EC")) {
            ecdsa = true;
            if (certifiedKey.key() instanceof ECKey ec) {
                int bits = ec.getParams().getCurve().getField().getFieldSize();
                curveHash =
                        bits > 384 ? HashAlgorithm.sha512 : bits > 256 ? HashAlgorithm.sha384 : HashAlgorithm.sha256;
            }
        } else if (algorithm.equals("RSA")) {
            ecdsa = false;
        } else {
            throw new TlsConfigException("the server certificate " + certifiedKey.fingerprint() + " has a " + algorithm
                    + " key; DTLS needs an EC (P-256) or RSA key");
        }
        try {
            List<X509Certificate> x509 = certifiedKey.chain();
            TlsCertificate[] certificates = new TlsCertificate[x509.size()];
            for (int i = 0; i < certificates.length; i++) {
                certificates[i] = crypto.createCertificate(x509.get(i).getEncoded());
            }
            AsymmetricKeyParameter key =
                    PrivateKeyFactory.createKey(certifiedKey.key().getEncoded());
            return new ServerCredentials(
                    crypto, new Certificate(certificates), key, ecdsa, curveHash, certifiedKey.fingerprint());
        } catch (IOException | CertificateEncodingException | RuntimeException e) {
            throw new TlsConfigException(
                    "cannot use the server certificate " + certifiedKey.fingerprint() + " for DTLS: " + e.getMessage(),
                    e);
        }
    }

    /** Whether the key is EC (ECDHE_ECDSA suites) rather than RSA (ECDHE_RSA suites). */
    boolean isEcdsa() {
        return ecdsa;
    }

    String fingerprint() {
        return fingerprint;
    }

    /** A signer for this handshake, with a scheme the client offered in signature_algorithms (RFC 5246 §7.4.1.4.1). */
    TlsCredentialedSigner signer(TlsServerContext context) throws IOException {
        @SuppressWarnings("unchecked")
        Vector<SignatureAndHashAlgorithm> offered =
                context.getSecurityParametersHandshake().getClientSigAlgs();
        SignatureAndHashAlgorithm scheme = offered == null ? null : choose(offered);
        if (scheme == null) {
            throw new TlsFatalAlert(
                    AlertDescription.handshake_failure,
                    "the client offers no signature scheme for a " + (ecdsa ? "EC" : "RSA") + " key");
        }
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, chain, scheme);
    }

    private SignatureAndHashAlgorithm choose(List<SignatureAndHashAlgorithm> offered) {
        SignatureAndHashAlgorithm fallback = null;
        for (SignatureAndHashAlgorithm scheme : offered) {
            if (ecdsa) {
                if (scheme.getSignature() == SignatureAlgorithm.ecdsa && isSha2(scheme.getHash())) {
                    if (scheme.getHash() == curveHash) {
                        return scheme;
                    }
                    fallback = fallback == null ? scheme : fallback;
                }
            } else if (scheme.getSignature() == SignatureAlgorithm.rsa_pss_rsae_sha256
                    || scheme.getSignature() == SignatureAlgorithm.rsa_pss_rsae_sha384
                    || scheme.getSignature() == SignatureAlgorithm.rsa_pss_rsae_sha512
                    || scheme.getSignature() == SignatureAlgorithm.rsa && isSha2(scheme.getHash())) {
                return scheme;
            }
        }
        return fallback;
    }

    private static boolean isSha2(short hash) {
        return hash == HashAlgorithm.sha256 || hash == HashAlgorithm.sha384 || hash == HashAlgorithm.sha512;
    }
}
