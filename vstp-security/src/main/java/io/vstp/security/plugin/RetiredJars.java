package io.vstp.security.plugin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * Replaced and removed jars that are no longer in the published set but not closed yet: calls already running in an
 * old version may still need to load its classes, so its loader stays open until a grace time after the swap.
 *
 * <p>Not thread-safe: the registry uses it under its scan lock.
 */
final class RetiredJars {
    private final List<Retiring> retiring = new ArrayList<>();

    private record Retiring(LoadedJar jar, Instant due) {}

    /** Takes the jars, to be closed once {@code due} has come. */
    void retire(Collection<LoadedJar> jars, Instant due) {
        for (LoadedJar jar : jars) {
            retiring.add(new Retiring(jar, due));
        }
    }

    /** Closes the jars whose grace time is over at {@code now}. */
    void closeDue(Instant now) {
        for (Iterator<Retiring> it = retiring.iterator(); it.hasNext(); ) {
            Retiring r = it.next();
            if (!r.due().isAfter(now)) {
                it.remove();
                r.jar().close();
            }
        }
    }

    /** Closes every jar, due or not. */
    void closeAll() {
        for (Retiring r : retiring) {
            r.jar().close();
        }
        retiring.clear();
    }

    /**
     * Milliseconds from {@code nowMillis} until the next jar is due; {@link Long#MAX_VALUE} when none waits. At least
     * 1, so a watcher that waits this long for an overdue jar does not spin on a zero or negative wait.
     */
    long millisUntilNextDue(long nowMillis) {
        long wait = Long.MAX_VALUE;
        for (Retiring r : retiring) {
            wait = Math.min(wait, Math.max(1, r.due().toEpochMilli() - nowMillis));
        }
        return wait;
    }
}
