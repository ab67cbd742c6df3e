package io.vstp.core.frame;

import io.netty.buffer.ByteBuf;

/**
 * Hands out the same {@link Header} for a header entry seen before, so a decoder reading the same headers frame
 * after frame (a content type, a topic, a trace id) does not copy them into new arrays each time. Entries vary
 * ({@code req-id} values) simply miss and replace what their slot held.
 *
 * <p>Bounded: {@value #SLOTS} slots of entries at most {@value #MAX_ENTRY_BYTES} bytes of key and value, so at
 * most a few KiB whatever peers send; hostile input can only cause misses. Thread-safe without locks: a slot holds
 * an immutable {@code Header} (final fields), and a race between two writers only loses one of them.
 */
public final class HeaderCache {
    /** The cache decoders share by default. */
    public static final HeaderCache SHARED = new HeaderCache();

    static final int SLOTS = 256;
    static final int MAX_ENTRY_BYTES = 64;

    private final Header[] slots = new Header[SLOTS];

    // Decoders share SHARED; only this package's tests need caches of their own.
    HeaderCache() {}

    /**
     * The header whose key is the {@code keyLength} bytes at {@code index} of {@code buf} and whose value is the
     * {@code valueLength} bytes right after them: a cached instance when it matches, else a new copy.
     */
    public Header get(ByteBuf buf, int index, int keyLength, int valueLength) {
        int length = keyLength + valueLength;
        if (length > MAX_ENTRY_BYTES) {
            return Header.copyOf(buf, index, keyLength, index + keyLength, valueLength);
        }
        int slot = slot(buf, index, keyLength, length);
        Header cached = slots[slot];
        if (cached != null && cached.contentEquals(buf, index, keyLength, valueLength)) {
            return cached;
        }
        Header fresh = Header.copyOf(buf, index, keyLength, index + keyLength, valueLength);
        slots[slot] = fresh;
        return fresh;
    }

    /**
     * The slot of an entry: a hash of both lengths and of its first and last 8 bytes. Not of every byte: a
     * byte-at-a-time hash is a serial chain of multiplies (and a checked buffer read per byte) that costs more
     * than copying the entry. Entries that differ only in the middle share a slot and just miss more often.
     */
    private static int slot(ByteBuf buf, int index, int keyLength, int length) {
        long h = (long) keyLength << 32 | length;
        if (length >= Long.BYTES) {
            h ^= buf.getLongLE(index) * 0x9E3779B97F4A7C15L;
            h ^= buf.getLongLE(index + length - Long.BYTES) * 0xC2B2AE3D27D4EB4FL;
        } else {
            for (int i = 0; i < length; i++) {
                h = h * 31 + buf.getByte(index + i);
            }
            h *= 0x9E3779B97F4A7C15L;
        }
        return (int) (h ^ (h >>> 29) ^ (h >>> 47)) & (SLOTS - 1);
    }
}
