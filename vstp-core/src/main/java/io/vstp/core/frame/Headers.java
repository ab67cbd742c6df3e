package io.vstp.core.frame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The ordered header entries of a frame (docs/spec/wire-v1.md §5.2). Immutable. Duplicate keys are allowed and
 * order is kept exactly as on the wire.
 */
public final class Headers implements Iterable<Header> {
    private static final Header[] NONE = new Header[0];
    public static final Headers EMPTY = new Headers(NONE);

    // Never modified after construction; an array rather than a list so that decoding a frame allocates one object
    // for its headers, not four, and lookups need no iterator.
    private final Header[] entries;

    private Headers(Header[] entries) {
        this.entries = entries;
    }

    /** Headers holding {@code entries} in this order; the list is copied. */
    public static Headers of(List<Header> entries) {
        if (entries.isEmpty()) {
            return EMPTY;
        }
        Header[] copy = entries.toArray(NONE);
        for (Header h : copy) {
            Objects.requireNonNull(h, "header");
        }
        return new Headers(copy);
    }

    /** Headers from alternating UTF-8 keys and values: {@code of("k1", "v1", "k2", "v2")}. */
    public static Headers of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Builder b = builder(keysAndValues.length / 2);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.add(keysAndValues[i], keysAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder(4);
    }

    /** A builder sized for {@code expected} entries; it still grows past them. */
    public static Builder builder(int expected) {
        return new Builder(Math.max(1, expected));
    }

    public int size() {
        return entries.length;
    }

    public boolean isEmpty() {
        return entries.length == 0;
    }

    /** @throws IndexOutOfBoundsException unless {@code 0 <= index < size()} */
    public Header get(int index) {
        return entries[Objects.checkIndex(index, entries.length)];
    }

    /** The first entry whose key is {@code key} (UTF-8), or null. */
    public Header first(String key) {
        for (Header h : entries) {
            if (h.keyEquals(key)) {
                return h;
            }
        }
        return null;
    }

    /** The value of the first entry with {@code key} as a string, or null if absent or not valid UTF-8. */
    public String value(String key) {
        Header h = first(key);
        return h == null ? null : h.valueAsStrictUtf8();
    }

    /** Every entry whose key is {@code key}, in order. */
    public List<Header> all(String key) {
        List<Header> found = new ArrayList<>();
        for (Header h : entries) {
            if (h.keyEquals(key)) {
                found.add(h);
            }
        }
        return found;
    }

    /** The entries as an unmodifiable list (a view; allocates). */
    public List<Header> asList() {
        return Collections.unmodifiableList(Arrays.asList(entries));
    }

    /** Iterates the entries in order; one small object, and {@code remove} is unsupported. */
    @Override
    public Iterator<Header> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < entries.length;
            }

            @Override
            public Header next() {
                if (next >= entries.length) {
                    throw new java.util.NoSuchElementException();
                }
                return entries[next++];
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers && Arrays.equals(entries, ((Headers) o).entries);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(entries);
    }

    @Override
    public String toString() {
        return Arrays.toString(entries);
    }

    public static final class Builder {
        private Header[] entries;
        private int size;

        private Builder(int capacity) {
            this.entries = new Header[capacity];
        }

        public Builder add(String key, String value) {
            return add(Header.of(key, value));
        }

        public Builder add(byte[] key, byte[] value) {
            return add(Header.of(key, value));
        }

        public Builder add(Header header) {
            if (entries == null) {
                throw new IllegalStateException("build() was already called");
            }
            if (size == entries.length) {
                entries = Arrays.copyOf(entries, size * 2);
            }
            entries[size++] = Objects.requireNonNull(header, "header");
            return this;
        }

        /** The headers; the builder cannot be used again. */
        public Headers build() {
            Header[] array = entries;
            if (array == null) {
                throw new IllegalStateException("build() was already called");
            }
            entries = null;
            if (size == 0) {
                return EMPTY;
            }
            return new Headers(size == array.length ? array : Arrays.copyOf(array, size));
        }
    }
}
