package io.vstp.core.frame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The ordered header entries of a frame (docs/spec/wire-v1.md §5.2). Immutable. Duplicate keys are allowed and
 * order is kept exactly as on the wire.
 */
public final class Headers implements Iterable<Header> {
    public static final Headers EMPTY = new Headers(Collections.emptyList());

    private final List<Header> entries;

    private Headers(List<Header> entries) {
        this.entries = entries;
    }

    /** Headers holding {@code entries} in this order; the list is copied. */
    public static Headers of(List<Header> entries) {
        return entries.isEmpty() ? EMPTY : new Headers(List.copyOf(entries));
    }

    /** Headers from alternating UTF-8 keys and values: {@code of("k1", "v1", "k2", "v2")}. */
    public static Headers of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Builder b = builder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.add(keysAndValues[i], keysAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entry at {@code index}, in wire order. */
    public Header get(int index) {
        return entries.get(index);
    }

    /** The first entry whose key is exactly {@code key} (UTF-8), or {@code null}. */
    public Header first(String key) {
        byte[] k = Header.utf8(key);
        for (Header h : entries) {
            if (h.keyEquals(k)) {
                return h;
            }
        }
        return null;
    }

    /**
     * The value of the first entry whose key is exactly {@code key}, as text; {@code null} if there is none or its
     * value is not valid UTF-8.
     */
    public String value(String key) {
        Header h = first(key);
        return h == null ? null : h.valueAsStrictUtf8();
    }

    /** Every entry whose key is exactly {@code key}, in wire order. */
    public List<Header> all(String key) {
        byte[] k = Header.utf8(key);
        List<Header> found = new ArrayList<>();
        for (Header h : entries) {
            if (h.keyEquals(k)) {
                found.add(h);
            }
        }
        return found;
    }

    /** The entries as an unmodifiable list. */
    public List<Header> asList() {
        return entries;
    }

    @Override
    public Iterator<Header> iterator() {
        return entries.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers && entries.equals(((Headers) o).entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }

    /** Collects entries in order. Single use: {@link #build()} hands its list over without copying it. */
    public static final class Builder {
        private List<Header> entries = new ArrayList<>();

        private Builder() {
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
            entries.add(java.util.Objects.requireNonNull(header, "header"));
            return this;
        }

        public Headers build() {
            List<Header> list = entries;
            if (list == null) {
                throw new IllegalStateException("build() was already called");
            }
            entries = null;
            return list.isEmpty() ? EMPTY : new Headers(Collections.unmodifiableList(list));
        }
    }
}
