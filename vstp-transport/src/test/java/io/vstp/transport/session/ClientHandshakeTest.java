package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v1.VstpFrameEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's handshake as its own pipeline stage: HELLO out, WELCOME (or ERR) in, then it leaves the pipeline to
 * the session with what the server said, bounded by our own limits.
 */
class ClientHandshakeTest {
    private EmbeddedChannel channel;
    private ClientSession session;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void connect(ClientSession client) throws Exception {
        session = client;
        channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(VstpFrameDecoder.NAME, new VstpFrameDecoder(new FrameReader(FrameLimits.DEFAULT)));
        channel.pipeline().addLast("encoder", new VstpFrameEncoder(new FrameWriter()));
        channel.pipeline().addLast("session", client);
        channel.register();
    }

    private static ClientSession v1Client() {
        return new ClientSession(TransportLimits.DEFAULT, ProtocolOptions.V1_ONLY, false, code -> {});
    }

    private void send(Frame frame) {
        ByteBuf bytes = new FrameWriter().encode(frame, ByteBufAllocator.DEFAULT);
        frame.release();
        channel.writeInbound(bytes);
    }

    private Frame sent() {
        channel.runPendingTasks();
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            return null;
        }
        try {
            return new FrameReader(FrameLimits.DEFAULT).read(out);
        } finally {
            out.release();
        }
    }

    private static Frame welcome(String maxFrame, String maxInFlight) {
        return SessionFrames.control(
                FrameType.WELCOME,
                Headers.builder()
                        .add(SessionFrames.VERSION, "1")
                        .add(SessionFrames.SESSION_ID, "s-1")
                        .add(SessionFrames.IMPL, "test")
                        .add(SessionFrames.MAX_FRAME, maxFrame)
                        .add(SessionFrames.MAX_IN_FLIGHT, maxInFlight)
                        .build());
    }

    @Test
    void sendsHelloAndLeavesOnceWelcomeOpensTheSessionWithBoundedLimits() throws Exception {
        connect(v1Client());
        Frame hello = sent();
        assertThat(hello.type()).isEqualTo(FrameType.HELLO);
        assertThat(hello.headers().value(SessionFrames.VERSIONS)).isEqualTo("1");
        hello.release();
        assertThat(channel.pipeline().get(ClientHandshake.NAME)).isNotNull();
        assertThat(session.whenEstablished()).isNotDone();

        send(welcome("3", "999999999"));
        assertThat(session.whenEstablished()).isCompleted();
        assertThat(channel.pipeline().get(ClientHandshake.NAME)).isNull();
        assertThat(session.sessionId()).isEqualTo("s-1");
        assertThat(session.serverMaxFrame())
                .as("never below what a frame needs")
                .isEqualTo(15);
        assertThat(session.serverMaxInFlight())
                .as("never above our own limit")
                .isEqualTo(TransportLimits.DEFAULT.maxInFlightRequests());
    }

    @Test
    void anErrInsteadOfWelcomeFailsTheSessionWithTheServersCode() throws Exception {
        connect(v1Client());
        sent().release();
        send(SessionFrames.err(ErrorCode.NO_COMMON_VERSION, "server speaks versions 2", null));
        assertThatThrownBy(() -> session.whenEstablished().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_COMMON_VERSION));
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void anotherFrameBeforeWelcomeIsAViolationUnlessPeersWithoutSessionsAreProbedFor() throws Exception {
        connect(v1Client());
        sent().release();
        send(Frame.builder(FrameType.DATA).payload(new byte[] {1}).build());
        Frame err = sent();
        assertThat(err.type()).isEqualTo(FrameType.ERR);
        assertThat(err.payloadAsString()).contains("expected WELCOME, got DATA");
        err.release();

        channel.finishAndReleaseAll();
        connect(v1Client().detectPeerWithoutSessions(Duration.ofSeconds(5)));
        sent().release();
        send(Frame.builder(FrameType.DATA).payload(new byte[] {1}).build());
        assertThat(session.peerWithoutSessions()).isTrue();
        assertThat(sent()).as("a peer without sessions gets no ERR").isNull();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void pingBeforeWelcomeIsNotAnswered() throws Exception {
        connect(v1Client());
        sent().release();
        send(SessionFrames.control(FrameType.PING, Headers.of("ping-id", "1")));
        assertThat(sent()).isNull();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aLegacySessionHasNoHandshakeAtAll() throws Exception {
        connect(new ClientSession(TransportLimits.DEFAULT, ProtocolOptions.V1_ONLY, true, code -> {}));
        assertThat(channel.pipeline().get(ClientHandshake.NAME)).isNull();
        assertThat(session.whenEstablished()).isCompleted();
        assertThat(sent()).as("no HELLO to a peer without sessions").isNull();
    }
}
