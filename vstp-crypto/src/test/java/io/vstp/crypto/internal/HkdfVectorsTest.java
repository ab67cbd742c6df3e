package io.vstp.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.crypto.testing.VectorFile;
import io.vstp.crypto.testing.VectorFile.Values;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Hkdf} against the SHA-256 test cases of RFC 5869 Appendix A. */
class HkdfVectorsTest {
    private static final VectorFile RFC_5869 = VectorFile.load("rfc5869-hkdf-sha256.json");

    static List<Values> cases() {
        return RFC_5869.cases("cases");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void extractGivesThePseudorandomKey(Values v) {
        assertThat(Hkdf.extract(v.hex("salt"), v.hex("ikm"))).isEqualTo(v.hex("prk"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void expandGivesTheOutputKeyingMaterial(Values v) {
        assertThat(Hkdf.expand(v.hex("prk"), v.hex("info"), v.number("length"))).isEqualTo(v.hex("okm"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void deriveIsExtractThenExpand(Values v) {
        assertThat(Hkdf.derive(v.hex("salt"), v.hex("ikm"), v.hex("info"), v.number("length")))
                .isEqualTo(v.hex("okm"));
    }

    @Test
    void aNullSaltIsTheZeroLengthSaltOfTestCase3() {
        // Hkdf documents null and empty salts alike (HashLen zero bytes); test case 3 is the RFC's empty salt.
        Values v = cases().stream()
                .filter(c -> c.text("salt").isEmpty())
                .findFirst()
                .orElseThrow();
        assertThat(Hkdf.extract(null, v.hex("ikm"))).isEqualTo(v.hex("prk"));
        assertThat(Hkdf.derive(null, v.hex("ikm"), v.hex("info"), v.number("length")))
                .isEqualTo(v.hex("okm"));
    }
}
