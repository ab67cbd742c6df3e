package io.vstp.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.crypto.testing.VectorFile;
import io.vstp.crypto.testing.VectorFile.Values;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.MLDSASigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ML-DSA-65 (FIPS 204) of BouncyCastle's lightweight API against NIST ACVP vectors: keys from a seed, signature
 * verification, deterministic and hedged signing. These use {@code org.bouncycastle.crypto.signers.MLDSASigner}
 * and {@code org.bouncycastle.crypto.params}, which BouncyCastle 1.84 recommends over the deprecated
 * {@code org.bouncycastle.pqc.crypto.mldsa}.
 *
 * <p>The ACVP revision used signs and verifies with the internal interface (FIPS 204 Algorithms 7 and 8: the
 * message is M' itself). BouncyCastle reaches it through {@code generateMuSignature}/{@code verifyMuSignature}
 * with mu = SHAKE256(tr || M', 64) computed here; {@link #pureSigningIsTheInternalInterfaceOverTheFormattedMessage}
 * ties that path to the ordinary one, {@code update} then {@code generateSignature}.
 */
class MlDsaVectorsTest {
    private static final MLDSAParameters ML_DSA_65 = MLDSAParameters.ml_dsa_65;
    private static final int MU_LENGTH = 64;
    private static final VectorFile KEY_GEN = VectorFile.load("acvp-mldsa65-keygen.json");
    private static final VectorFile SIG_VER = VectorFile.load("acvp-mldsa65-sigver.json");
    private static final VectorFile SIG_GEN = VectorFile.load("acvp-mldsa65-siggen.json");

    static List<Values> keyGen() {
        return KEY_GEN.cases("cases");
    }

    static List<Values> sigVer() {
        return SIG_VER.cases("cases");
    }

    static List<Values> deterministicSigGen() {
        return SIG_GEN.cases("deterministic");
    }

    static List<Values> hedgedSigGen() {
        return SIG_GEN.cases("hedged");
    }

    @ParameterizedTest
    @MethodSource("keyGen")
    void theSeedGivesThePublicAndPrivateKeys(Values v) {
        MLDSAPrivateKeyParameters key = new MLDSAPrivateKeyParameters(ML_DSA_65, v.hex("seed"));
        assertThat(key.getPublicKey()).isEqualTo(v.hex("pk"));
        assertThat(key.getParametersWithFormat(MLDSAPrivateKeyParameters.EXPANDED_KEY)
                        .getEncoded())
                .isEqualTo(v.hex("sk"));
    }

    @ParameterizedTest
    @MethodSource("sigVer")
    void verificationAcceptsExactlyTheUnmodifiedSignatures(Values v) {
        byte[] pk = SIG_VER.top().hex("pk");
        MLDSASigner verifier = new MLDSASigner();
        verifier.init(false, new MLDSAPublicKeyParameters(ML_DSA_65, pk));

        boolean valid = verifier.verifyMuSignature(mu(shake256(MU_LENGTH, pk), v.hex("message")), v.hex("signature"));

        assertThat(valid).isEqualTo(v.flag("testPassed"));
    }

    @ParameterizedTest
    @MethodSource("deterministicSigGen")
    void deterministicSigningGivesTheSignature(Values v) throws CryptoException {
        MLDSAPrivateKeyParameters sk = new MLDSAPrivateKeyParameters(ML_DSA_65, v.hex("sk"));
        MLDSASigner signer = new MLDSASigner();
        // No randomness given: BouncyCastle signs with rnd = 32 zero bytes, FIPS 204's deterministic variant.
        signer.init(true, sk);

        assertThat(signer.generateMuSignature(mu(sk.getTr(), v.hex("message")))).isEqualTo(v.hex("signature"));
    }

    @ParameterizedTest
    @MethodSource("hedgedSigGen")
    void hedgedSigningWithTheGivenRandomnessGivesTheSignature(Values v) throws CryptoException {
        MLDSAPrivateKeyParameters sk = new MLDSAPrivateKeyParameters(ML_DSA_65, v.hex("sk"));
        MLDSASigner signer = new MLDSASigner();
        signer.init(true, new ParametersWithRandom(sk, new FixedRandom(v.hex("rnd"))));

        assertThat(signer.generateMuSignature(mu(sk.getTr(), v.hex("message")))).isEqualTo(v.hex("signature"));
    }

    @ParameterizedTest
    @MethodSource("deterministicSigGen")
    void signaturesFromTheVectorsVerify(Values v) {
        MLDSAPrivateKeyParameters sk = new MLDSAPrivateKeyParameters(ML_DSA_65, v.hex("sk"));
        MLDSASigner verifier = new MLDSASigner();
        verifier.init(false, sk.getPublicKeyParameters());

        assertThat(verifier.verifyMuSignature(mu(sk.getTr(), v.hex("message")), v.hex("signature")))
                .isTrue();
    }

    @Test
    void pureSigningIsTheInternalInterfaceOverTheFormattedMessage() throws CryptoException {
        // FIPS 204 Algorithm 2 (ML-DSA.Sign, pure, empty context) signs M' = 0x00 || 0x00 (context length) || M.
        // Signatures made the ordinary way must equal the internal-interface path the vectors check above.
        Values v = deterministicSigGen().get(0);
        MLDSAPrivateKeyParameters sk = new MLDSAPrivateKeyParameters(ML_DSA_65, v.hex("sk"));
        byte[] message = v.hex("message");

        MLDSASigner pure = new MLDSASigner();
        pure.init(true, sk);
        pure.update(message, 0, message.length);
        byte[] signature = pure.generateSignature();

        MLDSASigner internal = new MLDSASigner();
        internal.init(true, sk);
        byte[] formatted = new byte[message.length + 2];
        System.arraycopy(message, 0, formatted, 2, message.length);
        assertThat(signature).isEqualTo(internal.generateMuSignature(mu(sk.getTr(), formatted)));
    }

    /** mu = SHAKE256(tr || M', 512 bits), FIPS 204 Algorithm 7 line 6; tr = SHAKE256(pk, 512 bits). */
    private static byte[] mu(byte[] tr, byte[] message) {
        return shake256(MU_LENGTH, tr, message);
    }

    private static byte[] shake256(int length, byte[]... parts) {
        SHAKEDigest shake = new SHAKEDigest(256);
        for (byte[] p : parts) {
            shake.update(p, 0, p.length);
        }
        byte[] out = new byte[length];
        shake.doFinal(out, 0, length);
        return out;
    }

    /** Randomness that is the vector's rnd: hands out exactly those bytes once, and fails if asked for others. */
    private static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private byte[] remaining;

        FixedRandom(byte[] bytes) {
            this.remaining = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (remaining == null || out.length != remaining.length) {
                throw new IllegalStateException("asked for " + out.length + " random bytes, the vector has "
                        + (remaining == null ? "none left" : remaining.length));
            }
            System.arraycopy(remaining, 0, out, 0, out.length);
            remaining = null;
        }
    }
}
