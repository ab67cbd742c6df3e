package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 16, attack 4: peers that ask for large reliable answers and never acknowledge them. What is queued for them
 * is bounded per peer and in total, and a peer that stays silent is given up, its memory released. The same over
 * DTLS, where the peers have completed a handshake (and so proven their addresses) before they fall silent.
 */
class SilentPeerTest {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    private static final byte[] ONE_MIB = new byte[1 << 20];

    @ParameterizedTest
    @EnumSource(DatagramPeer.Security.class)
    void silentPeersHoldBoundedMemoryAndAreGivenUp(DatagramPeer.Security security) throws Exception {
        long perPeer = 4L << 20;
        long total = 8L << 20;
        UdpLimits limits = UdpLimits.DEFAULT.withQueues(perPeer, total, Duration.ofSeconds(2));
        VstpUdpEndpoint[] self = new VstpUdpEndpoint[1];
        List<Throwable> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        // Every datagram is answered with 1 MiB, reliably: what a files server does for a "get".
        try (VstpUdpEndpoint server = self[0] = security.server(serverHome)
                .limits(limits)
                .handler((peer, frame) -> {
                    frame.release();
                    self[0].sendReliable(
                                    peer,
                                    new Frame(
                                            FrameType.DATA, Flags.NONE, Headers.EMPTY, Unpooled.wrappedBuffer(ONE_MIB)))
                            .whenComplete((v, e) -> {
                                if (e != null) {
                                    refusals.add(e);
                                }
                            });
                })
                .start()) {
            InetSocketAddress to = server.localAddress();
            List<DatagramPeer> silent = new ArrayList<>();
            try {
                for (int s = 0; s < 4; s++) {
                    DatagramPeer peer = security.peer(to, clientHome);
                    silent.add(peer);
                    for (int i = 0; i < 20; i++) {
                        peer.send(new Frame(
                                FrameType.DATA,
                                Flags.NONE,
                                Headers.of("n", Integer.toString(i)),
                                Unpooled.EMPTY_BUFFER));
                    }
                }
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(refusals)
                                .as("answers past the caps are refused, not queued")
                                .hasSizeGreaterThanOrEqualTo(4 * 20 - 8));
                assertThat(server.queuedBytes()).as("the total cap holds").isLessThanOrEqualTo(total);

                // Silent past peerSilenceTimeout: given up, everything queued for them released.
                await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> {
                            assertThat(server.queuedBytes()).isZero();
                            assertThat(server.stats().dropped(UdpStats.Drop.SILENT_PEER))
                                    .isPositive();
                        });
            } finally {
                silent.forEach(DatagramPeer::close);
            }
        }
    }
}
