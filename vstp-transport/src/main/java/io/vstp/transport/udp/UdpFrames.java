package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v2.HeaderBlockDecoder;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2Datagrams;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.transport.session.SessionFrames;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The UDP wire of docs/spec/udp.md, in one place. The static part builds and reads the UDP-specific frames and
 * headers (fragments, ACK, SACK, the crate's {@code msg-id}, the {@code versions} announcement). An instance turns
 * frames into datagram and message bytes and back, in wire v1 or v2 (wire-v2.md §10-§11), with the sizes of one
 * endpoint: the readers are bounded by the largest UDP payload (a datagram) and by {@code maxMessageSize} (a
 * reassembled message), so a hostile length is refused before anything is allocated for it.
 *
 * <p>Not thread-safe: the endpoint uses an instance on its event loop.
 */
final class UdpFrames {
    /**
     * The largest datagram the Rust crate reads (its 2 400-byte receive buffer, udp.md §2): over plain UDP, a peer
     * not known to speak v2 gets frames up to this size as one datagram, the only form a crate peer reads (§4).
     */
    static final int CRATE_MAX_DATAGRAM = 2400;
    /** The header that announces wire versions (wire-v2.md §10, UDP). */
    static final String VERSIONS = "versions";
    /** Crate-compatible: the id of a single-datagram REQ_ACK frame, echoed by its ACK. */
    static final String MSG_ID = "msg-id";

    static final String VF_MSG = "vf-msg";
    static final String VF_IDX = "vf-idx";
    static final String VF_CNT = "vf-cnt";
    static final String VF_LEN = "vf-len";
    static final String VF_CUM = "vf-cum";
    static final String VF_SACK = "vf-sack";
    static final String VF_GEN = "vf-gen";

    /** SACK ranges reported per ACK; the sender learns the rest from the next ACK. */
    static final int MAX_SACK_RANGES = 32;

    private static final int MAX_HEADER_VALUE = 255;

    /**
     * Bytes of a fragment frame besides its chunk: the 15-byte frame overhead plus the four vf-* headers at their
     * longest (20-digit message id, 10-digit index, count and length).
     */
    static final int FRAGMENT_OVERHEAD = 15 + (2 + 6 + 20) + 3 * (2 + 6 + 10);

    private final FrameReader datagramReader;
    private final FrameReader messageReader;
    private final FrameWriter datagramWriter;
    private final FrameWriter messageWriter;
    private final V2FrameReader v2DatagramReader;
    private final V2FrameReader v2MessageReader;
    private final V2FrameWriter v2DatagramWriter;
    private final V2FrameWriter v2MessageWriter;
    private final int datagramSize;
    private final int v1DatagramSize;
    private final int chunkSize;

    /**
     * The codec of one endpoint: datagrams of at most {@code min(limits.maxDatagramSize(), linkMaxDatagram)} bytes
     * (larger v1 ones only to a possible crate peer, §4), messages of at most {@code limits.maxMessageSize()}.
     */
    UdpFrames(UdpLimits limits, int linkMaxDatagram, boolean dtls) {
        int datagram = Math.min(limits.maxDatagramSize(), linkMaxDatagram);
        this.datagramSize = datagram;
        this.chunkSize = chunkSize(datagram);
        // Only plain UDP can have a crate peer (the crate has no DTLS); DTLS records keep the link's size.
        this.v1DatagramSize = dtls ? datagram : Math.max(datagram, CRATE_MAX_DATAGRAM);
        this.datagramReader = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(NettyDatagramLink.MAX_UDP_PAYLOAD));
        this.messageReader = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(limits.maxMessageSize()));
        this.datagramWriter = new FrameWriter(datagram);
        this.messageWriter = new FrameWriter(limits.maxMessageSize());
        // Over DTLS every record is authenticated: no CRC (wire-v2.md §6); plain UDP keeps CRC32C.
        Integrity integrity = dtls ? Integrity.NONE : Integrity.CRC32C;
        HeaderBlockDecoder headers = HpackHeaderBlocks.decoderForDatagrams(
                HpackHeaderBlocks.DEFAULT_MAX_HEADER_LIST_SIZE, FrameLimits.DEFAULT.maxHeaderCount());
        this.v2DatagramReader = new V2FrameReader(
                headers,
                integrity,
                V2Limits.DEFAULT.withMaxFrameSize(NettyDatagramLink.MAX_UDP_PAYLOAD),
                FrameTypeRegistry.V2);
        this.v2MessageReader = new V2FrameReader(
                headers, integrity, V2Limits.DEFAULT.withMaxFrameSize(limits.maxMessageSize()), FrameTypeRegistry.V2);
        this.v2DatagramWriter = V2FrameWriter.stateless(
                HpackHeaderBlocks.encoderForDatagrams(), integrity, datagram - V2Datagrams.MARKER.length);
        this.v2MessageWriter =
                V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), integrity, limits.maxMessageSize());
    }

    static int chunkSize(int maxDatagramSize) {
        return maxDatagramSize - FRAGMENT_OVERHEAD;
    }

    /** The payload of each fragment but the last, for this endpoint's datagram size. */
    int chunkSize() {
        return chunkSize;
    }

    /** The largest datagram sent, except v1 frames to a peer that may be the crate (§4). */
    int datagramSize() {
        return datagramSize;
    }

    /** The largest v1 frame sent as one datagram to a peer not known to speak v2 (§4). */
    int v1DatagramSize() {
        return v1DatagramSize;
    }

    /** The largest encoded message sent as one datagram; larger ones are fragmented (§4). */
    int oneDatagramLimit(boolean v2) {
        return v2 ? datagramSize : v1DatagramSize;
    }

    // ---- bytes: encoding ------------------------------------------------------------------------------------

    /** The v1 encoded size of {@code frame} as a whole message. */
    int encodedSize(Frame frame) {
        return messageWriter.encodedSize(frame);
    }

    /** Writes {@code frame} as a whole v1 message into {@code out}; does not release {@code frame}. */
    void writeV1(Frame frame, ByteBuf out) {
        messageWriter.write(frame, out);
    }

    /** A whole message in the wire a peer speaks; does not release {@code frame}. */
    ByteBuf encodeMessage(Frame frame, boolean v2) {
        return v2 ? encodeV2(frame) : encodeV1(frame);
    }

    /** The v1 encoding of a whole message; does not release {@code frame}. */
    ByteBuf encodeV1(Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(messageWriter.encodedSize(frame));
        messageWriter.write(frame, out);
        return out;
    }

    /**
     * A whole message as a v2 datagram of one frame (marker included), which is also what v2 fragments carry:
     * reassembled bytes say by their marker which wire they are. Does not release {@code frame}.
     */
    ByteBuf encodeV2(Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(frame.payload().readableBytes() + 128);
        try {
            out.writeBytes(V2Datagrams.MARKER);
            v2MessageWriter.write(frame, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** One v1 frame as one datagram of at most {@link #datagramSize()} bytes; releases {@code frame}. */
    ByteBuf encodeDatagram(Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(datagramWriter.encodedSize(frame));
        try {
            datagramWriter.write(frame, out);
        } finally {
            frame.release();
        }
        return out;
    }

    /** A v2 datagram being filled with frames for one peer. */
    V2Datagrams.Batch newBatch() {
        return new V2Datagrams.Batch(v2DatagramWriter, ByteBufAllocator.DEFAULT, datagramSize);
    }

    // ---- bytes: decoding ------------------------------------------------------------------------------------

    /**
     * The first v1 frame of a datagram, null if the datagram ends inside it; bytes after it are left unread (the
     * crate ignores them too). Does not release {@code datagram}.
     *
     * @throws FrameException if the bytes are not a v1 frame
     */
    Frame readV1Datagram(ByteBuf datagram) {
        return datagramReader.read(datagram);
    }

    /** Every frame of a v2 datagram up to the first bad one (wire-v2.md §11). Does not release {@code datagram}. */
    V2Datagrams.Decoded readV2Datagram(ByteBuf datagram) {
        return V2Datagrams.decode(datagram, v2DatagramReader);
    }

    /**
     * The one frame a reassembled message holds, in the wire its marker names (v2 only if {@code v2Allowed}); null
     * if it does not decode as exactly one frame (udp.md §4: BAD_MESSAGE). Does not release {@code message}.
     */
    Frame readMessage(ByteBuf message, boolean v2Allowed) {
        Frame whole;
        try {
            whole = v2Allowed && V2Datagrams.isV2(message) ? onlyV2Frame(message) : messageReader.read(message);
        } catch (FrameException e) {
            return null;
        }
        if (whole == null || message.isReadable()) {
            if (whole != null) {
                whole.release();
            }
            return null;
        }
        return whole;
    }

    /** The one frame of a reassembled v2 message, consuming it; null (nothing consumed) if it is not exactly one. */
    private Frame onlyV2Frame(ByteBuf message) {
        V2Datagrams.Decoded d = V2Datagrams.decode(message, v2MessageReader);
        if (d.hasError() || d.frames().size() != 1) {
            d.frames().forEach(Frame::release);
            return null;
        }
        message.skipBytes(message.readableBytes());
        return d.frames().get(0);
    }

    // ---- frames and headers ---------------------------------------------------------------------------------

    /**
     * The fragment headers every fragment of one message shares (message id, count, length), built once per
     * message rather than once per fragment: a 100 MiB message has 87 000 fragments.
     */
    record MessageHeaders(Header message, Header count, Header length) {
        static MessageHeaders of(long messageId, int count, long length) {
            return new MessageHeaders(
                    Header.of(VF_MSG, Long.toUnsignedString(messageId)),
                    Header.of(VF_CNT, Integer.toString(count)),
                    Header.of(VF_LEN, Long.toString(length)));
        }
    }

    static Frame fragment(MessageHeaders message, int index, boolean reliable, ByteBuf chunk) {
        Headers h = Headers.builder(4)
                .add(message.message())
                .add(VF_IDX, Integer.toString(index))
                .add(message.count())
                .add(message.length())
                .build();
        Flags flags = reliable ? Flags.FRAG.with(Flags.REQ_ACK) : Flags.FRAG;
        return new Frame(FrameType.DATA, flags, h, chunk);
    }

    /** The crate's ACK: type ACK, one header msg-id, no payload. */
    static Frame ack(long messageId) {
        return new Frame(
                FrameType.ACK,
                Flags.NONE,
                Headers.of(MSG_ID, Long.toUnsignedString(messageId)),
                io.netty.buffer.Unpooled.EMPTY_BUFFER);
    }

    /**
     * A selective acknowledgement of a fragmented message: every index below {@code cumulative} arrived, and so
     * did the ranges (inclusive pairs) above it, all in the receiver's reassembly number {@code generation}
     * (0 when the message is complete).
     */
    static Frame sack(long messageId, long generation, int cumulative, List<int[]> ranges) {
        Headers.Builder h = Headers.builder()
                .add(VF_MSG, Long.toUnsignedString(messageId))
                .add(VF_GEN, Long.toString(generation))
                .add(VF_CUM, Integer.toString(cumulative));
        StringBuilder value = new StringBuilder();
        for (int[] r : ranges) {
            String part = r[0] + "-" + r[1];
            if (value.length() + part.length() + 1 > MAX_HEADER_VALUE) {
                h.add(VF_SACK, value.toString());
                value.setLength(0);
            }
            if (value.length() > 0) {
                value.append(',');
            }
            value.append(part);
        }
        if (value.length() > 0) {
            h.add(VF_SACK, value.toString());
        }
        return new Frame(FrameType.ACK, Flags.NONE, h.build(), io.netty.buffer.Unpooled.EMPTY_BUFFER);
    }

    /**
     * The ranges a SACK reports for a reassembly's {@code received} indices above {@code cumulative}: highest
     * first, the freshest news for the sender, and at most {@link #MAX_SACK_RANGES} (udp.md §5.2).
     */
    static List<int[]> receivedRanges(BitSet received, int cumulative) {
        List<int[]> ranges = new ArrayList<>();
        int end = received.length(); // one past the highest received index
        while (end > cumulative && ranges.size() < MAX_SACK_RANGES) {
            int last = end - 1;
            int first = received.previousClearBit(last) + 1;
            ranges.add(new int[] {first, last});
            end = received.previousSetBit(first - 1) + 1;
        }
        return ranges;
    }

    /** Parses the vf-sack headers; malformed or absurd ranges are skipped (they only cost a retransmission). */
    static List<int[]> sackRanges(Frame ack, int count) {
        List<int[]> out = new ArrayList<>();
        for (Header h : ack.headers().all(VF_SACK)) {
            for (String part : h.valueAsString().split(",")) {
                int dash = part.indexOf('-');
                if (dash <= 0) {
                    continue;
                }
                long a = SessionFrames.decimal(part.substring(0, dash));
                long b = SessionFrames.decimal(part.substring(dash + 1));
                if (a >= 0 && b >= a && b < count && out.size() < MAX_SACK_RANGES) {
                    out.add(new int[] {(int) a, (int) b});
                }
            }
        }
        return out;
    }

    /** A non-negative decimal header value, or -1 if absent or malformed. */
    static long number(Frame frame, String key) {
        return SessionFrames.longHeader(frame, key, -1);
    }

    /**
     * A message id (a u64, the whole range, udp.md §3 and §5.1) read the crate's way: the first {@code key} header
     * whose value is unsigned decimal (leading zeros and one leading {@code +} allowed, as Rust's {@code u64} parse
     * allows) below 2^64; a value that is not ASCII ends the search, as the crate's UTF-8 check does. Null when there
     * is none. The returned long holds the unsigned value (ids of 2^63 and more are negative as Java longs).
     */
    static Long unsignedId(Frame frame, String key) {
        for (Header h : frame.headers().all(key)) {
            String v = h.valueAsStrictUtf8();
            if (v == null) {
                return null; // the crate's `.ok()?` on a value that is not UTF-8 stops looking
            }
            int start = v.startsWith("+") ? 1 : 0;
            boolean digits = v.length() > start;
            for (int j = start; j < v.length() && digits; j++) {
                digits = v.charAt(j) >= '0' && v.charAt(j) <= '9';
            }
            if (!digits) {
                continue;
            }
            try {
                return Long.parseUnsignedLong(v.substring(start));
            } catch (NumberFormatException e) {
                // 2^64 or more: the crate skips it too
            }
        }
        return null;
    }

    /**
     * The vf-* headers of a received fragment as they read; {@link #wellFormed()} says whether they can describe
     * a fragmented message at all. Values that are absent or malformed read as -1.
     */
    record Fragment(long messageId, long index, long count, long length, boolean reliable) {
        /** The fragment headers of {@code frame}, or null if it is not one of our fragments (udp.md §4). */
        static Fragment of(Frame frame) {
            if (!frame.flags().has(Flags.FRAG) || frame.headers().first(VF_IDX) == null) {
                return null; // e.g. the crate's frag-* frames, delivered as they come (udp.md §8)
            }
            Long id = unsignedId(frame, VF_MSG);
            if (id == null) {
                return null;
            }
            return new Fragment(
                    id,
                    number(frame, VF_IDX),
                    number(frame, VF_CNT),
                    number(frame, VF_LEN),
                    frame.flags().has(Flags.REQ_ACK));
        }

        /** A message of one fragment is never fragmented, and the reassembler counts in ints. */
        boolean wellFormed() {
            return index >= 0 && count >= 2 && count <= Integer.MAX_VALUE && length >= 0;
        }
    }

    /**
     * {@code frame} as a reliable single-datagram message (udp.md §5.1): REQ_ACK and a last header {@code msg-id}.
     * Does not release {@code frame}; the result holds its own reference to the payload.
     */
    static Frame withMessageId(Frame frame, long messageId) {
        return new Frame(
                frame.type(),
                frame.flags().with(Flags.REQ_ACK),
                withHeader(frame, MSG_ID, Long.toUnsignedString(messageId)),
                frame.payload().retain());
    }

    /**
     * The frame as its sender's application wrote it: without the {@code msg-id} header and REQ_ACK flag that
     * reliable delivery added (the last header, where both this endpoint and the crate append it). Takes over
     * {@code frame}.
     */
    static Frame withoutMessageId(Frame frame) {
        Headers h = frame.headers();
        if (h.isEmpty() || !h.get(h.size() - 1).keyAsString().equals(MSG_ID)) {
            return frame;
        }
        return new Frame(
                frame.type(),
                frame.flags().without(Flags.REQ_ACK),
                Headers.of(h.asList().subList(0, h.size() - 1)),
                frame.payload());
    }

    /**
     * {@code frame} with {@code versions: 2,1}, which tells a peer that may speak v2 that we do (wire-v2.md §10,
     * UDP). Takes over {@code frame}.
     */
    static Frame announcingV2(Frame frame) {
        return new Frame(frame.type(), frame.flags(), withHeader(frame, VERSIONS, "2,1"), frame.payload());
    }

    /** Whether {@code frame}'s {@code versions} header lists version 2. */
    static boolean announcesV2(Frame frame) {
        String versions = frame.headers().value(VERSIONS);
        if (versions == null) {
            return false;
        }
        for (String v : versions.split(",", 16)) {
            if (v.trim().equals("2")) {
                return true;
            }
        }
        return false;
    }

    private static Headers withHeader(Frame frame, String key, String value) {
        Headers.Builder b = Headers.builder();
        frame.headers().forEach(b::add);
        return b.add(key, value).build();
    }
}
