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

    /**
     * The header whose key is the {@code keyLength} bytes at {@code index} of {@code buf} and whose value is the
     * {@code valueLength} bytes right after them: a cached instance when it matches, else a new copy.
     */
    public Header get(ByteBuf buf, int index, int keyLength, int valueLength) {
        int length = keyLength + valueLength;
        if (length > MAX_ENTRY_BYTES) {
            return Header.copyOf(buf, index, keyLength, index + keyLength, valueLength);
        }
        int hash = keyLength;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + buf.getByte(index + i);
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        Header cached = slots[slot];
        if (cached != null && cached.contentEquals(buf, index, keyLength, valueLength)) {
            return cached;
        }
        Header fresh = Header.copyOf(buf, index, keyLength, index + keyLength, valueLength);
        slots[slot] = fresh;
        return fresh;
    }
}
