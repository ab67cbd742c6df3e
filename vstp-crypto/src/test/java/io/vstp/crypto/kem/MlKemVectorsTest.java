package io.vstp.crypto.kem;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.crypto.testing.VectorFile;
import io.vstp.crypto.testing.VectorFile.Values;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ML-KEM-768 (FIPS 203) of BouncyCastle against NIST ACVP vectors, through the classes {@link HybridKem} uses:
 * a private key from its 64-byte seed d||z, encapsulation with a given m, decapsulation with implicit rejection.
 * BouncyCastle 1.84 deprecates {@code org.bouncycastle.pqc.crypto.mlkem} for {@code org.bouncycastle.crypto.kems}
 * and {@code .params}; these vectors follow HybridKem and move with it.
 */
class MlKemVectorsTest {
    private static final MLKEMParameters ML_KEM_768 = MLKEMParameters.ml_kem_768;
    private static final VectorFile KEY_GEN = VectorFile.load("acvp-mlkem768-keygen.json");
    private static final VectorFile ENCAP_DECAP = VectorFile.load("acvp-mlkem768-encapdecap.json");

    static List<Values> keyGen() {
        return KEY_GEN.cases("cases");
    }

    static List<Values> encapsulation() {
        return ENCAP_DECAP.cases("encapsulation");
    }

    static List<Values> decapsulation() {
        return ENCAP_DECAP.top().object("decapsulation").list("cases");
    }

    @ParameterizedTest
    @MethodSource("keyGen")
    void theSeedGivesTheEncapsulationAndDecapsulationKeys(Values v) {
        MLKEMPrivateKeyParameters key = new MLKEMPrivateKeyParameters(ML_KEM_768, seed(v));
        assertThat(key.getPublicKey()).isEqualTo(v.hex("ek"));
        assertThat(key.getParametersWithFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY)
                        .getEncoded())
                .isEqualTo(v.hex("dk"));
    }

    @ParameterizedTest
    @MethodSource("keyGen")
    void hybridPrivateKeyLayoutGivesTheAcvpEncapsulationKey(Values v) {
        // HybridKem's private key is X25519 scalar (32) || ML-KEM seed d||z (64): with the vector's d||z in the
        // ML-KEM part, its public key must end in the vector's ek. The scalar is arbitrary.
        byte[] scalar = new byte[HybridKem.X25519_LENGTH];
        Arrays.fill(scalar, (byte) 0x5a);
        byte[] privateKey = HybridKem.concat(scalar, seed(v));

        byte[] publicKey = HybridKem.publicKeyOf(privateKey);

        assertThat(publicKey).hasSize(HybridKem.PUBLIC_KEY_LENGTH);
        assertThat(Arrays.copyOfRange(publicKey, HybridKem.X25519_LENGTH, HybridKem.PUBLIC_KEY_LENGTH))
                .isEqualTo(v.hex("ek"));
        assertThat(Arrays.copyOfRange(publicKey, 0, HybridKem.X25519_LENGTH))
                .isEqualTo(new X25519PrivateKeyParameters(scalar)
                        .generatePublicKey()
                        .getEncoded());
    }

    @ParameterizedTest
    @MethodSource("encapsulation")
    void encapsulationWithGivenRandomnessGivesTheCiphertextAndKey(Values v) {
        MLKEMPublicKeyParameters ek = new MLKEMPublicKeyParameters(ML_KEM_768, v.hex("ek"));

        SecretWithEncapsulation result = MLKEMGenerator.internalGenerateEncapsulated(ek, v.hex("m"));

        assertThat(result.getEncapsulation()).isEqualTo(v.hex("c"));
        assertThat(result.getSecret()).isEqualTo(v.hex("k"));
    }

    @ParameterizedTest
    @MethodSource("encapsulation")
    void theMatchingDecapsulationKeyRecoversTheEncapsulatedKey(Values v) {
        MLKEMPrivateKeyParameters dk = new MLKEMPrivateKeyParameters(ML_KEM_768, v.hex("dk"));
        assertThat(dk.getPublicKey()).isEqualTo(v.hex("ek"));
        assertThat(new MLKEMExtractor(dk).extractSecret(v.hex("c"))).isEqualTo(v.hex("k"));
    }

    @ParameterizedTest
    @MethodSource("decapsulation")
    void decapsulationGivesTheKeyOrTheImplicitRejectionKey(Values v) {
        Values group = ENCAP_DECAP.top().object("decapsulation");
        MLKEMPrivateKeyParameters dk = new MLKEMPrivateKeyParameters(ML_KEM_768, group.hex("dk"));
        assertThat(dk.getPublicKey()).isEqualTo(group.hex("ek"));

        // For "modify ciphertext" cases k is FIPS 203's rejection key J(z||c): no exception, a key of no use.
        assertThat(new MLKEMExtractor(dk).extractSecret(v.hex("c"))).isEqualTo(v.hex("k"));
    }

    private static byte[] seed(Values v) {
        return HybridKem.concat(v.hex("d"), v.hex("z"));
    }
}
