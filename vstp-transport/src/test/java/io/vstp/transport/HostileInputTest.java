package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static io.vstp.transport.testing.Frames.hello;
import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.codec.FrameLimits;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.ScriptedPeer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes from scripted peers on 127.0.0.1: the server answers ERR with the right code and closes that
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
        server = VstpServer.builder()
                .port(0)
                .threads(2)
                .plain()
                .legacyPeers(false)
                .limits(limits)
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

    @Test
    void garbageGetsBadMagic() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII))
                    .expectErr("BAD_MAGIC")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.BAD_MAGIC);
    }

    @Test
    void otherVersionGetsUnsupportedVersion() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.sendBytes(new byte[] {0x56, 0x54, 0x02})
                    .expectErr("UNSUPPORTED_VERSION")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void hugeDeclaredLengthIsRefusedFromThePrefix() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            // PAY_LEN 0xFFFFFFFF: refused before a single body byte, nothing allocated for it.
            peer.sendBytes(HexFormat.of().parseHex("5654010300" + "0000" + "ffffffff"))
                    .expectErr("FRAME_TOO_LARGE")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void badCrcGetsCrcMismatch() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.sendBytes(HexFormat.of().parseHex("565401010000000000000090a29465"))
                    .expectErr("CRC_MISMATCH")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.CRC_MISMATCH);
    }

    @Test
    void tooManyHeadersAfterHello() throws Exception {
        Frame.Builder seventeenHeaders = Frame.builder(FrameType.DATA);
        for (int i = 0; i < 17; i++) {
            seventeenHeaders.header("h" + i, "v");
        }
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(hello())
                    .expect(FrameType.WELCOME)
                    .send(seventeenHeaders.build())
                    .expectErr("TOO_MANY_HEADERS")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.TOO_MANY_HEADERS);
    }

    @Test
    void frameThatNeverCompletesTimesOut() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(hello())
                    .expect(FrameType.WELCOME)
                    // A DATA frame announcing 100 payload bytes, of which 10 ever arrive (slow-loris).
                    .sendBytes(HexFormat.of().parseHex("5654010300" + "0000" + "00000064" + "00".repeat(10)))
                    .expectErr("FRAME_TIMEOUT")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.FRAME_TIMEOUT);
    }

    @Test
    void silentPeerGetsHandshakeTimeout() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.expectErr("HANDSHAKE_TIMEOUT").expectClose();
        }
        assertServerHealthy(ErrorCode.HANDSHAKE_TIMEOUT);
    }

    @Test
    void dataBeforeHelloIsAProtocolViolationWhenLegacyPeersAreOff() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(data("no hello")).expectErr("PROTOCOL_VIOLATION").expectClose();
        }
        assertServerHealthy(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void helloWithoutCommonVersion() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(Frame.builder(FrameType.HELLO)
                            .header("impl", "x")
                            .header("versions", "7,9")
                            .build())
                    .expectErr("NO_COMMON_VERSION")
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.NO_COMMON_VERSION);
    }

    /** The crate's empty HELLO starts a legacy session only where legacy peers are served (session.md §6). */
    @Test
    void emptyHelloWhenLegacyPeersAreOffOffersNoVersion() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            peer.send(Frame.builder(FrameType.HELLO).build())
                    .expectErr(
                            "NO_COMMON_VERSION",
                            err -> assertThat(err.payloadAsString()).contains("offers none"))
                    .expectClose();
        }
        assertServerHealthy(ErrorCode.NO_COMMON_VERSION);
    }

    @Test
    void requestsBeyondTheInFlightLimitAreRefusedOneByOne() throws Exception {
        try (ScriptedPeer peer = ScriptedPeer.connect(server.port())) {
            // Three requests in one write: the server pauses reading at 2 in flight, but the third is already
            // in its buffer, so it must refuse that one request and keep the session. The two it took are
            // answered 300 ms later, after the refusal.
            peer.send(
                            hello(),
                            Frame.builder(FrameType.DATA)
                                    .header("req-id", "1")
                                    .payload("a")
                                    .build(),
                            Frame.builder(FrameType.DATA)
                                    .header("req-id", "2")
                                    .payload("b")
                                    .build(),
                            Frame.builder(FrameType.DATA)
                                    .header("req-id", "3")
                                    .payload("c")
                                    .build())
                    .expect(FrameType.WELCOME)
                    .expectErr(
                            "TOO_MANY_IN_FLIGHT",
                            err -> assertThat(err.headers().value("req-id")).isEqualTo("3"));
            List<String> answered = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                peer.expect(
                        FrameType.DATA, answer -> answered.add(answer.headers().value("req-id")));
            }
            assertThat(answered).containsExactlyInAnyOrder("1", "2");
        }
        assertServerHealthy(ErrorCode.TOO_MANY_IN_FLIGHT);
    }

    @Test
    void perAddressConnectionLimitRefusesWithErr() throws Exception {
        VstpServer small = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .limits(TransportLimits.DEFAULT.withMaxConnections(100, 2))
                .start();
        try (ScriptedPeer a = ScriptedPeer.connect(small.port());
                ScriptedPeer b = ScriptedPeer.connect(small.port());
                ScriptedPeer c = ScriptedPeer.connect(small.port())) {
            c.expectErr("TOO_MANY_CONNECTIONS").expectClose();
            assertThat(small.stats().rejected()).isEqualTo(1);
        } finally {
            small.close();
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        VstpServer idle = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .limits(TransportLimits.DEFAULT.withTimeouts(
                        Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(5)))
                .start();
        try (ScriptedPeer peer = ScriptedPeer.connect(idle.port())) {
            peer.send(hello())
                    .expect(FrameType.WELCOME)
                    .expectErr("IDLE_TIMEOUT")
                    .expectClose();
        } finally {
            idle.close();
        }
    }
}
