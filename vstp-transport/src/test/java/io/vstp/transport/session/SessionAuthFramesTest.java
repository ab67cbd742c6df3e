package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Credentials as frames carry them (session.md §3.4): what a token may be, and a subject cut to fit a header. */
class SessionAuthFramesTest {
    private static Frame hello(String scheme, byte[] token) {
        Headers h = scheme == null ? Headers.EMPTY : Headers.of(SessionAuth.AUTH, scheme);
        return new Frame(FrameType.HELLO, Flags.NONE, h, Unpooled.wrappedBuffer(token));
    }

    @Test
    void aTokenIsBearerNonEmptyAndBounded() {
        assertThat(SessionAuth.bearerToken(hello(null, new byte[0]))).isNull();
        assertThat(SessionAuth.bearerToken(hello("bearer", "abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("abc");
        assertThatThrownBy(() -> SessionAuth.bearerToken(hello("basic", "abc".getBytes())))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("unsupported credential scheme");
        assertThatThrownBy(() -> SessionAuth.bearerToken(hello("bearer", new byte[0])))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("empty bearer token");
        assertThatThrownBy(() -> SessionAuth.bearerToken(hello("bearer", new byte[SessionAuth.MAX_TOKEN_BYTES + 1])))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("token larger than");
    }

    @Test
    void aLongSubjectIsCutBetweenCodePointsToFitAHeader() {
        for (String unit : new String[] {"a", "é", "€", "😀"}) {
            String subject = unit.repeat(300);
            Headers.Builder b = Headers.builder();
            SessionAuth.describe(
                    b,
                    new Principal(
                            subject, Set.of(), Map.of(), "jwt", Instant.now().plusSeconds(60)),
                    Instant.now());
            Headers h = b.build();
            String shown = h.value(SessionAuth.SUBJECT);
            assertThat(shown.getBytes(StandardCharsets.UTF_8).length)
                    .as(unit)
                    .isLessThanOrEqualTo(200)
                    .isGreaterThan(200 - 4);
            assertThat(subject).startsWith(shown);
            assertThat(shown.codePoints().allMatch(cp -> cp == unit.codePointAt(0)))
                    .as("no half characters")
                    .isTrue();
            assertThat(Long.parseLong(h.value(SessionAuth.EXPIRES_IN_MS))).isBetween(1L, 60_000L);
        }
        Headers.Builder shortOne = Headers.builder();
        SessionAuth.describe(shortOne, new Principal("dana", Set.of(), Map.of(), "jwt", null), Instant.now());
        Headers dana = shortOne.build();
        assertThat(dana.value(SessionAuth.SUBJECT)).isEqualTo("dana");
        assertThat(dana.value(SessionAuth.EXPIRES_IN_MS))
                .as("no expiry, no header")
                .isNull();
    }
}
