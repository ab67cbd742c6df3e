package io.vstp.cli;

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
 */
final class ContentHashes {
    static final int MAX_ENTRIES = 10_000;

    /** What a {@code stat} answers: the size and the SHA-256 of that many bytes. */
    record Hashed(long size, String sha256) {
    }

    private record Version(String path, Object identity, long size, Object modified, Object changed) {
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
        sha = FileService.sha256(file, before.size());
        computed.incrementAndGet();
        // Kept only if nothing wrote to the file while it was read: otherwise the hash belongs to no version.
        if (version(file).equals(before)) {
            remember(before, sha);
        }
        return new Hashed(before.size(), sha);
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
            return new Version(file.toString(), a.get("dev") + ":" + a.get("ino"), (Long) a.get("size"),
                    a.get("lastModifiedTime"), a.get("ctime"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return new Version(file.toString(), a.fileKey(), a.size(), a.lastModifiedTime(), null);
        }
    }
}
