package io.vstp.security.plugin;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Holds back jars that are still changing: a new or changed jar is ready once it has shown the same fingerprint for
 * the settle time, since a jar still being written keeps changing. The time is observed here, on a monotonic clock,
 * not read from the file's modification time, so wrong clocks and copied time stamps do not matter.
 *
 * <p>Not thread-safe: the registry uses it under its scan lock.
 */
final class Settling {
    private final long settleNanos;
    private final Map<String, Sighting> sightings = new HashMap<>();

    /** When a jar was first seen with this fingerprint ({@link System#nanoTime()}). */
    private record Sighting(Fingerprint fingerprint, long nanos) {}

    Settling(Duration settleTime) {
        this.settleNanos = settleTime.toNanos();
    }

    /**
     * Whether {@code file} has had {@code fingerprint} for the settle time at {@code nowNanos}. A first look, or a
     * look at a new fingerprint, starts the time (and says no, unless the settle time is zero).
     */
    boolean hasSettled(String file, Fingerprint fingerprint, long nowNanos) {
        if (settleNanos <= 0) {
            return true;
        }
        Sighting seen = sightings.get(file);
        if (seen == null || !seen.fingerprint().equals(fingerprint)) {
            sightings.put(file, new Sighting(fingerprint, nowNanos));
            return false;
        }
        return nowNanos - seen.nanos() >= settleNanos;
    }

    /** Forgets the sighting of a jar that was dealt with, so its next change starts the time again. */
    void forget(String file) {
        sightings.remove(file);
    }

    /** Forgets the sightings of jars that are gone. */
    void retainOnly(Set<String> files) {
        sightings.keySet().retainAll(files);
    }
}
