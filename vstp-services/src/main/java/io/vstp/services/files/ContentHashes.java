package io.vstp.services.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of served files, remembered per version of each file, so a {@code stat} or an "already there" check
 * hashes a file once, not on every request (a client asking for the hash of a 2 GiB file thirty times must not cost
 * thirty full reads). A version is the file's identity and the attributes any write changes: device and inode,
 * size, modification and status-change times (the status-change time cannot be set back by a client, unlike the
 * modification time). Uploads record the hash they were verified with. Bounded: the least recently used go first.
 *
 * <p>A file system stamps times in ticks (a few milliseconds on Linux, whole seconds or two on some), so a write
 * in the same tick as an earlier one, keeping the size, leaves the version unchanged. As Git does for its index, a
 * hash read from a file whose times are within a tick of the moment the read began is used once and not
 * remembered: such a file may still change without its version showing it.
 */
final class ContentHashes {
    static final int MAX_ENTRIES = 10_000;

    /** What a {@code stat} answers: the size and the SHA-256 of that many bytes. */
    record Hashed(long size, String sha256) {}

    record Version(
            String path,
            Object identity,
            long size,
            java.nio.file.attribute.FileTime modified,
            java.nio.file.attribute.FileTime changed) {
        /**
         * Whether the file's times are at least a tick older than {@code startedMillis}. The tick is guessed from
         * the times themselves: whole seconds mean a coarse file system (2 s, as FAT), sub-second digits a fine one
         * (10 ms, a few of Linux's clock ticks).
         */
        boolean settledBefore(long startedMillis) {
            long newest = Math.max(modified.toMillis(), changed == null ? Long.MIN_VALUE : changed.toMillis());
            boolean coarse = wholeSecond(modified) && (changed == null || wholeSecond(changed));
            return newest < startedMillis - (coarse ? 2_000 : 10);
        }

        private static boolean wholeSecond(java.nio.file.attribute.FileTime t) {
            return t.to(java.util.concurrent.TimeUnit.NANOSECONDS) % 1_000_000_000L == 0;
        }
    }

    private final java.util.concurrent.atomic.AtomicLong computed = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Version, String> known = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Version, String> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** The size and SHA-256 of {@code file} now, hashed only if this version of it was not hashed before. */
    Hashed of(Path file) throws IOException {
        Version before = version(file);
        String sha;
        synchronized (known) {
            sha = known.get(before);
        }
        if (sha != null) {
            return new Hashed(before.size(), sha);
        }
        long started = System.currentTimeMillis();
        sha = FilesProtocol.sha256(file, before.size());
        computed.incrementAndGet();
        // Kept only if nothing wrote to the file while it was read (otherwise the hash belongs to no version), and
        // if no write can hide in the tick of its last change.
        if (version(file).equals(before) && before.settledBefore(started)) {
            remember(before, sha);
        }
        return new Hashed(before.size(), sha);
    }

    /** The size of {@code file} now, and its SHA-256 if this version of it was hashed before (null if not). */
    Hashed ifKnown(Path file) throws IOException {
        Version now = version(file);
        synchronized (known) {
            return new Hashed(now.size(), known.get(now));
        }
    }

    /** A whole read of a file that hashes it as it goes (a download): the version it began on. */
    record Reading(Version before, long startedMillis) {}

    /** {@code file} is about to be read whole. */
    Reading reading(Path file) throws IOException {
        long started = System.currentTimeMillis();
        return new Reading(version(file), started);
    }

    /**
     * The read begun by {@code reading} hashed to {@code sha256}: true if that hash belongs to a version of the file,
     * which it does when nothing wrote to the file while it was read and no write can hide in the tick of its last
     * change (the same rule as {@link #of}); the hash is then remembered. False: the bytes read may mix two versions.
     */
    boolean finished(Reading reading, String sha256) throws IOException {
        Version before = reading.before();
        if (!version(Path.of(before.path())).equals(before) || !before.settledBefore(reading.startedMillis())) {
            return false;
        }
        remember(before, sha256);
        return true;
    }

    /** Whole files hashed so far (for tests: how often the cache did not know). */
    long computed() {
        return computed.get();
    }

    /** {@code file} as it is now has {@code sha256} (an upload just verified and moved into place). */
    void remember(Path file, String sha256) throws IOException {
        remember(version(file), sha256);
    }

    private void remember(Version v, String sha256) {
        synchronized (known) {
            known.put(v, sha256);
        }
    }

    private static Version version(Path file) throws IOException {
        try {
            // Through a link (the files service serves links that stay inside its root): the file's own version.
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new Version(
                    file.toString(),
                    a.get("dev") + ":" + a.get("ino"),
                    (Long) a.get("size"),
                    (java.nio.file.attribute.FileTime) a.get("lastModifiedTime"),
                    (java.nio.file.attribute.FileTime) a.get("ctime"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return new Version(file.toString(), a.fileKey(), a.size(), a.lastModifiedTime(), null);
        }
    }
}
