package io.vstp.crypto.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.KeyId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignedManifestTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static Manifest manifest(SignatureAlgorithm a, byte[] publicKey) {
        return new Manifest(
                "reports/q3.pdf", 1048576, SHA, false, Instant.parse("2026-12-02T01:00:00Z"), KeyId.of(publicKey), a);
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void signsParsesAndVerifies(SignatureAlgorithm a) {
        byte[] priv = a.generatePrivateKey(RANDOM);
        byte[] pub = a.publicKeyOf(priv);
        assertThat(pub).hasSize(a.publicKeyLength());
        SignedManifest signed = SignedManifest.sign(manifest(a, pub), priv, RANDOM);
        assertThat(signed.signature()).hasSize(a.signatureLength());
        SignedManifest parsed = SignedManifest.parse(signed.encode());
        assertThat(parsed.manifest()).isEqualTo(signed.manifest());
        assertThat(parsed.verify(pub)).isTrue();
        assertThat(new String(signed.encode(), StandardCharsets.UTF_8))
                .startsWith("vstp-manifest: 1\nname: reports/q3.pdf\nsize: 1048576\n")
                .contains("algorithm: " + a.id() + "\nsignature: ");
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void anyChangedFieldOrAnotherKeyFailsVerification(SignatureAlgorithm a) {
        byte[] priv = a.generatePrivateKey(RANDOM);
        byte[] pub = a.publicKeyOf(priv);
        String text =
                new String(SignedManifest.sign(manifest(a, pub), priv, RANDOM).encode(), StandardCharsets.UTF_8);
        for (String[] change : new String[][] {
            {"size: 1048576", "size: 1048577"},
            {"name: reports/q3.pdf", "name: reports/q4.pdf"},
            {"encrypted: false", "encrypted: true"},
            {"sha256: 9f", "sha256: 8f"},
            {"created: 2026-12-02T01:00:00Z", "created: 2026-12-02T01:00:01Z"}
        }) {
            SignedManifest altered =
                    SignedManifest.parse(text.replace(change[0], change[1]).getBytes(StandardCharsets.UTF_8));
            assertThat(altered.verify(pub)).as(change[1]).isFalse();
        }
        byte[] other = a.publicKeyOf(a.generatePrivateKey(RANDOM));
        assertThat(SignedManifest.parse(text.getBytes(StandardCharsets.UTF_8)).verify(other))
                .isFalse();
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void aFlippedSignatureBitFails(SignatureAlgorithm a) {
        byte[] priv = a.generatePrivateKey(RANDOM);
        byte[] pub = a.publicKeyOf(priv);
        SignedManifest s = SignedManifest.sign(manifest(a, pub), priv, RANDOM);
        byte[] sig = s.signature();
        sig[sig.length / 2] ^= 0x10;
        assertThat(new SignedManifest(s.manifest(), sig).verify(pub)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(SignatureAlgorithm.class)
    void refusesToSignForAKeyTheManifestDoesNotName(SignatureAlgorithm a) {
        byte[] priv = a.generatePrivateKey(RANDOM);
        byte[] otherPub = a.publicKeyOf(a.generatePrivateKey(RANDOM));
        assertThatThrownBy(() -> SignedManifest.sign(manifest(a, otherPub), priv, RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another key");
    }

    @org.junit.jupiter.api.Test
    void nonCanonicalOrHostileInputIsRefused() {
        byte[] priv = SignatureAlgorithm.ED25519.generatePrivateKey(RANDOM);
        String good = new String(
                SignedManifest.sign(
                                manifest(SignatureAlgorithm.ED25519, SignatureAlgorithm.ED25519.publicKeyOf(priv)),
                                priv,
                                RANDOM)
                        .encode(),
                StandardCharsets.UTF_8);
        String[] bad = {
            "",
            good.replace("vstp-manifest: 1", "vstp-manifest: 2"),
            good.replace("size: 1048576", "size: 01048576"),
            good.replace("size: 1048576", "size: -1"),
            good.replace("encrypted: false", "encrypted: no"),
            good.replace("\n", "\r\n"),
            good.replace("name: reports", "name: \treports"),
            good.replace("size: 1048576", "size: +1048576"),
            good.replace("algorithm: ed25519", "algorithm: rsa"),
            good.replace("signature: ", "signature: !!"),
            good.substring(0, good.length() - 1),
            "name: x\n" + good,
            good + "extra: 1\n",
            good.replace("=\n", "\n"),
            good.replace("name: reports", "name: \u0085reports"),
            good.replace("created: 2026", "created: +10000"),
        };
        for (String b : bad) {
            assertThatThrownBy(() -> SignedManifest.parse(b.getBytes(StandardCharsets.UTF_8)))
                    .as(b)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> SignedManifest.parse(new byte[SignedManifest.MAX_SIZE + 1]))
                .hasMessageContaining("larger than");
        assertThatThrownBy(() -> SignedManifest.parse(new byte[] {(byte) 0xff, (byte) 0xfe}))
                .hasMessageContaining("UTF-8");
    }
}
