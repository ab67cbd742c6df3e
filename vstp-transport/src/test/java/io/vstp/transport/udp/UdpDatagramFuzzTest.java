package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the UDP receive path (docs/spec/udp.md): arbitrary datagrams from a few peers —
 * frames, fragments, SACKs, garbage — go through decoding, reassembly, acknowledgement and duplicate
 * suppression. Nothing may throw, and reassembly memory must stay under its cap.
 *
 * <p>The input is a sequence of datagrams: each takes a peer number and a length from the end of the input and
 * its bytes from the front. Regression mode replays the committed corpus in
 * {@code src/test/resources/io/vstp/transport/udp/UdpDatagramFuzzTestInputs/}.
 */
class UdpDatagramFuzzTest {
    private static final long CAP = 256 * 1024;
    private static final InetSocketAddress[] PEERS = {
        new InetSocketAddress("127.0.0.1", 9),
        new InetSocketAddress("127.0.0.2", 9),
        new InetSocketAddress("127.0.0.3", 9)
    };
    private static InjectingDatagramLink link;
    private static VstpUdpEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        link = new InjectingDatagramLink(NettyDatagramLink.bind(new InetSocketAddress("127.0.0.1", 0), null, 1200));
        endpoint = VstpUdpEndpoint.builder()
                .link(link)
                .limits(UdpLimits.DEFAULT
                        .withMaxMessageSize(1 << 20)
                        .withReassembly(4, 16, 128 * 1024, CAP, Duration.ofSeconds(30)))
                .handler((peer, frame) -> frame.release())
                .start();
    }

    @AfterAll
    static void stop() {
        endpoint.close();
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 20000)
    void receivePath(FuzzedDataProvider data) throws Exception {
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                () -> {
                    while (data.remainingBytes() > 0) {
                        InetSocketAddress peer = PEERS[data.consumeInt(0, PEERS.length - 1)];
                        byte[] datagram = data.consumeBytes(data.consumeInt(0, 1500));
                        link.inject(peer, Unpooled.wrappedBuffer(datagram));
                    }
                },
                link.eventLoop());
        done.get();
        assertThat(endpoint.reassemblyBytes()).isLessThanOrEqualTo(CAP);
    }
}
