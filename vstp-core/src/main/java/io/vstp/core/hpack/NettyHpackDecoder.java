package io.vstp.core.hpack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import java.util.Arrays;

/**
 * A {@link HeaderBlockDecoder} over Netty's HPACK decoder ({@link DefaultHttp2HeadersDecoder} without validation;
 * its {@code HpackDecoder} is package-private).
 *
 * <p>What Netty's decoder guarantees and this class relies on (checked against 4.2.18's source): it decodes the
 * whole block even when the list grows past {@code max-header-list}, but stops handing entries to the headers
 * object once it has, and reports that at the end as a {@link Http2Exception.HeaderListSizeException}; so a
 * compression bomb costs time linear in the block, not memory, and the table stays in step. It hands every entry
 * to {@link Http2Headers#add} in block order, which this class overrides to collect {@link Header}s directly
 * (counted against {@code max-headers}, {@code :} names noted), so Netty's hash map is never filled.
 *
 * <p>Netty's decoder starts from HTTP/2's 4096-byte table and, told a smaller maximum, insists that the next block
 * start with a size update. v2 has both ends start at the announced size, so the constructor feeds Netty one
 * synthetic block holding the update to that size.
 */
final class NettyHpackDecoder implements HeaderBlockDecoder {
    /** Netty reports a list too large as a stream error only for a stream other than 0. */
    private static final int STREAM = 1;

    private final int maxTableSize;
    private final long maxHeaderListSize;
    private final int maxHeaderCount;
    private final boolean allowReservedNames;
    /**
     * Netty's decoder and its table, built with the first block: an idle connection holds neither (about 1 KiB
     * each; 10 000 idle TLS connections, docs/benchmarks.md).
     */
    private Collector collector;

    private Decoder hpack;
    private final boolean datagrams;
    /** After a COMPRESSION_ERROR the table is out of step with the peer's: every later block fails too. */
    private boolean broken;

    NettyHpackDecoder(int maxTableSize, long maxHeaderListSize, int maxHeaderCount, boolean datagrams) {
        this(maxTableSize, maxHeaderListSize, maxHeaderCount, datagrams, false);
    }

    /** {@code allowReservedNames} only for RFC 7541's examples in tests, which use HTTP/2's pseudo-headers. */
    NettyHpackDecoder(
            int maxTableSize,
            long maxHeaderListSize,
            int maxHeaderCount,
            boolean datagrams,
            boolean allowReservedNames) {
        this.maxTableSize = maxTableSize;
        this.maxHeaderListSize = maxHeaderListSize;
        this.maxHeaderCount = maxHeaderCount;
        this.allowReservedNames = allowReservedNames;
        this.datagrams = datagrams;
    }

    /** Builds Netty's decoder and brings its table to the announced size (see the class comment). */
    private void start() {
        Collector c = new Collector(maxHeaderCount, allowReservedNames);
        Decoder d = new Decoder(maxHeaderListSize, c);
        ByteBuf update = Unpooled.buffer(8);
        try {
            d.configuration().maxHeaderTableSize(maxTableSize);
            NettyHpackEncoder.writeSizeUpdate(update, maxTableSize);
            d.decodeHeaders(STREAM, update);
        } catch (Http2Exception e) {
            throw new IllegalArgumentException("header table size " + maxTableSize + " refused", e);
        } finally {
            update.release();
            c.reset();
        }
        collector = c;
        hpack = d;
    }

    @Override
    public Headers decode(ByteBuf in, int length) {
        if (length < 0 || length > in.readableBytes()) {
            throw new FrameException(
                    ErrorCode.LENGTH_MISMATCH, "header block of " + length + " bytes, " + in.readableBytes() + " left");
        }
        if (broken) {
            in.skipBytes(length);
            throw new FrameException(ErrorCode.COMPRESSION_ERROR, "header table lost after an earlier error");
        }
        ByteBuf block = in.readSlice(length);
        if (hpack == null) {
            start();
        }
        Collector c = collector;
        try {
            hpack.decodeHeaders(STREAM, block);
            if (c.reserved) {
                throw new FrameException(
                        ErrorCode.PROTOCOL_VIOLATION,
                        "empty header names, and names starting with ':', are not allowed in wire v2");
            }
            if (c.tooMany) {
                throw new FrameException(ErrorCode.TOO_MANY_HEADERS, "more than " + c.maxCount + " headers");
            }
            return c.build();
        } catch (Http2Exception.HeaderListSizeException e) {
            // Netty finished the block first: the table is in step, the connection may still be closed by the caller.
            throw new FrameException(
                    ErrorCode.HEADERS_TOO_LARGE,
                    "header list larger than " + hpack.configuration().maxHeaderListSize() + " bytes");
        } catch (Http2Exception e) {
            broken = !datagrams; // a datagram decoder keeps no table: the next block starts clean
            throw new FrameException(ErrorCode.COMPRESSION_ERROR, describe(e));
        } finally {
            c.reset();
        }
    }

