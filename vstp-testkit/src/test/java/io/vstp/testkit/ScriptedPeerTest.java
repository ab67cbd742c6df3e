package io.vstp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two scripted peers playing both sides of one connection, so each expectation is seen to pass and to fail. */
class ScriptedPeerTest {
    private ScriptedPeer.Listener listener;
    private ScriptedPeer client;
    private ScriptedPeer server;

    @BeforeEach
    void connect() throws Exception {
        listener = ScriptedPeer.listen();
        client = ScriptedPeer.connect(listener.port()).timeout(Duration.ofSeconds(5));
        server = listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        listener.close();
    }

    private static Frame hello() {
        return Frame.builder(FrameType.HELLO)
                .header("impl", "scripted/1")
                .header("versions", "2,1")
                .build();
    }

    @Test
    void framesArriveAsSentWithTheirHeadersAndPayload() throws Exception {
        client.send(
                hello(),
                Frame.builder(FrameType.DATA)
                        .header("req-id", "7")
                        .payload("question")
                        .build());

        server.expect(
                FrameType.HELLO, f -> assertThat(f.headers().value("versions")).isEqualTo("2,1"));
        Frame data = server.receive();
        try {
            assertThat(data.headers().value("req-id")).isEqualTo("7");
            assertThat(data.payloadAsString()).isEqualTo("question");
        } finally {
            data.release();
        }
    }

    @Test
    void bothSidesSwitchToWireV2() throws Exception {
        client.send(hello());
        server.expect(FrameType.HELLO)
                .send(Frame.builder(FrameType.WELCOME).header("version", "2").build())
                .useWireV2(Integrity.CRC32C);
        client.expect(FrameType.WELCOME)
                .useWireV2(Integrity.CRC32C)
                .send(Frame.builder(FrameType.DATA).payload("in v2").build().withStreamId(3));

        server.expect(FrameType.DATA, f -> {
            assertThat(f.streamId()).isEqualTo(3);
            assertThat(f.payloadAsString()).isEqualTo("in v2");
        });
    }

    @Test
    void anErrIsCheckedByItsCodeAndTheCloseAfterIt() throws Exception {
        server.send(Frame.builder(FrameType.ERR)
                .header("error", "BAD_MAGIC")
                .payload("not VSTP")
                .build());
        server.close();

        client.expectErr("BAD_MAGIC", err -> assertThat(err.payloadAsString()).isEqualTo("not VSTP"))
                .expectClose();
    }

    @Test
    void theWrongFrameFailsTheScriptNamingWhatCame() throws Exception {
        server.send(
                Frame.builder(FrameType.PONG).build(),
                Frame.builder(FrameType.ERR).header("error", "IDLE_TIMEOUT").build());

        assertThatThrownBy(() -> client.expect(FrameType.WELCOME))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected WELCOME, got PONG");
        assertThatThrownBy(() -> client.expectErr("BAD_MAGIC"))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected ERR BAD_MAGIC, got ERR IDLE_TIMEOUT");
    }

    @Test
    void everythingBeforeTheCloseCanBeTakenAtOnce() throws Exception {
        server.send(
                Frame.builder(FrameType.WELCOME).build(),
                Frame.builder(FrameType.ERR)
                        .header("error", "PROTOCOL_VIOLATION")
                        .build());
        server.close();

        List<Frame> frames = client.receiveUntilClose();
        try {
            assertThat(frames).extracting(Frame::type).containsExactly(FrameType.WELCOME, FrameType.ERR);
        } finally {
            frames.forEach(Frame::release);
        }
    }

    @Test
    void whatArrivesWithinAWindowEndsAtTheWindowOrTheClose() throws Exception {
        assertThat(client.receiveFor(Duration.ofMillis(100))).isEmpty();
        server.send(
                Frame.builder(FrameType.PING).build(),
                Frame.builder(FrameType.PONG).build());
        List<Frame> two = client.receiveFor(Duration.ofMillis(300));
        try {
            assertThat(two).extracting(Frame::type).containsExactly(FrameType.PING, FrameType.PONG);
        } finally {
            two.forEach(Frame::release);
        }
        server.send(Frame.builder(FrameType.BYE).build());
        server.close();
        long start = System.nanoTime();
        List<Frame> last = client.receiveFor(Duration.ofSeconds(30));
        try {
            assertThat(last).extracting(Frame::type).containsExactly(FrameType.BYE);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("ends at the close")
                    .isLessThan(Duration.ofSeconds(20));
        } finally {
            last.forEach(Frame::release);
        }
    }

    @Test
    void silenceIsNeitherAFrameNorAClose() throws Exception {
        client.expectSilence(Duration.ofMillis(100));
        server.send(Frame.builder(FrameType.PONG).build());
        assertThatThrownBy(() -> client.expectSilence(Duration.ofSeconds(5)))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected silence for PT5S, but got PONG");
        server.close();
        assertThatThrownBy(() -> client.expectSilence(Duration.ofSeconds(5)))
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected silence for PT5S, but the connection closed");
    }

    @Test
    void aCloseInsideAFrameFailsReceiveUntilClose() throws Exception {
        server.send(Frame.builder(FrameType.PING).build()).sendBytes(new byte[] {0x56, 0x54});
        server.close();

        assertThatThrownBy(client::receiveUntilClose)
                .isInstanceOf(AssertionError.class)
                .hasMessage("the connection closed inside a frame (2 byte(s)) after 1 frame(s)");
    }

    @Test
    void somethingBeforeTheCloseFailsExpectClose() throws Exception {
        server.send(Frame.builder(FrameType.PING).build()).sendBytes(new byte[] {0x56, 0x54});
        server.close();

        assertThatThrownBy(client::expectClose)
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected the connection to close, but got [PING")
                .hasMessageEndingWith("and 2 more byte(s)");
    }

    @Test
    void silenceFailsWithinTheTimeoutAndACloseFailsAnExpectedFrame() throws Exception {
        client.timeout(Duration.ofMillis(200));
        assertThatThrownBy(client::receive)
                .isInstanceOf(AssertionError.class)
                .hasMessage("nothing arrived within PT0.2S");
        assertThatThrownBy(client::expectClose).isInstanceOf(AssertionError.class);

        server.sendBytes(new byte[] {0x56});
        server.close();
        assertThatThrownBy(client::receive)
                .isInstanceOf(AssertionError.class)
                .hasMessage("expected a frame, but the connection closed inside one (1 byte(s))");
    }
}
