package io.vstp.crypto.qkd;

import io.vstp.crypto.Secrets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One key delivered by a KME: its ID, which the master SAE sends to the slave SAE in the clear, and its bytes.
 *
 * <p>{@link #key()} is the array itself, not a copy, so that {@link #wipe()} clears the only copy this object
 * holds; callers that keep the bytes elsewhere wipe those themselves. {@link #toString()} shows the ID and size,
 * never the key. A QKD key is never used on its own in VSTP: see {@link QkdKeyMixing}.
 */
public record QkdKey(String keyId, byte[] key) {
    public QkdKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(key, "key");
    }

    public int sizeBits() {
        return key.length * 8;
    }

    /** Zeroes the key bytes; best effort, see {@link Secrets}. */
    public void wipe() {
        Secrets.wipe(key);
    }

    /** Same ID and same key bytes (compared in constant time). */
    @Override
    public boolean equals(Object other) {
        return other instanceof QkdKey that && keyId.equals(that.keyId) && MessageDigest.isEqual(key, that.key);
    }

    /** From the ID only, so that a key's bytes never leak into hash-based structures' layout. */
    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "QkdKey[" + keyId + ", " + sizeBits() + " bits]";
    }
}
