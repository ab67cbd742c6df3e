package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The close grace on made-up instants: no waiting. */
class RetiredJarsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
    private static final String MARKER = "marker.txt";

    @TempDir
    Path dir;

    private final RetiredJars retired = new RetiredJars();

    /** A loaded jar with a real loader and copy; {@code closes} counts how often its one instance is closed. */
    private LoadedJar jar(String file, AtomicInteger closes) throws Exception {
        Path copy = PluginJars.jar()
                .entry(MARKER, "x".getBytes(StandardCharsets.UTF_8))
                .writeTo(dir.resolve(file));
        PluginClassLoader loader =
                new PluginClassLoader(file, copy.toUri().toURL(), getClass().getClassLoader());
        PluginInfo info = new PluginInfo("p", PluginKind.AUTHENTICATOR, file, "1", "P", T0);
        AutoCloseable instance = closes::incrementAndGet;
        return new LoadedJar(file, null, "sha", "1", loader, copy, List.of(new LoadedPlugin(info, instance)));
    }

    private static boolean closed(LoadedJar jar) {
        return jar.loader.getResource(MARKER) == null && !Files.exists(jar.copy);
    }

    @Test
    void aRetiredJarStaysOpenUntilItsGraceTimeIsOverThenClosesOnce() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        LoadedJar jar = jar("acme.jar", closes);
        retired.retire(List.of(jar), T0.plusSeconds(2));

        retired.closeDue(T0.plusMillis(1_999));
        assertThat(closed(jar)).as("during the grace time").isFalse();
        assertThat(closes).hasValue(0);

        retired.closeDue(T0.plusSeconds(2));
        assertThat(closed(jar)).as("once due").isTrue();
        assertThat(closes).hasValue(1);

        retired.closeDue(T0.plusSeconds(3));
        retired.closeAll();
        assertThat(closes).as("forgotten once closed").hasValue(1);
    }

    @Test
    void closeAllClosesJarsThatAreNotDueYet() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        LoadedJar a = jar("a.jar", closes);
        LoadedJar b = jar("b.jar", closes);
        retired.retire(List.of(a, b), T0.plus(Duration.ofHours(1)));

        retired.closeAll();

        assertThat(closed(a)).isTrue();
        assertThat(closed(b)).isTrue();
        assertThat(closes).hasValue(2);
        assertThat(retired.millisUntilNextDue(T0.toEpochMilli())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theWaitIsUntilTheEarliestDueJarAndNeverLessThanOneMillisecond() throws Exception {
        long now = T0.toEpochMilli();
        assertThat(retired.millisUntilNextDue(now)).as("nothing retired").isEqualTo(Long.MAX_VALUE);

        retired.retire(List.of(jar("late.jar", new AtomicInteger())), T0.plusSeconds(5));
        retired.retire(List.of(jar("early.jar", new AtomicInteger())), T0.plusSeconds(2));
        assertThat(retired.millisUntilNextDue(now)).isEqualTo(2_000);
        assertThat(retired.millisUntilNextDue(now + 2_000)).isEqualTo(1);
        assertThat(retired.millisUntilNextDue(now + 60_000)).as("overdue").isEqualTo(1);
        retired.closeAll();
    }
}
