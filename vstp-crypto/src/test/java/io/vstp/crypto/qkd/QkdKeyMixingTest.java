package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class QkdKeyMixingTest {
    private static final byte[] CLASSICAL =
            HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] QKD = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    private static final byte[] INFO = "test key".getBytes(StandardCharsets.US_ASCII);

    @Test
    void refusesAQkdKeyWithoutAClassicalSecret() {
        QkdKey qkd = new QkdKey("k", QKD.clone());

        assertThatThrownBy(() -> QkdKeyMixing.derive(null, qkd, INFO, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only used together with a classical shared secret")
                .hasMessageContaining("got none");
        assertThatThrownBy(() -> QkdKeyMixing.derive(new byte[0], qkd, INFO, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0 bytes");
        assertThatThrownBy(() -> QkdKeyMixing.derive(new byte[15], qkd, INFO, 32))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QkdKeyMixing.derive(CLASSICAL, new byte[0], INFO, 32))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isHkdfSha256OverTheLengthPrefixedClassicalSecretAndTheQkdKey() throws Exception {
        ByteArrayOutputStream ikm = new ByteArrayOutputStream();
        ikm.write(new byte[] {0, 0, 0, 32});
        ikm.write(CLASSICAL);
        ikm.write(QKD);

        byte[] expected =
                rfc5869("VSTP QKD key mixing v1".getBytes(StandardCharsets.US_ASCII), ikm.toByteArray(), INFO, 42);

        assertThat(QkdKeyMixing.derive(CLASSICAL, new QkdKey("k", QKD.clone()), INFO, 42))
                .isEqualTo(expected);
    }

    @Test
    void eitherPartChangesTheKeyAndTheirSplitIsUnambiguous() {
        byte[] base = QkdKeyMixing.derive(CLASSICAL, QKD, INFO, 32);
        byte[] otherQkd = QKD.clone();
        otherQkd[0] ^= 1;
        byte[] otherClassical = CLASSICAL.clone();
        otherClassical[31] ^= 1;
        // The same bytes split differently: one byte moved from the QKD key to the classical secret.
        byte[] longerClassical = Arrays.copyOf(CLASSICAL, 33);
        longerClassical[32] = QKD[0];

        assertThat(QkdKeyMixing.derive(CLASSICAL, otherQkd, INFO, 32)).isNotEqualTo(base);
        assertThat(QkdKeyMixing.derive(otherClassical, QKD, INFO, 32)).isNotEqualTo(base);
        assertThat(QkdKeyMixing.derive(longerClassical, Arrays.copyOfRange(QKD, 1, QKD.length), INFO, 32))
                .isNotEqualTo(base);
        assertThat(QkdKeyMixing.derive(CLASSICAL, QKD, "other".getBytes(StandardCharsets.US_ASCII), 32))
                .isNotEqualTo(base);
    }

    @Test
    void leavesItsInputsAlone() {
        byte[] classical = CLASSICAL.clone();
        byte[] qkd = QKD.clone();

        QkdKeyMixing.derive(classical, qkd, INFO, 32);

        assertThat(classical).isEqualTo(CLASSICAL);
        assertThat(qkd).isEqualTo(QKD);
    }

    /** RFC 5869 from the JDK's HMAC, independent of the HKDF under test. */
    private static byte[] rfc5869(byte[] salt, byte[] ikm, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        ByteArrayOutputStream okm = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int i = 1; okm.size() < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            okm.write(t);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }
}
