package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.transport.session.SessionFrames;
import java.util.ArrayList;
import java.util.List;

/** The UDP-specific frames and headers of docs/spec/udp.md, built and read in one place. */
final class UdpFrames {
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

    private UdpFrames() {
    }

    static int chunkSize(int maxDatagramSize) {
        return maxDatagramSize - FRAGMENT_OVERHEAD;
    }

    /**
     * The fragment headers every fragment of one message shares (message id, count, length), built once per
     * message rather than once per fragment: a 100 MiB message has 87 000 fragments.
     */
    record MessageHeaders(Header message, Header count, Header length) {
        static MessageHeaders of(long messageId, int count, long length) {
            return new MessageHeaders(Header.of(VF_MSG, Long.toUnsignedString(messageId)),
                    Header.of(VF_CNT, Integer.toString(count)), Header.of(VF_LEN, Long.toString(length)));
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
        return new Frame(FrameType.ACK, Flags.NONE, Headers.of(MSG_ID, Long.toUnsignedString(messageId)),
                io.netty.buffer.Unpooled.EMPTY_BUFFER);
    }

    /**
     * A selective acknowledgement of a fragmented message: every index below {@code cumulative} arrived, and so
     * did the ranges (inclusive pairs) above it, all in the receiver's reassembly number {@code generation}
     * (0 when the message is complete).
     */
    static Frame sack(long messageId, long generation, int cumulative, List<int[]> ranges) {
        Headers.Builder h = Headers.builder().add(VF_MSG, Long.toUnsignedString(messageId))
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
}
