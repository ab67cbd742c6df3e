package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.V2Datagrams;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The UDP wire codec on its own: the frame layout of docs/spec/udp.md and the byte codec of one endpoint. */
class UdpFramesTest {
    private static final UdpFrames PLAIN = new UdpFrames(UdpLimits.DEFAULT, NettyDatagramLink.MAX_UDP_PAYLOAD, false);

    private static Frame data(String payload, String... headers) {
        return new Frame(FrameType.DATA, Flags.NONE, Headers.of(headers), Unpooled.copiedBuffer(payload.getBytes()));
    }

    private static String ranges(List<int[]> ranges) {
        StringBuilder b = new StringBuilder();
        ranges.forEach(r -> b.append(r[0]).append('-').append(r[1]).append(' '));
        return b.toString().trim();
    }

    @Test
    void sackRangesAreTheReceivedRunsAboveTheCumulativePointHighestFirst() {
        BitSet received = new BitSet();
        received.set(0, 3);
        received.set(5, 7);
        received.set(9);
        assertThat(ranges(UdpFrames.receivedRanges(received, 3))).isEqualTo("9-9 5-6");
        assertThat(UdpFrames.receivedRanges(received, 10)).isEmpty();
    }

    @Test
    void sackRangesStopAtThirtyTwo() {
        BitSet received = new BitSet();
        for (int i = 2; i <= 200; i += 2) {
            received.set(i);
        }
        List<int[]> r = UdpFrames.receivedRanges(received, 0);
        assertThat(r).hasSize(UdpFrames.MAX_SACK_RANGES);
        assertThat(r.get(0)).containsExactly(200, 200);
        assertThat(r.get(31)).containsExactly(138, 138);
    }

    @Test
    void aSackRoundTripsThroughItsHeaders() {
        BitSet received = new BitSet();
        received.set(0, 4);
        received.set(6, 9);
        Frame sack = UdpFrames.sack(7, 3, 4, UdpFrames.receivedRanges(received, 4));
        assertThat(UdpFrames.unsignedId(sack, UdpFrames.VF_MSG)).isEqualTo(7);
        assertThat(UdpFrames.number(sack, UdpFrames.VF_GEN)).isEqualTo(3);
        assertThat(UdpFrames.number(sack, UdpFrames.VF_CUM)).isEqualTo(4);
        assertThat(ranges(UdpFrames.sackRanges(sack, 10))).isEqualTo("6-8");
        assertThat(UdpFrames.sackRanges(sack, 8))
                .as("a range past the message is ignored")
                .isEmpty();
    }

    @Test
    void theMessageIdAddedForReliableDeliveryIsRemovedBeforeTheApplicationSeesTheFrame() {
        Frame original = data("hi", "app", "1");
        Frame tagged = UdpFrames.withMessageId(original, -1L); // 2^64 - 1: every u64 is an id
        assertThat(tagged.flags().has(Flags.REQ_ACK)).isTrue();
        assertThat(tagged.headers().get(tagged.headers().size() - 1).valueAsString())
                .isEqualTo("18446744073709551615");
        assertThat(UdpFrames.unsignedId(tagged, UdpFrames.MSG_ID)).isEqualTo(-1L);
        Frame received = UdpFrames.withoutMessageId(tagged);
        assertThat(received.flags().has(Flags.REQ_ACK)).isFalse();
        assertThat(received).isEqualTo(original);
        received.release();
        original.release();
    }

    @Test
    void aMessageIdThatIsNotTheLastHeaderIsTheApplicationsAndStays() {
        Frame frame = new Frame(
                FrameType.DATA, Flags.REQ_ACK, Headers.of(UdpFrames.MSG_ID, "5", "app", "1"), Unpooled.EMPTY_BUFFER);
        assertThat(UdpFrames.withoutMessageId(frame)).isSameAs(frame);
    }

    @Test
    void theVersionsHeaderAnnouncesV2OnlyWhenItListsTwo() {
        assertThat(UdpFrames.announcesV2(data("", UdpFrames.VERSIONS, "1, 2"))).isTrue();
        assertThat(UdpFrames.announcesV2(data("", UdpFrames.VERSIONS, "1"))).isFalse();
        assertThat(UdpFrames.announcesV2(data("", UdpFrames.VERSIONS, "21,12"))).isFalse();
        assertThat(UdpFrames.announcesV2(data(""))).isFalse();
        Frame ack = UdpFrames.announcingV2(UdpFrames.ack(1));
        assertThat(ack.headers().value(UdpFrames.VERSIONS)).isEqualTo("2,1");
        assertThat(ack.headers().value(UdpFrames.MSG_ID))
                .as("still the crate's ACK first")
                .isEqualTo("1");
        assertThat(UdpFrames.announcesV2(ack)).isTrue();
    }

    @Test
    void fragmentHeadersReadBackAsWritten() {
        UdpFrames.MessageHeaders h = UdpFrames.MessageHeaders.of(Long.MIN_VALUE, 3, 2500);
        Frame f = UdpFrames.fragment(h, 2, true, Unpooled.EMPTY_BUFFER);
        UdpFrames.Fragment read = UdpFrames.Fragment.of(f);
        assertThat(read).isEqualTo(new UdpFrames.Fragment(Long.MIN_VALUE, 2, 3, 2500, true));
        assertThat(read.wellFormed()).isTrue();
        assertThat(UdpFrames.Fragment.of(UdpFrames.fragment(h, 0, false, Unpooled.EMPTY_BUFFER))
                        .reliable())
                .isFalse();
    }

