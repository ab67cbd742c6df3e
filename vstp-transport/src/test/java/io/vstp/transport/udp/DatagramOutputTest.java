package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.vstp.core.codec.v2.V2Datagrams;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How an endpoint's frames become datagrams (udp.md §1, §4; wire-v2.md §10-§11), on a link that only records. */
class DatagramOutputTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 4433);
    private final EventLoop loop = new DefaultEventLoop();
    private final RecordingDatagramLink link = new RecordingDatagramLink(loop);
    private final List<ByteBuf> sent = link.sent;
    private final UdpFrames frames = new UdpFrames(UdpLimits.DEFAULT, NettyDatagramLink.MAX_UDP_PAYLOAD, false);
    private final UdpStats stats = new UdpStats();

    @AfterEach
    void tearDown() throws Exception {
        sent.forEach(ByteBuf::release);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Runs {@code task} as one event-loop task, then waits until the tasks it queued (the flush) ran too. */
    private void inOneTask(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
        loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    }

    private List<Frame> v2Frames(ByteBuf datagram) {
        assertThat(V2Datagrams.isV2(datagram)).isTrue();
        V2Datagrams.Decoded d = frames.readV2Datagram(datagram.duplicate());
        assertThat(d.hasError()).isFalse();
        return d.frames();
    }

    @Test
    void acknowledgementsForAV2PeerInOneTaskShareOneDatagram() throws Exception {
        DatagramOutput output = new DatagramOutput(link, frames, stats, true, p -> true);
        inOneTask(() -> {
            output.sendAck(PEER, UdpFrames.ack(1));
            output.sendAck(PEER, UdpFrames.ack(2));
            assertThat(sent).as("held until the task ends").isEmpty();
        });
        assertThat(sent).hasSize(1);
        List<Frame> got = v2Frames(sent.get(0));
        assertThat(got).extracting(f -> f.headers().value(UdpFrames.MSG_ID)).containsExactly("1", "2");
        got.forEach(Frame::release);
        assertThat(stats.v2DatagramsSent()).isEqualTo(1);
        assertThat(stats.v2FramesSent()).isEqualTo(2);
    }

    @Test
    void aFullDatagramLeavesAtOnceAndNoFrameIsLost() throws Exception {
        DatagramOutput output = new DatagramOutput(link, frames, stats, true, p -> true);
        int acks = 300;
        inOneTask(() -> {
            for (int i = 0; i < acks; i++) {
                output.sendAck(PEER, UdpFrames.ack(Long.MAX_VALUE - i));
            }
        });
        assertThat(sent.size()).isGreaterThan(1);
        int total = 0;
        for (ByteBuf datagram : sent) {
            assertThat(datagram.readableBytes()).isLessThanOrEqualTo(frames.datagramSize());
            List<Frame> got = v2Frames(datagram);
            total += got.size();
            got.forEach(Frame::release);
        }
        assertThat(total).isEqualTo(acks);
    }

    @Test
    void anAckToAPeerNotKnownToSpeakV2IsTheCratesAckAnnouncingV2() throws Exception {
        DatagramOutput output = new DatagramOutput(link, frames, stats, true, p -> false);
        inOneTask(() -> output.sendAck(PEER, UdpFrames.ack(7)));
        assertThat(sent).hasSize(1);
        Frame ack = frames.readV1Datagram(sent.get(0).duplicate());
        assertThat(ack.type()).isEqualTo(FrameType.ACK);
        assertThat(ack.headers().value(UdpFrames.MSG_ID)).isEqualTo("7");
        assertThat(ack.headers().value(UdpFrames.VERSIONS)).isEqualTo("2,1");
        ack.release();
    }

    @Test
    void withoutWireV2AnAckIsExactlyTheCratesAck() throws Exception {
        DatagramOutput output = new DatagramOutput(link, frames, stats, false, p -> false);
        inOneTask(() -> output.sendAck(PEER, UdpFrames.ack(7)));
        Frame ack = frames.readV1Datagram(sent.get(0).duplicate());
        assertThat(ack.headers().size()).isEqualTo(1);
        ack.release();
    }

    @Test
    void anEncodedV1MessageGoesOutAsItIsAndAV2OneJoinsThePeersDatagram() throws Exception {
        DatagramOutput output = new DatagramOutput(link, frames, stats, true, p -> true);
        Frame frame = Frame.builder(FrameType.DATA).payload("hello").build();
        ByteBuf v1 = frames.encodeV1(frame);
        ByteBuf v2 = frames.encodeV2(frame);
        frame.release();
        inOneTask(() -> {
            output.sendEncoded(PEER, v1);
            assertThat(sent).containsExactly(v1);
            output.sendEncoded(PEER, v2);
            output.sendAck(PEER, UdpFrames.ack(1));
        });
        assertThat(v2.refCnt()).isZero();
        assertThat(sent).hasSize(2);
        List<Frame> got = v2Frames(sent.get(1));
        assertThat(got).extracting(Frame::type).containsExactly(FrameType.DATA, FrameType.ACK);
        assertThat(got.get(0).payloadAsString()).isEqualTo("hello");
        got.forEach(Frame::release);
    }
}