    /**
     * Netty's message when it is one of its fixed HPACK messages (they name the fault, never header bytes), else
     * a generic one.
     */
    private static String describe(Http2Exception e) {
        String m = e.getMessage();
        if (m != null
                && (m.startsWith("HPACK - ")
                        || m.startsWith("Dynamic table size update must")
                        || m.startsWith("Incomplete header block"))) {
            return "invalid HPACK block: " + m;
        }
        if (m != null && m.startsWith("Error decoding headers: decode only works with an entire header block")) {
            return "invalid HPACK block: a string runs past the end of the block";
        }
        return "invalid HPACK block";
    }

    /** Netty's decoder, made to hand its entries to our collector instead of a new map per block. */
    private static final class Decoder extends DefaultHttp2HeadersDecoder {
        private final Collector collector;

        Decoder(long maxHeaderListSize, Collector collector) {
            super(false, false, maxHeaderListSize);
            this.collector = collector;
        }

        @Override
        protected Http2Headers newHeaders() {
            return collector;
        }
    }

    /**
     * Receives the decoded entries in block order. Netty calls only {@link #add} (and {@link #size}) on it; the
     * rest of {@link DefaultHttp2Headers} sees an empty map. Reused for every block.
     */
    private static final class Collector extends DefaultHttp2Headers {
        private static final int CACHED_ENTRY_BYTES = 64;
        private static final int CACHE_SLOTS = 64;

        final int maxCount;
        private Header[] entries = new Header[8];
        private int count;
        boolean tooMany;
        boolean reserved;

        // Identity cache: Netty hands out the same AsciiStrings for a static or dynamic table entry every time it
        // is referenced, so a header repeated frame after frame becomes the same Header without copying. Small
        // entries only, so it holds a few KiB at most (and only once the connection's first block came).
        private final AsciiString[] cachedNames = new AsciiString[CACHE_SLOTS];
        private final AsciiString[] cachedValues = new AsciiString[CACHE_SLOTS];
        private final Header[] cachedHeaders = new Header[CACHE_SLOTS];

        private final boolean allowReservedNames;

        Collector(int maxCount, boolean allowReservedNames) {
            super(false, false, 2);
            this.maxCount = maxCount;
            this.allowReservedNames = allowReservedNames;
        }

        @Override
        public Http2Headers add(CharSequence name, CharSequence value) {
            if (tooMany || reserved) {
                return this; // the block fails: keep nothing more, only let Netty finish it
            }
            if (count == maxCount) {
                tooMany = true;
                return this;
            }
            AsciiString n = (AsciiString) name;
            AsciiString v = (AsciiString) value;
            // Empty names: HPACK libraries built for HTTP/2 refuse them, and Netty's dynamic table loses count of
            // entries of exactly 32 bytes (an empty name and value) when they fill it.
            if (n.isEmpty() || n.byteAt(0) == ':' && !allowReservedNames) {
                reserved = true;
                return this;
            }
            if (count == entries.length) {
                entries = Arrays.copyOf(entries, Math.min(count * 2, Math.max(maxCount, 8)));
            }
            entries[count++] = header(n, v);
            return this;
        }

        private Header header(AsciiString n, AsciiString v) {
            if (n.length() + v.length() > CACHED_ENTRY_BYTES) {
                return Header.of(bytes(n), bytes(v));
            }
            int slot = (System.identityHashCode(n) * 31 + System.identityHashCode(v)) & (CACHE_SLOTS - 1);
            if (cachedNames[slot] == n && cachedValues[slot] == v) {
                return cachedHeaders[slot];
            }
            Header h = Header.of(bytes(n), bytes(v));
            cachedNames[slot] = n;
            cachedValues[slot] = v;
            cachedHeaders[slot] = h;
            return h;
        }

        /** The bytes of {@code s} for {@link Header#of(byte[], byte[])}, which copies them anyway. */
        private static byte[] bytes(AsciiString s) {
            return s.isEntireArrayUsed() ? s.array() : s.toByteArray();
        }

        Headers build() {
            if (count == 0) {
                return Headers.EMPTY;
            }
            Headers.Builder b = Headers.builder(count);
            for (int i = 0; i < count; i++) {
                b.add(entries[i]);
            }
            return b.build();
        }

        void reset() {
            Arrays.fill(entries, 0, count, null);
            count = 0;
            tooMany = false;
            reserved = false;
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
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
