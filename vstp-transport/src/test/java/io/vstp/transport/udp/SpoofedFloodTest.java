package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.testing.DatagramPeer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint under a flood of first fragments from 5 000 spoofed source addresses, injected below the socket
 * (no raw sockets needed to forge sources): reassembly memory stays under its cap the whole time, and a real peer's
 * 1 MiB reliable message still arrives.
 */
class SpoofedFloodTest {
    @Test
    void memoryStaysUnderTheCapAndALegitimatePeerGetsThrough() throws Exception {
        long cap = 2L * 1024 * 1024;
        UdpLimits limits = UdpLimits.DEFAULT.withReassembly(8, 512, cap, cap, Duration.ofSeconds(30));
        InjectingDatagramLink link =
                new InjectingDatagramLink(NettyDatagramLink.bind(new InetSocketAddress("127.0.0.1", 0), null, 1200));
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .link(link)
                        .limits(limits)
                        .handler((p, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = VstpUdpEndpoint.builder().plain().start()) {
            int chunk = UdpFrames.chunkSize(1200);
            byte[] fragment = encode(new Frame(
                    FrameType.DATA,
                    Flags.FRAG.with(Flags.REQ_ACK),
                    Headers.of(
                            "vf-msg", "77", "vf-idx", "0", "vf-cnt", "90000", "vf-len", Long.toString(90_000L * chunk)),
                    Unpooled.wrappedBuffer(new byte[chunk])));
            AtomicLong peak = new AtomicLong();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < 5_000; i++) {
                            InetSocketAddress forged = new InetSocketAddress(
                                    "10.9." + (i >> 8 & 255) + "." + (i & 255), 1024 + i % 50_000);
                            link.inject(forged, Unpooled.wrappedBuffer(fragment));
                            if (i % 100 == 0) {
                                peak.accumulateAndGet(server.reassemblyBytes(), Math::max);
                            }
                        }
                    },
                    link.eventLoop());

            byte[] big = new byte[1 << 20];
            new Random(11).nextBytes(big);
            client.sendReliable(
                            server.localAddress(),
                            Frame.builder(FrameType.DATA)
                                    .payload(Unpooled.wrappedBuffer(big))
                                    .build())
                    .get(30, TimeUnit.SECONDS);
            flood.get(30, TimeUnit.SECONDS);
            Frame f = got.poll(5, TimeUnit.SECONDS);
            assertThat(f)
                    .as("delivered; server %s, client %s", server.stats(), client.stats())
                    .isNotNull();
            assertThat(f.payloadBytes()).isEqualTo(big);
            f.release();
            assertThat(peak.get()).isPositive().isLessThanOrEqualTo(cap);
            assertThat(server.reassemblyBytes()).isLessThanOrEqualTo(cap);
            assertThat(server.stats().received()).isGreaterThanOrEqualTo(5_000);
        }
    }

    /**
     * The same flood over DTLS, where sources cannot be forged: 16 clients that completed handshakes each send 300
     * first fragments of messages that never finish. Each peer keeps only its newest few, the total stays under its
     * cap, and a legitimate DTLS client's 1 MiB message still arrives.
     */
    @Test
    void dtlsClientsFloodingFirstFragmentsStayUnderTheCap(@TempDir Path serverHome, @TempDir Path clientHome)
            throws Exception {
        long cap = 2L * 1024 * 1024;
        UdpLimits limits = UdpLimits.DEFAULT.withReassembly(8, 512, cap, cap, Duration.ofSeconds(30));
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        DatagramPeer.Security dtls = DatagramPeer.Security.DTLS;
        try (VstpUdpEndpoint server = dtls.server(serverHome)
                        .limits(limits)
                        .handler((p, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = dtls.client(clientHome).start()) {
            List<DatagramPeer> flooders = new ArrayList<>();
            long peak = 0;
            try {
                for (int p = 0; p < 16; p++) {
                    flooders.add(dtls.peer(server.localAddress(), clientHome));
                }
                int chunk = UdpFrames.chunkSize(flooders.get(0).maxDatagramSize());
                for (int i = 0; i < 300; i++) {
                    for (DatagramPeer flooder : flooders) {
                        flooder.send(encode(new Frame(
                                FrameType.DATA,
                                Flags.FRAG.with(Flags.REQ_ACK),
                                Headers.of(
                                        "vf-msg",
                                        Integer.toString(1000 + i),
                                        "vf-idx",
                                        "0",
                                        "vf-cnt",
                                        "90000",
                                        "vf-len",
                                        Long.toString(90_000L * chunk)),
                                Unpooled.wrappedBuffer(new byte[chunk]))));
                    }
                    if (i % 10 == 0) {
                        peak = Math.max(peak, server.reassemblyBytes());
                    }
                }
                for (DatagramPeer flooder : flooders) {
                    flooder.sync();
                }
                // The server reads what is still in its socket: datagrams lost on the way leave no count to wait for.
                Thread.sleep(100);
                peak = Math.max(peak, server.reassemblyBytes());
                assertThat(server.reassemblies())
                        .as("each flooder keeps at most its 8 newest messages")
                        .isPositive()
                        .isLessThanOrEqualTo(16 * 8);
                byte[] big = new byte[1 << 20];
                new Random(12).nextBytes(big);
                client.sendReliable(
                                server.localAddress(),
                                Frame.builder(FrameType.DATA)
                                        .payload(Unpooled.wrappedBuffer(big))
                                        .build())
                        .get(30, TimeUnit.SECONDS);
                peak = Math.max(peak, server.reassemblyBytes());
                Frame f = got.poll(5, TimeUnit.SECONDS);
                assertThat(f).as("delivered; server %s", server.stats()).isNotNull();
                assertThat(f.payloadBytes()).isEqualTo(big);
                f.release();
            } finally {
                flooders.forEach(DatagramPeer::close);
            }
            assertThat(peak)
                    .as("reassembly bytes at their highest")
                    .isPositive()
                    .isLessThanOrEqualTo(cap);
        }
    }

    private static byte[] encode(Frame f) {
        return io.vstp.core.testing.FrameBytes.v1(f);
    }
}
