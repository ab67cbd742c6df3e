package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The key types {@code vstp cert --key-type} names, and telling keys and certificates of each kind apart. */
class CertificateKeyTypeTest {
    @Test
    void namesAreReadAsTheCommandLineWritesThemAndLooser() {
        for (CertificateKeyType type : CertificateKeyType.values()) {
            assertThat(CertificateKeyType.fromName(type.optionName())).isSameAs(type);
            if (type.isMlDsa()) {
                assertThat(CertificateKeyType.fromName(type.displayName())).isSameAs(type);
            }
            assertThat(type.toString()).isEqualTo(type.displayName());
        }
        assertThat(CertificateKeyType.fromName(" MLDSA65 ")).isSameAs(CertificateKeyType.ML_DSA_65);
        assertThat(CertificateKeyType.fromName("ml_dsa_87")).isSameAs(CertificateKeyType.ML_DSA_87);
        assertThat(CertificateKeyType.fromName("EC")).isSameAs(CertificateKeyType.EC_P256);
        assertThat(CertificateKeyType.fromName("P-256")).isSameAs(CertificateKeyType.EC_P256);
        assertThat(CertificateKeyType.EC_P256.optionName()).isEqualTo("ec-p256");
        assertThat(CertificateKeyType.EC_P256.isMlDsa()).isFalse();

        assertThatThrownBy(() -> CertificateKeyType.fromName("rsa-2048"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown key type 'rsa-2048'; use ec-p256, ml-dsa-44, ml-dsa-65 or ml-dsa-87");
    }

    @ParameterizedTest
    @EnumSource(
            value = CertificateKeyType.class,
            names = {"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"})
    void eachMlDsaLevelMakesCertificatesThatAreKnownByTheirKeys(CertificateKeyType type) throws Exception {
        TestPki.KeyType kitType = TestPki.KeyType.valueOf(type.name());
        Issued ca = TestPki.ca("CA " + type.optionName(), kitType);
        Issued server = TestPki.server(ca, kitType, "127.0.0.1");

        assertThat(type.isMlDsa()).isTrue();
        assertThat(CertificateKeyType.mlDsaTypeOf(server.key())).isSameAs(type);
        assertThat(CertificateKeyType.of(server.certificate().getPublicKey())).isSameAs(type);
        assertThat(server.certificate().getSigAlgOID())
                .isEqualTo(ca.certificate().getSigAlgOID());
        assertThat(new CertifiedKey(java.util.List.of(server.certificate()), server.key()).keyMatchesLeaf())
                .isTrue();
        // A key of another level does not pass for this certificate's.
        Issued otherLevel = TestPki.selfSigned(
                type == CertificateKeyType.ML_DSA_44 ? TestPki.KeyType.ML_DSA_65 : TestPki.KeyType.ML_DSA_44);
        assertThat(new CertifiedKey(java.util.List.of(server.certificate()), otherLevel.key()).keyMatchesLeaf())
                .isFalse();
    }

    @Test
    void ecKeysCountAsEcP256OnlyOnThatCurveAndOtherKeysAsNone() throws Exception {
        assertThat(CertificateKeyType.of(TestPki.selfSigned().certificate().getPublicKey()))
                .isSameAs(CertificateKeyType.EC_P256);
        KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
        p384.initialize(new ECGenParameterSpec("secp384r1"));
        assertThat(CertificateKeyType.of(p384.generateKeyPair().getPublic())).isNull();
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThat(CertificateKeyType.of(rsa.getPublic())).isNull();
        assertThat(CertificateKeyType.mlDsaTypeOf(rsa.getPrivate())).isNull();

        // VSTP signs certificates with EC and ML-DSA keys only, and says so.
        assertThatThrownBy(() -> CertificateKeyType.certificateSigner(rsa.getPrivate()))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("cannot sign certificates with a RSA key; VSTP signs with EC or ML-DSA keys");
    }
}
