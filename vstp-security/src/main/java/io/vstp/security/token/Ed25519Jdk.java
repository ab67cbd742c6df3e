package io.vstp.security.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;

/**
 * EdDSA (Ed25519) with the JDK's own provider (Java 15+). nimbus-jose-jwt verifies Ed25519 only through Google Tink
 * (an optional dependency of some MB) and cannot turn an {@code OKP} JWK into a {@link java.security.Key}; these few
 * lines close both gaps without a new dependency.
 */
final class Ed25519Jdk {
    /**
     * The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING
     * }.
     */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private static final int KEY_LENGTH = 32;

    private Ed25519Jdk() {}

    /** The JDK public key of an Ed25519 {@code OKP} JWK. */
    static PublicKey publicKey(OctetKeyPair okp) throws GeneralSecurityException {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
            throw new GeneralSecurityException("not an Ed25519 key: " + okp.getCurve());
        }
        byte[] x = okp.getDecodedX();
        if (x.length != KEY_LENGTH) {
            throw new GeneralSecurityException("Ed25519 key of " + x.length + " bytes");
        }
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + KEY_LENGTH);
        System.arraycopy(x, 0, spki, SPKI_PREFIX.length, KEY_LENGTH);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /** The {@code OKP} JWK of a JDK Ed25519 public key. */
    static OctetKeyPair.Builder jwk(EdECPublicKey key) {
        byte[] encoded = key.getEncoded();
        byte[] x = Arrays.copyOfRange(encoded, encoded.length - KEY_LENGTH, encoded.length);
        return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x));
    }

    /** Verifies EdDSA signatures with one Ed25519 key. Refuses any {@code crit} header (we understand none). */
    static final class Verifier implements JWSVerifier {
        private final PublicKey key;
        private final JCAContext jca = new JCAContext();

        Verifier(PublicKey key) {
            this.key = key;
        }

        @Override
        public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
            if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                throw new JOSEException("Ed25519 verifier given " + header.getAlgorithm());
            }
            if (header.getCriticalParams() != null
                    && !header.getCriticalParams().isEmpty()) {
                return false;
            }
            try {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(signingInput);
                return verifier.verify(signature.decode());
            } catch (SignatureException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
            }
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.EdDSA);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }
}
