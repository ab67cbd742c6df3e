package io.vstp.core.hpack;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.util.AsciiString;
import io.vstp.core.codec.v2.HeaderBlockEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link HeaderBlockEncoder} over Netty's HPACK encoder ({@link DefaultHttp2HeadersEncoder}, whose
 * {@code HpackEncoder} is package-private).
 *
 * <p>Netty's encoder only iterates the {@link Http2Headers} it is given, so it gets a view of our entries that
 * allocates nothing per block (one reused iterator and entry), rather than a {@link DefaultHttp2Headers} filled
 * per frame (which would also move {@code :} names to the front: v2 refuses those before encoding anything).
 * Bytes map 1:1 to {@link AsciiString} chars, so any byte string survives.
 */
final class NettyHpackEncoder implements HeaderBlockEncoder {
    /** The stream id Netty is told; only used in its error messages. */
    private static final int STREAM = 1;
    /** Headers no larger than this (key + value) are kept as AsciiStrings for their next frame. */
    private static final int CACHED_ENTRY_BYTES = 64;

    private static final int CACHE_SLOTS = 64;

    private final int maxTableSize;
    /** Netty's encoder and its table, built with the first block: an idle connection holds neither. */
    private DefaultHttp2HeadersEncoder hpack;
    /** Only for RFC 7541's examples in tests, which use HTTP/2's pseudo-headers. */
    private final boolean allowReservedNames;

    /** Built with the first block, as {@link #hpack}. */
    private View view;
    /** The size update the first block starts with, or -1. */
    private long pendingSizeUpdate;

    // Identity cache: a Header instance sent again (constants, or headers a decoder handed out of its cache) is
    // not copied and wrapped again. Small entries only, so it holds a few KiB at most; made with the first block,
    // as {@link #hpack}.
    private Header[] cachedHeaders;
    private AsciiString[] cachedNames;
    private AsciiString[] cachedValues;

    NettyHpackEncoder(int maxTableSize) {
        this(maxTableSize, false);
    }

    NettyHpackEncoder(int maxTableSize, boolean allowReservedNames) {
        this.allowReservedNames = allowReservedNames;
        this.maxTableSize = maxTableSize;
    }

    /** Builds Netty's encoder and its table; an idle connection holds neither (about 1.2 KiB). */
    private void start() {
        // Netty caps the table it uses at 64 bytes per slot of its hash arrays, and at most 128 slots (8 KiB);
        // a smaller table than announced is allowed and signalled with a size update (RFC 7541 §6.3).
        int slots = Math.max(2, Math.min(128, (maxTableSize + 63) / 64));
        DefaultHttp2HeadersEncoder e = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true, slots);
        try {
            e.configuration().maxHeaderTableSize(maxTableSize);
        } catch (Http2Exception refused) {
            throw new IllegalArgumentException("header table size " + maxTableSize + " refused", refused);
        } finally {
            // Drops (and releases) the size update Netty queued against its 4096-byte start: both ends of a v2
            // connection start at the announced size, so only a smaller table the encoder really uses is sent.
            e.close();
        }
        long used = e.configuration().maxHeaderTableSize();
        pendingSizeUpdate = used == maxTableSize ? -1 : used;
        view = new View();
        cachedHeaders = new Header[CACHE_SLOTS];
        cachedNames = new AsciiString[CACHE_SLOTS];
        cachedValues = new AsciiString[CACHE_SLOTS];
        hpack = e;
    }

    @Override
    public void encode(Headers headers, ByteBuf out) {
        if (hpack == null) {
            start();
        }
        View v = view;
        v.fill(headers, this);
        try {
            if (pendingSizeUpdate >= 0) {
                writeSizeUpdate(out, pendingSizeUpdate);
                pendingSizeUpdate = -1;
            }
            hpack.encodeHeaders(STREAM, v, out);
        } catch (Http2Exception e) {
            // Not expected: the list size is not enforced here and every byte string is encodable.
            throw new FrameException(ErrorCode.COMPRESSION_ERROR, "HPACK encoder failed");
        } finally {
            v.clearEntries();
        }
    }

    /** The key and value of {@code h} as AsciiStrings; checks the reserved {@code :} names. */
    private void wrap(Header h, View v, int i) {
        int n = h.keyLength() + h.valueLength();
        int slot = -1;
        if (n <= CACHED_ENTRY_BYTES) {
            slot = System.identityHashCode(h) & (CACHE_SLOTS - 1);
            if (cachedHeaders[slot] == h) {
                v.names[i] = cachedNames[slot];
                v.values[i] = cachedValues[slot];
                return;
            }
        }
        byte[] key = h.key(); // a copy: Header hands out no view of its bytes
        if (key.length == 0) {
            throw new FrameException(ErrorCode.PROTOCOL_VIOLATION, "empty header names are not allowed in wire v2");
        }
        if (key[0] == ':' && !allowReservedNames) {
            throw new FrameException(
                    ErrorCode.PROTOCOL_VIOLATION, "header names starting with ':' are reserved in wire v2");
        }
        AsciiString name = new AsciiString(key, false);
        AsciiString value = h.valueLength() == 0 ? AsciiString.EMPTY_STRING : new AsciiString(h.value(), false);
        v.names[i] = name;
        v.values[i] = value;
        if (slot >= 0) {
            cachedHeaders[slot] = h;
            cachedNames[slot] = name;
            cachedValues[slot] = value;
        }
    }

    /** RFC 7541 §6.3: {@code 001} and the size as an integer with a 5-bit prefix (§5.1). */
    static void writeSizeUpdate(ByteBuf out, long size) {
        if (size < 31) {
            out.writeByte(0x20 | (int) size);
            return;
        }
        out.writeByte(0x20 | 31);
        long rest = size - 31;
        while (rest >= 0x80) {
            out.writeByte((int) (rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        out.writeByte((int) rest);
    }

    /**
     * The entries of one block as Netty's encoder reads them: it only iterates, so iteration is all this view
     * offers; the rest of {@link DefaultHttp2Headers} sees an empty map. Reused for every block.
     */
    private static final class View extends DefaultHttp2Headers {
        AsciiString[] names = new AsciiString[8];
        AsciiString[] values = new AsciiString[8];
        int count;
        private final Cursor cursor = new Cursor();

        View() {
            super(false, false, 2);
        }

        void fill(Headers headers, NettyHpackEncoder owner) {
            int n = headers.size();
            if (n > names.length) {
                names = Arrays.copyOf(names, Math.max(n, names.length * 2));
                values = Arrays.copyOf(values, names.length);
            }
            count = n; // before wrapping, so that clearEntries() empties whatever was filled if wrap throws
            for (int i = 0; i < n; i++) {
                owner.wrap(headers.get(i), this, i);
            }
        }

        void clearEntries() {
            Arrays.fill(names, 0, count, null);
            Arrays.fill(values, 0, count, null);
            count = 0;
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public boolean isEmpty() {
            return count == 0;
        }

        @Override
        public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
            cursor.next = 0;
            return cursor;
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        /** Iterator and entry at once: Netty reads key and value as it gets the entry and keeps only those. */
        private final class Cursor
                implements Iterator<Map.Entry<CharSequence, CharSequence>>, Map.Entry<CharSequence, CharSequence> {
            int next;
            private int current;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next >= count) {
                    throw new NoSuchElementException();
                }
                current = next++;
                return this;
            }

            @Override
            public CharSequence getKey() {
                return names[current];
            }

            @Override
            public CharSequence getValue() {
                return values[current];
            }

            @Override
            public CharSequence setValue(CharSequence value) {
                throw new UnsupportedOperationException();
            }
        }
    }
}
