package io.vstp.services.files;

import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of each unfinished upload so far, taken from the chunks as they are written, so {@code put-commit}
 * verifies an upload without reading it from disk again. An upload this does not know at its current length (the
 * server restarted, the entry was evicted, a write failed halfway) is hashed from disk at commit instead: a missing
 * entry costs a read, never a wrong answer.
 *
 * <p>The caller holds {@link #lockFor} of the upload around each write and the hash that goes with it, and around the
 * commit's check, so what is hashed and what is on disk cannot drift apart. Bounded: the least recently written
 * go first.
 */
final class UploadHashes {
    static final int MAX_ENTRIES = 1_024;
    private static final int STRIPES = 64;

    /**
     * A digest that has taken the first {@code bytes} bytes of an upload, written to the file {@code fileKey} (its
     * identity: a file deleted and made again, by a restart or by another process, is not the one hashed).
     */
    private static final class Running {
        final MessageDigest digest;
        long bytes;
        Object fileKey;

        Running(MessageDigest digest, long bytes, Object fileKey) {
            this.digest = digest;
            this.bytes = bytes;
            this.fileKey = fileKey;
        }
    }

    private final Object[] stripes = new Object[STRIPES];
    private final Map<Path, Running> running = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Running> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    UploadHashes() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** What writes to {@code partial}, and its commit, hold: uploads of other files rarely share one. */
    Object lockFor(Path partial) {
        return stripes[Math.floorMod(partial.hashCode(), STRIPES)];
    }

    /**
     * {@code partial} holds {@code bytes} bytes, all taken by {@code digest} (a new or resumed upload), in the file
     * {@code fileKey} (null while there is none).
     */
    void start(Path partial, MessageDigest digest, long bytes, Object fileKey) {
        synchronized (running) {
            running.put(partial, new Running(digest, bytes, fileKey));
        }
    }

    /**
     * The chunk {@code data} was just written at {@code offset}: the upload's digest takes it if it stood exactly
     * there (a first chunk starts a digest); otherwise the upload is forgotten, to be hashed from disk at commit.
     */
    void written(Path partial, long offset, ByteBuf data, Object fileKey) {
        Running r;
        synchronized (running) {
            r = running.get(partial);
            if (r != null && (r.bytes != offset || (r.fileKey != null && !r.fileKey.equals(fileKey)))) {
                running.remove(partial);
                r = null;
            }
            if (r == null && offset == 0) {
                r = new Running(FilesProtocol.sha256(), 0, fileKey);
                running.put(partial, r);
            }
        }
        if (r != null) {
            // Outside the map's lock (other uploads go on); the caller's lockFor(partial) keeps this upload's order.
            FilesProtocol.update(r.digest, data);
            r.bytes = offset + data.readableBytes();
            r.fileKey = fileKey;
        }
    }

    /**
     * The upload's SHA-256 if its digest has taken exactly {@code length} bytes of the file {@code fileKey}, hex; null
     * when it must be read from disk. Forgets the upload either way.
     */
    String finish(Path partial, long length, Object fileKey) {
        Running r;
        synchronized (running) {
            r = running.remove(partial);
        }
        boolean sameFile = r != null && (r.bytes == 0 || (r.fileKey != null && r.fileKey.equals(fileKey)));
        return sameFile && r.bytes == length ? FilesProtocol.hex(r.digest) : null;
    }

    /** The upload was deleted. */
    void forget(Path partial) {
        synchronized (running) {
            running.remove(partial);
        }
    }
}
