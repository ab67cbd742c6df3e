package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.ScriptedPeer;
import io.vstp.transport.session.SessionFrames;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a server that misbehaves (a scripted peer playing the server): every deviation ends in a clear
 * error on the client's side, never a hang, a crash or a frame handed to the wrong request.
 */
class HostileServerTest {
    private ScriptedPeer.Listener listener;
    private VstpClient client;

    @BeforeEach
    void listen() throws Exception {
        listener = ScriptedPeer.listen();
        client = VstpClient.builder().plain().build();
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        listener.close();
    }

    /** Accepts the client's connection, reads its HELLO and answers with {@code welcome}. */
    private ScriptedPeer acceptAndWelcome(Frame welcome) throws Exception {
        return listener.accept().expect(FrameType.HELLO).send(welcome);
    }

    private static Frame.Builder v1Welcome() {
        return Frame.builder(FrameType.WELCOME)
                .header(SessionFrames.SESSION_ID, "s-1")
                .header(SessionFrames.IMPL, "scripted/1");
    }

    private VstpConnection connectV1(Frame welcome, ScriptedPeer[] server) throws Exception {
        CompletableFuture<VstpConnection> connecting = client.connect("127.0.0.1", listener.port());
        server[0] = acceptAndWelcome(welcome);
        return connecting.get(5, TimeUnit.SECONDS);
    }

    /** The request as the server read it, and its req-id. */
    private static String readRequestId(ScriptedPeer server) throws Exception {
        Frame request = server.receive();
        try {
            return request.headers().value(SessionFrames.REQ_ID);
        } finally {
            request.release();
        }
    }

    @Test
    void aHelloInAnOpenSessionEndsItAsAProtocolViolation() throws Exception {
        ScriptedPeer[] server = new ScriptedPeer[1];
        VstpConnection connection = connectV1(v1Welcome().build(), server);
        try (ScriptedPeer s = server[0]) {
            CompletableFuture<Frame> answer = connection.request(
                    Frame.builder(FrameType.DATA).payload("q").build());
            readRequestId(s);
            s.send(Frame.builder(FrameType.HELLO).header("versions", "1").build());

            assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(VstpException.class)
                    .hasMessageContaining("unexpected HELLO in an open session")
                    .extracting(e -> ((VstpException) e).code())
                    .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
            connection.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAnswerToNoRequestIsIgnoredAndAFrameWithoutReqIdIsAPush() throws Exception {
        ScriptedPeer[] server = new ScriptedPeer[1];
        VstpConnection connection = connectV1(v1Welcome().build(), server);
        BlockingQueue<Frame> pushes = new LinkedBlockingQueue<>();
        connection.onPush(pushes::add);
        try (ScriptedPeer s = server[0]) {
            CompletableFuture<Frame> answer = connection.request(
                    Frame.builder(FrameType.DATA).payload("q").build());
            String reqId = readRequestId(s);
            s.send(
                    Frame.builder(FrameType.DATA)
                            .header(SessionFrames.REQ_ID, "987654")
                            .payload("stray")
                            .build(),
                    Frame.builder(FrameType.DATA).payload("news").build(),
                    Frame.builder(FrameType.DATA)
                            .header(SessionFrames.REQ_ID, reqId)
                            .payload("answer")
                            .build());

            Frame a = answer.get(5, TimeUnit.SECONDS);
            assertThat(a.payloadAsString()).isEqualTo("answer");
            a.release();
            Frame push = pushes.poll(5, TimeUnit.SECONDS);
            assertThat(push.payloadAsString()).isEqualTo("news");
            push.release();
            assertThat(pushes.poll(200, TimeUnit.MILLISECONDS))
                    .as("the stray answer is not a push")
                    .isNull();
        }
    }

    @Test
    void theServersLimitOnRequestsInFlightIsKeptWithAClearError() throws Exception {
        ScriptedPeer[] server = new ScriptedPeer[1];
        VstpConnection connection =
                connectV1(v1Welcome().header(SessionFrames.MAX_IN_FLIGHT, "1").build(), server);
        try (ScriptedPeer s = server[0]) {
            assertThat(connection.serverMaxInFlight()).isEqualTo(1);
            CompletableFuture<Frame> first = connection.request(
                    Frame.builder(FrameType.DATA).payload("1").build());
            CompletableFuture<Frame> second = connection.request(
                    Frame.builder(FrameType.DATA).payload("2").build());

            assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(VstpException.class)
                    .hasMessageContaining("1 requests already in flight, the session allows 1")
                    .extracting(e -> ((VstpException) e).code())
                    .isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT);
            String reqId = readRequestId(s);
            s.send(Frame.builder(FrameType.DATA)
                    .header(SessionFrames.REQ_ID, reqId)
                    .payload("one")
                    .build());
            Frame a = first.get(5, TimeUnit.SECONDS);
            assertThat(a.payloadAsString()).isEqualTo("one");
            a.release();
        }
    }

    @Test
    void anErrWithoutReqIdClosesTheSessionWithTheServersReason() throws Exception {
        ScriptedPeer[] server = new ScriptedPeer[1];
        VstpConnection connection = connectV1(v1Welcome().build(), server);
        try (ScriptedPeer s = server[0]) {
            CompletableFuture<Frame> answer = connection.request(
                    Frame.builder(FrameType.DATA).payload("q").build());
            readRequestId(s);
            s.send(SessionFrames.err(ErrorCode.SHUTTING_DOWN, "going down for maintenance", null));

            assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(VstpException.class)
                    .hasMessageContaining("going down for maintenance")
                    .extracting(e -> ((VstpException) e).code())
                    .isEqualTo(ErrorCode.SHUTTING_DOWN);
            connection.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    /** A downgrade: over plaintext the client offered CRC32C only, so a server that turns integrity off is refused. */
    @Test
    void aServerThatSwitchesIntegrityOffOverPlaintextIsRefused() throws Exception {
        CompletableFuture<VstpConnection> connecting = client.connect("127.0.0.1", listener.port());
        try (ScriptedPeer s = acceptAndWelcome(v1Welcome()
                .header(SessionFrames.VERSION, "2")
                .header("integrity", "none")
                .build())) {
            assertThatThrownBy(() -> connecting.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(VstpException.class)
                    .hasMessageContaining("the server chose an integrity mode that was not offered")
                    .extracting(e -> ((VstpException) e).code())
                    .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void somethingOtherThanWelcomeIsRefused() throws Exception {
        CompletableFuture<VstpConnection> connecting = client.connect("127.0.0.1", listener.port());
        try (ScriptedPeer s = acceptAndWelcome(Frame.builder(FrameType.PONG).build())) {
            assertThatThrownBy(() -> connecting.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(VstpException.class)
                    .hasMessageContaining("expected WELCOME, got PONG");
        }
    }
}
