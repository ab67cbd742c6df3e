package io.vstp.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** One byte string, one accepted text: whatever else a decoder would take is refused. */
class CanonicalBase64Properties {
    @Property
    void theEncodersTextIsReadBack(@ForAll @Size(max = 100) byte[] bytes) {
        assertThat(CanonicalBase64.decode(Base64.getEncoder().encodeToString(bytes)))
                .isEqualTo(bytes);
        assertThat(CanonicalBase64.decodeUrl(
                        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)))
                .isEqualTo(bytes);
    }

    /** Any one character changed: either refused, or other bytes (never a second spelling of the same ones). */
    @Property
    void noOtherTextGivesTheSameBytes(
            @ForAll @Size(min = 1, max = 100) byte[] bytes,
            @ForAll @IntRange(max = 200) int where,
            @ForAll @CharRange(from = ' ', to = '~') char replacement) {
        String text = Base64.getEncoder().encodeToString(bytes);
        int at = where % text.length();
        String changed = text.substring(0, at) + replacement + text.substring(at + 1);
        if (changed.equals(text)) {
            return;
        }
        try {
            assertThat(Arrays.equals(CanonicalBase64.decode(changed), bytes))
                    .as("%s read as the bytes of %s", changed, text)
                    .isFalse();
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageContaining("base64");
        }
    }

    @Example
    void theOtherSpellingsAreRefused() {
        String zeros = Base64.getEncoder().encodeToString(new byte[32]); // 43 'A's and '='
        for (String other : new String[] {
            "A".repeat(42) + "B=", // an unused bit set
            "A".repeat(43), // no padding
            " " + zeros, // whitespace
            zeros + "\n",
            zeros.replace('A', '-'), // the url alphabet in standard base64
        }) {
            assertThatThrownBy(() -> CanonicalBase64.decode(other))
                    .as(other)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> CanonicalBase64.decodeUrl("A".repeat(43) + "="))
                .hasMessageContaining("not canonical");
        assertThatThrownBy(() -> CanonicalBase64.decodeUrl("A".repeat(42) + "B"))
                .hasMessageContaining("not canonical");
        assertThatThrownBy(() -> CanonicalBase64.decodeUrl("A".repeat(42) + "/"))
                .hasMessageContaining("not base64");
    }
}
