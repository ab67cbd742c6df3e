package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.vstp.core.frame.Frame;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The receiving half on its own, fed datagrams directly (no socket). */
class DatagramInputTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.1", 4433);
    private final EventLoop loop = new DefaultEventLoop();
    private final UdpLimits limits = UdpLimits.DEFAULT;
    private final UdpFrames frames = new UdpFrames(limits, NettyDatagramLink.MAX_UDP_PAYLOAD, false);
    private final UdpStats stats = new UdpStats();
    private final RecordingDatagramLink link = new RecordingDatagramLink(loop);
    private final List<Frame> delivered = new ArrayList<>();
    private final FragmentReassembler reassembler = new FragmentReassembler(limits, frames.chunkSize());
    private final DatagramInput input;

    DatagramInputTest() {
        DatagramOutput output = new DatagramOutput(link, frames, stats, true, p -> false);
        PeerTable peers = new PeerTable(
                limits, stats, a -> new ReliableSender(a, limits, output, stats, new AtomicLong(), false));
        input = new DatagramInput(frames, peers, reassembler, output, stats, (p, f) -> delivered.add(f), true);
    }

    @AfterEach
    void tearDown() throws Exception {
        link.sent.forEach(ByteBuf::release);
        delivered.forEach(Frame::release);
        reassembler.clear();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private ByteBuf firstFragment() {
        UdpFrames.MessageHeaders h = UdpFrames.MessageHeaders.of(9, 2, 2 * frames.chunkSize());
        return frames.encodeDatagram(
                UdpFrames.fragment(h, 0, false, Unpooled.wrappedBuffer(new byte[frames.chunkSize()])));
    }

    @Test
    void aFragmentIsKeptForReassemblyWhileOpen() {
        input.receive(PEER, firstFragment());
        assertThat(reassembler.activeCount()).isEqualTo(1);
        assertThat(stats.received()).isEqualTo(1);
    }

    @Test
    void afterCloseADatagramIsReleasedAndNothingIsKept() {
        input.close();
        ByteBuf datagram = firstFragment();
        input.receive(PEER, datagram);
        assertThat(datagram.refCnt()).isZero();
        assertThat(reassembler.activeCount())
                .as("nothing left for nobody to release")
                .isZero();
        assertThat(stats.received()).isZero();
        assertThat(delivered).isEmpty();
    }
}
