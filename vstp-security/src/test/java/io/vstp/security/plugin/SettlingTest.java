package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The settle time on a made-up clock: no waiting. */
class SettlingTest {
    private static final long MS = 1_000_000L;
    private static final Fingerprint HALF = new Fingerprint(100, FileTime.fromMillis(1_000), "inode-1");
    private static final Fingerprint FULL = new Fingerprint(200, FileTime.fromMillis(2_000), "inode-1");

    private final Settling settling = new Settling(Duration.ofMillis(500));

    @Test
    void aJarIsReadyOnlyOnceItHasKeptItsFingerprintForTheSettleTime() {
        long t0 = 7_000 * MS; // nanoTime has no fixed origin
        assertThat(settling.hasSettled("acme.jar", FULL, t0)).as("first look").isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, t0 + 499 * MS)).isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, t0 + 500 * MS)).isTrue();
    }

    @Test
    void aChangeStartsTheSettleTimeAgain() {
        assertThat(settling.hasSettled("acme.jar", HALF, 0)).isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, 400 * MS))
                .as("still being written")
                .isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, 600 * MS))
                .as("only 200 ms since the change")
                .isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, 900 * MS)).isTrue();
    }

    @Test
    void eachJarHasItsOwnSettleTime() {
        assertThat(settling.hasSettled("a.jar", FULL, 0)).isFalse();
        assertThat(settling.hasSettled("b.jar", FULL, 400 * MS)).isFalse();
        assertThat(settling.hasSettled("a.jar", FULL, 500 * MS)).isTrue();
        assertThat(settling.hasSettled("b.jar", FULL, 500 * MS)).isFalse();
    }

    @Test
    void aForgottenJarStartsAgainAtItsNextLook() {
        settling.hasSettled("acme.jar", FULL, 0);
        settling.forget("acme.jar");
        assertThat(settling.hasSettled("acme.jar", FULL, 1_000 * MS)).isFalse();

        settling.hasSettled("gone.jar", FULL, 0);
        settling.retainOnly(Set.of("acme.jar"));
        assertThat(settling.hasSettled("gone.jar", FULL, 1_000 * MS))
                .as("removed, then back")
                .isFalse();
        assertThat(settling.hasSettled("acme.jar", FULL, 1_500 * MS)).as("kept").isTrue();
    }

    @Test
    void aZeroSettleTimeTakesEveryJarAtOnce() {
        assertThat(new Settling(Duration.ZERO).hasSettled("acme.jar", HALF, 0)).isTrue();
    }
}
