package io.vstp.security.plugin;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import io.vstp.security.plugin.JarDirectory.Staged;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins loaded from the plugin directory, kept in step with it. Each {@link #scan} compares the directory with
 * what is loaded: a removed jar is retired; a new or changed jar, once it has settled, is copied and loaded and then
 * takes the place of its previous version, which is retired; a jar that cannot be loaded is refused and its previous
 * version keeps running. Retired versions are closed after the close grace time.
 *
 * <p>Refused bytes are remembered (by fingerprint and SHA-256) so the same jar is not retried, nor reported again,
 * until the file changes; a jar refused only for a name clash is retried when the other jars change.
 *
 * <p>Not thread-safe: the registry calls it under its scan lock.
 */
final class DirectoryPlugins implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());
    /** Clash retries per scan: each can free a name for the next, and a swap happens once, after all of them. */
    private static final int CLASH_ROUNDS = 4;

    private final JarDirectory directory;
    private final Settling settling;
    private final PluginLoader loader;
    private final RefusalLog refusals;
    private final Duration settleTime;
    private final Duration closeGrace;
    private final Clock clock;
    private final RetiredJars retired = new RetiredJars();

    private Map<String, LoadedJar> loaded = new TreeMap<>();
    private final Map<String, Refusal> refused = new HashMap<>();
    /** A jar waits to settle or changed while copied: look again soon, not only at the next poll. */
    private boolean pending;

    /** A jar refused with these bytes: not retried until the file changes (or, for a clash, the other jars do). */
    private record Refusal(Fingerprint fingerprint, String sha256, boolean clash) {}

    DirectoryPlugins(
            JarDirectory directory,
            PluginLoader loader,
            RefusalLog refusals,
            Duration settleTime,
            Duration closeGrace,
            Clock clock) {
        this.directory = directory;
        this.settling = new Settling(settleTime);
        this.loader = loader;
        this.refusals = refusals;
        this.settleTime = settleTime;
        this.closeGrace = closeGrace;
        this.clock = clock;
    }

    /** The loaded jars, by file name. */
    Collection<LoadedJar> jars() {
        return loaded.values();
    }

    /**
     * Brings the loaded jars up to date with the directory.
     *
     * @param initial   the scan at start: jars are loaded without waiting for them to settle
     * @param classpath the classpath plugins, whose names a jar may not take
     * @return whether the loaded jars changed (a new set is to be published)
     */
    boolean scan(boolean initial, List<LoadedPlugin> classpath) {
        boolean changed = false;
        for (int round = 0; round < CLASH_ROUNDS; round++) {
            boolean roundChanged = scanOnce(initial, classpath);
            changed |= roundChanged;
            if (!roundChanged || refused.values().stream().noneMatch(Refusal::clash)) {
                break;
            }
            refused.values().removeIf(Refusal::clash);
        }
        return changed;
    }

    /** Closes the retired jars whose grace time is over. */
    void closeDue() {
        retired.closeDue(clock.instant());
    }

    /**
     * How long the watcher may wait before the next look: the poll interval, or the settle time while a jar waits
     * for it (at least 10 ms, so a zero settle time does not spin), or less when a retired jar is due.
     */
    long nextWaitMillis(Duration pollInterval) {
        long wait = pending ? Math.max(settleTime.toMillis(), 10) : pollInterval.toMillis();
        return Math.max(1, Math.min(wait, retired.millisUntilNextDue(clock.millis())));
    }

    /** Closes every loaded and retired jar and deletes the private copies. */
    @Override
    public void close() {
        for (LoadedJar jar : loaded.values()) {
            jar.close();
        }
        loaded = new TreeMap<>();
        retired.closeAll();
        refused.clear();
        directory.close();
    }

    private boolean scanOnce(boolean initial, List<LoadedPlugin> classpath) {
        Map<String, Fingerprint> onDisk;
        try {
            onDisk = directory.list();
        } catch (IOException e) {
            LOG.warn("cannot list the plugin directory {}: {}", directory.path(), e, e);
            return false;
        }
        refused.keySet().retainAll(onDisk.keySet());
        pending = false;

        Map<String, LoadedJar> next = new TreeMap<>(loaded);
        List<LoadedJar> retiring = new ArrayList<>();
        for (String gone : new ArrayList<>(loaded.keySet())) {
            if (!onDisk.containsKey(gone)) {
                LoadedJar jar = next.remove(gone);
                retiring.add(jar);
                LOG.info("plugin jar {} removed: unloading {}", gone, jar.describePlugins());
            }
        }

        boolean changed = !retiring.isEmpty();
        for (String file : candidates(initial, onDisk)) {
            Fingerprint fp = onDisk.get(file);
            Staged staged;
            try {
                staged = directory.stage(file, fp);
            } catch (IOException e) {
                if (e instanceof NoSuchFileException) {
                    continue; // removed meanwhile: the next scan unloads it
                }
                refusal(file, fp, null, "cannot copy the jar: " + e, e, false);
                continue;
            }
            if (staged == null) {
                pending = true; // changed while being copied
                continue;
            }
            LoadedJar cur = next.get(file);
            if (cur != null && cur.sha256.equals(staged.sha256())) {
                cur.fingerprint = fp; // touched, same bytes
                JarDirectory.deleteQuietly(staged.copy());
                continue;
            }
            Refusal previous = refused.get(file);
            if (previous != null
                    && previous.sha256() != null
                    && previous.sha256().equals(staged.sha256())) {
                refused.put(file, new Refusal(fp, previous.sha256(), previous.clash()));
                JarDirectory.deleteQuietly(staged.copy());
                continue;
            }
            try {
                LoadedJar jar = loader.load(file, fp, staged, takenNames(file, next, classpath));
                LoadedJar old = next.put(file, jar);
                refused.remove(file);
                changed = true;
                if (old != null) {
                    retiring.add(old);
                    LOG.info("plugin jar {} replaced: {} -> {}", file, old.describePlugins(), jar.describePlugins());
                } else {
                    LOG.info("plugin jar {} loaded: {}", file, jar.describePlugins());
                }
            } catch (PluginRefused e) {
                JarDirectory.deleteQuietly(staged.copy());
                String keeps = cur != null ? " (still running its previous version " + cur.version + ")" : "";
                refusal(file, fp, staged.sha256(), e.getMessage() + keeps, e.getCause(), e.clash());
            }
        }
        if (changed) {
            loaded = next;
            retired.retire(retiring, clock.instant().plus(closeGrace));
        }
        return changed;
    }

    /**
     * The jars to look at: new or changed since they were loaded or refused, and settled. Replacements of loaded jars
     * come first, so a new jar that takes over a name a changed jar gives up is not refused because of the version
     * that is about to go.
     */
    private List<String> candidates(boolean initial, Map<String, Fingerprint> onDisk) {
        List<String> replacements = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        long now = System.nanoTime();
        settling.retainOnly(onDisk.keySet());
        for (Map.Entry<String, Fingerprint> e : onDisk.entrySet()) {
            String file = e.getKey();
            Fingerprint fp = e.getValue();
            LoadedJar cur = loaded.get(file);
            if (cur != null && cur.fingerprint.equals(fp)) {
                continue;
            }
            Refusal r = refused.get(file);
            if (r != null && r.fingerprint().equals(fp)) {
                continue;
            }
            if (!initial && !settling.hasSettled(file, fp, now)) {
                pending = true;
                continue;
            }
            settling.forget(file);
            (cur != null ? replacements : fresh).add(file);
        }
        replacements.addAll(fresh);
        return replacements;
    }

    /** The names ({@code kind:name}) that {@code file} may not provide, and who provides them. */
    private static Map<String, String> takenNames(
            String file, Map<String, LoadedJar> jars, List<LoadedPlugin> classpath) {
        Map<String, String> taken = new HashMap<>();
        for (LoadedPlugin p : classpath) {
            taken.put(
                    p.info().kind() + ":" + p.info().name(),
                    "the classpath (" + p.info().providerClass() + ")");
        }
        for (LoadedJar jar : jars.values()) {
            if (!jar.file.equals(file)) {
                for (LoadedPlugin p : jar.plugins) {
                    taken.put(p.info().kind() + ":" + p.info().name(), jar.file);
                }
            }
        }
        return taken;
    }

    private void refusal(String file, Fingerprint fp, String sha, String reason, Throwable cause, boolean clash) {
        refused.put(file, new Refusal(fp, sha, clash));
        refusals.refuse(file, reason, cause);
    }
}
