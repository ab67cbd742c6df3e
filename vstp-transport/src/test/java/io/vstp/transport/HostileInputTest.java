package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static io.vstp.transport.testing.Frames.errName;
import static io.vstp.transport.testing.Frames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.codec.FrameLimits;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.testing.RawPeer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes from raw sockets on 127.0.0.1: the server answers ERR with the right code and closes that
 * connection only; a well-behaved session running alongside keeps working throughout.
 */
class HostileInputTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static VstpServer server;
    private static VstpClient client;
    private static VstpConnection bystander;

    @BeforeAll
    static void start() throws Exception {
        TransportLimits limits = TransportLimits.DEFAULT
                .withFrame(new FrameLimits(64 * 1024, 4096, 16))
                .withTimeouts(Duration.ofMillis(800), Duration.ofSeconds(30), Duration.ofMillis(500))
                .withMaxInFlightRequests(2);
        server = VstpServer.builder().port(0).threads(2).plain().legacyPeers(false).limits(limits)
                .handler((request, session) -> new java.util.concurrent.CompletableFuture<Frame>()
                        .completeOnTimeout(data("late:" + request.payloadAsString()), 300, TimeUnit.MILLISECONDS))
                .start();
        client = VstpClient.builder().plain().threads(1).build();
        bystander = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        bystander.close();
        client.close();
        server.close();
    }

    /** The bystander session still works, and the server counted the error. */
    private static void assertServerHealthy(ErrorCode counted) throws Exception {
        Frame r = bystander.request(data("still here")).get(5, TimeUnit.SECONDS);
        assertThat(r.payloadAsString()).isEqualTo("late:still here");
        r.release();
        assertThat(server.stats().errors(counted)).isPositive();
    }

    private static List<Frame> sendAndCollect(byte[]... chunks) throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            for (byte[] c : chunks) {
                peer.write(c);
            }
            return peer.framesUntilClosed(WAIT);
        }
    }

    @Test
    void garbageGetsBadMagic() throws Exception {
        assertThat(errName(sendAndCollect("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()))).isEqualTo("BAD_MAGIC");
        assertServerHealthy(ErrorCode.BAD_MAGIC);
    }

    @Test
    void otherVersionGetsUnsupportedVersion() throws Exception {
        assertThat(errName(sendAndCollect(new byte[] {0x56, 0x54, 0x02}))).isEqualTo("UNSUPPORTED_VERSION");
        assertServerHealthy(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void hugeDeclaredLengthIsRefusedFromThePrefix() throws Exception {
        // PAY_LEN 0xFFFFFFFF: refused before a single body byte, nothing allocated for it.
        byte[] prefix = HexFormat.of().parseHex("5654010300" + "0000" + "ffffffff");
        assertThat(errName(sendAndCollect(prefix))).isEqualTo("FRAME_TOO_LARGE");
        assertServerHealthy(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void badCrcGetsCrcMismatch() throws Exception {
        byte[] frame = HexFormat.of().parseHex("565401010000000000000090a29465");
        assertThat(errName(sendAndCollect(frame))).isEqualTo("CRC_MISMATCH");
        assertServerHealthy(ErrorCode.CRC_MISMATCH);
    }

    @Test
    void tooManyHeadersAfterHello() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            peer.write(hello());
            Frame.Builder b = Frame.builder(FrameType.DATA);
            for (int i = 0; i < 17; i++) {
                b.header("h" + i, "v");
            }
            peer.write(b.build());
            List<Frame> frames = peer.framesUntilClosed(WAIT);
            assertThat(frames.get(0).type()).isEqualTo(FrameType.WELCOME);
            assertThat(errName(frames)).isEqualTo("TOO_MANY_HEADERS");
        }
        assertServerHealthy(ErrorCode.TOO_MANY_HEADERS);
    }

    @Test
    void frameThatNeverCompletesTimesOut() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            peer.write(hello());
            // A DATA frame announcing 100 payload bytes, of which 10 ever arrive (slow-loris).
            peer.write(HexFormat.of().parseHex("5654010300" + "0000" + "00000064" + "00".repeat(10)));
            List<Frame> frames = peer.framesUntilClosed(WAIT);
            assertThat(frames.get(0).type()).isEqualTo(FrameType.WELCOME);
            assertThat(errName(frames)).isEqualTo("FRAME_TIMEOUT");
        }
        assertServerHealthy(ErrorCode.FRAME_TIMEOUT);
    }

    @Test
    void silentPeerGetsHandshakeTimeout() throws Exception {
        assertThat(errName(sendAndCollect())).isEqualTo("HANDSHAKE_TIMEOUT");
        assertServerHealthy(ErrorCode.HANDSHAKE_TIMEOUT);
    }

    @Test
    void dataBeforeHelloIsAProtocolViolationWhenLegacyPeersAreOff() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            peer.write(data("no hello"));
            assertThat(errName(peer.framesUntilClosed(WAIT))).isEqualTo("PROTOCOL_VIOLATION");
        }
        assertServerHealthy(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void helloWithoutCommonVersion() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            peer.write(Frame.builder(FrameType.HELLO).header("impl", "x").header("versions", "7,9").build());
            assertThat(errName(peer.framesUntilClosed(WAIT))).isEqualTo("NO_COMMON_VERSION");
        }
        assertServerHealthy(ErrorCode.NO_COMMON_VERSION);
    }

    /** The crate's empty HELLO starts a legacy session only where legacy peers are served (session.md §6). */
    @Test
    void emptyHelloWhenLegacyPeersAreOffOffersNoVersion() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            peer.write(Frame.builder(FrameType.HELLO).build());
            List<Frame> frames = peer.framesUntilClosed(WAIT);
            assertThat(frames).anySatisfy(f -> assertThat(f.payloadAsString()).contains("offers none"));
            assertThat(errName(frames)).isEqualTo("NO_COMMON_VERSION");
        }
        assertServerHealthy(ErrorCode.NO_COMMON_VERSION);
    }

    @Test
    void requestsBeyondTheInFlightLimitAreRefusedOneByOne() throws Exception {
        try (RawPeer peer = new RawPeer(server.port())) {
            // Three requests in one write: the server pauses reading at 2 in flight, but the third is already
            // in its buffer, so it must refuse that one request and keep the session.
            peer.write(hello(),
                    Frame.builder(FrameType.DATA).header("req-id", "1").payload("a").build(),
                    Frame.builder(FrameType.DATA).header("req-id", "2").payload("b").build(),
                    Frame.builder(FrameType.DATA).header("req-id", "3").payload("c").build());
            List<Frame> frames = peer.readFrames(4, WAIT);
            try {
                assertThat(frames.get(0).type()).isEqualTo(FrameType.WELCOME);
                Frame refused = frames.stream().filter(f -> f.type().equals(FrameType.ERR)).findFirst().orElseThrow();
                assertThat(refused.headers().value("error")).isEqualTo("TOO_MANY_IN_FLIGHT");
                assertThat(refused.headers().value("req-id")).isEqualTo("3");
                assertThat(frames.stream().filter(f -> f.type().equals(FrameType.DATA))
                        .map(f -> f.headers().value("req-id"))).containsExactlyInAnyOrder("1", "2");
            } finally {
                frames.forEach(Frame::release);
            }
        }
        assertServerHealthy(ErrorCode.TOO_MANY_IN_FLIGHT);
    }

    @Test
    void perAddressConnectionLimitRefusesWithErr() throws Exception {
        VstpServer small = VstpServer.builder().port(0).threads(1).plain()
                .limits(TransportLimits.DEFAULT.withMaxConnections(100, 2)).start();
        try (RawPeer a = new RawPeer(small.port()); RawPeer b = new RawPeer(small.port());
             RawPeer c = new RawPeer(small.port())) {
            assertThat(errName(c.framesUntilClosed(WAIT))).isEqualTo("TOO_MANY_CONNECTIONS");
            assertThat(small.stats().rejected()).isEqualTo(1);
        } finally {
            small.close();
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        VstpServer idle = VstpServer.builder().port(0).threads(1).plain()
                .limits(TransportLimits.DEFAULT.withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300),
                        Duration.ofSeconds(5))).start();
        try (RawPeer peer = new RawPeer(idle.port())) {
            peer.write(hello());
            List<Frame> frames = peer.framesUntilClosed(WAIT);
            assertThat(frames.get(0).type()).isEqualTo(FrameType.WELCOME);
            assertThat(errName(frames)).isEqualTo("IDLE_TIMEOUT");
        } finally {
            idle.close();
        }
    }
}