    @Test
    void framesThatAreNotOurFragmentsAreNotReadAsFragments() {
        assertThat(UdpFrames.Fragment.of(data("x", UdpFrames.VF_MSG, "1", UdpFrames.VF_IDX, "0")))
                .as("no FRAG flag")
                .isNull();
        Frame crateStyle = new Frame(
                FrameType.DATA, Flags.FRAG, Headers.of("frag-id", "1", "frag-index", "0"), Unpooled.EMPTY_BUFFER);
        assertThat(UdpFrames.Fragment.of(crateStyle))
                .as("the crate's frag-* headers")
                .isNull();
        Frame noId = new Frame(
                FrameType.DATA,
                Flags.FRAG,
                Headers.of(UdpFrames.VF_MSG, "x", UdpFrames.VF_IDX, "0"),
                Unpooled.EMPTY_BUFFER);
        assertThat(UdpFrames.Fragment.of(noId)).isNull();
    }

    @Test
    void fragmentShapesNoMessageCanHaveAreNotWellFormed() {
        assertThat(new UdpFrames.Fragment(1, 0, 1, 10, false).wellFormed())
                .as("one fragment")
                .isFalse();
        assertThat(new UdpFrames.Fragment(1, 0, 1L << 31, 10, false).wellFormed())
                .as("count past int")
                .isFalse();
        assertThat(new UdpFrames.Fragment(1, -1, 2, 10, false).wellFormed())
                .as("index absent")
                .isFalse();
        assertThat(new UdpFrames.Fragment(1, 0, 2, -1, false).wellFormed())
                .as("length absent")
                .isFalse();
        assertThat(new UdpFrames.Fragment(1, 0, Integer.MAX_VALUE, 0, false).wellFormed())
                .isTrue();
    }

    @Test
    void overPlainUdpAPeerThatMayBeTheCrateGetsUpTo2400BytesInOneDatagram() {
        assertThat(PLAIN.datagramSize()).isEqualTo(1200);
        assertThat(PLAIN.chunkSize()).isEqualTo(1200 - 97);
        assertThat(PLAIN.oneDatagramLimit(false)).isEqualTo(UdpFrames.CRATE_MAX_DATAGRAM);
        assertThat(PLAIN.oneDatagramLimit(true)).isEqualTo(1200);
        UdpFrames dtls = new UdpFrames(UdpLimits.DEFAULT, 1100, true);
        assertThat(dtls.datagramSize()).as("the link's smaller size wins").isEqualTo(1100);
        assertThat(dtls.oneDatagramLimit(false)).as("no crate over DTLS").isEqualTo(1100);
    }

    @Test
    void aWholeMessageReadsBackInEitherWire() {
        Frame frame = data("payload", "k", "v");
        ByteBuf v1 = PLAIN.encodeMessage(frame, false);
        ByteBuf v2 = PLAIN.encodeMessage(frame, true);
        assertThat(V2Datagrams.isV2(v1)).isFalse();
        assertThat(V2Datagrams.isV2(v2)).isTrue();
        Frame fromV1 = PLAIN.readMessage(v1, true);
        Frame fromV2 = PLAIN.readMessage(v2, true);
        assertThat(fromV1).isEqualTo(frame);
        assertThat(fromV2).isEqualTo(frame);
        fromV1.release();
        fromV2.release();
        frame.release();
        assertThat(v1.refCnt()).as("the caller releases the message").isEqualTo(1);
        assertThat(v2.refCnt()).isEqualTo(1);
        v1.release();
        v2.release();
    }

    @Test
    void aMessageThatIsNotExactlyOneFrameReadsAsNothing() {
        Frame frame = data("payload");
        ByteBuf two = PLAIN.encodeV1(frame);
        ByteBuf second = PLAIN.encodeV1(frame);
        two.writeBytes(second);
        second.release();
        assertThat(PLAIN.readMessage(two, true)).as("two frames").isNull();
        ByteBuf cut = PLAIN.encodeV1(frame);
        cut.writerIndex(cut.writerIndex() - 1);
        assertThat(PLAIN.readMessage(cut, true)).as("truncated").isNull();
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[64]);
        assertThat(PLAIN.readMessage(garbage, true)).as("not a frame").isNull();
        for (ByteBuf b : List.of(two, cut, garbage)) {
            assertThat(b.refCnt()).isEqualTo(1);
            b.release();
        }
        frame.release();
    }

    @Test
    void aMessageLargerThanMaxMessageSizeIsRefusedByTheReader() {
        UdpFrames small = new UdpFrames(UdpLimits.DEFAULT.withMaxMessageSize(4096), 1200, false);
        Frame big = new Frame(FrameType.DATA, Flags.NONE, Headers.EMPTY, Unpooled.wrappedBuffer(new byte[8192]));
        ByteBuf encoded = PLAIN.encodeV1(big);
        assertThat(small.readMessage(encoded, true)).isNull();
        encoded.release();
        big.release();
    }

    @Test
    void aDatagramHoldsOneV1FrameAndTakesOverIt() {
        Frame frame = data("x", "k", "v");
        Frame copy = data("x", "k", "v");
        ByteBuf datagram = PLAIN.encodeDatagram(frame);
        assertThat(frame.refCnt()).isZero();
        Frame read = PLAIN.readV1Datagram(datagram);
        assertThat(read).isEqualTo(copy);
        read.release();
        copy.release();
        datagram.release();
    }
}
