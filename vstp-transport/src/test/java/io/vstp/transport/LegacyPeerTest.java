package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.testing.WireVectors;
import io.vstp.testkit.ScriptedPeer;
import io.vstp.transport.testing.Frames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A plaintext server and a peer without sessions (the Rust crate, session.md §6), with the crate's exact bytes
 * from docs/spec/vectors/wire-v1.json: its empty HELLO starts a legacy session that gets no answer, and every later
 * frame, HELLO, WELCOME and ERR included, goes to the request handler while the session stays open.
 */
class LegacyPeerTest {
    private static final WireVectors VECTORS = WireVectors.load();

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Boolean> legacy = new CopyOnWriteArrayList<>();
    private VstpServer server;

    @BeforeEach
    void start() throws Exception {
        // Like vstp serve's echo service: DATA comes back, other types get no answer.
        server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .handler((request, session) -> {
                    seen.add(request.type().name());
                    legacy.add(session.legacy());
                    return CompletableFuture.completedFuture(
                            !request.type().equals(FrameType.DATA)
                                    ? null
                                    : new Frame(
                                            FrameType.DATA,
                                            request.flags(),
                                            request.headers(),
                                            request.payload().retainedSlice()));
                })
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] vector(String name) {
        return VECTORS.valid(name).bytes();
    }

    @Test
    void cratesEmptyHelloStartsALegacySessionAndGetsNoAnswer() throws Exception {
        try (ScriptedPeer crate = ScriptedPeer.connect(server.port())) {
            crate.sendBytes(vector("hello-empty"))
                    .expectSilence(Duration.ofMillis(300)) // the crate's server answers HELLO with nothing
                    .sendBytes(vector("data-content-type-hi"))
                    .expect(FrameType.DATA, reply -> {
                        assertThat(reply.payloadAsString()).isEqualTo("hi");
                        assertThat(reply.headers().value("content-type")).isEqualTo("text/plain");
                    });
        }
        assertThat(seen).as("the greeting is not a request").containsExactly("DATA");
        assertThat(legacy).containsExactly(true);
        assertNoErrors();
    }

    @Test
    void laterHelloWelcomeAndErrGoToTheHandlerAndTheSessionStaysOpen() throws Exception {
        try (ScriptedPeer crate = ScriptedPeer.connect(server.port())) {
            crate.sendBytes(vector("data-content-type-hi"))
                    .expect(FrameType.DATA)
                    .sendBytes(vector("hello-empty"))
                    .sendBytes(vector("welcome-with-session"))
                    .sendBytes(vector("err-with-message"))
                    .send(Frames.hello()) // even a HELLO that offers versions: the session is already legacy
                    .sendBytes(vector("payload-only"))
                    .expect(
                            FrameType.DATA,
                            reply -> assertThat(reply.payloadAsString()).isEqualTo("hello, vstp"))
                    .expectSilence(Duration.ofMillis(200)); // no ERR, no close
        }
        assertThat(seen).containsExactly("DATA", "HELLO", "WELCOME", "ERR", "HELLO", "DATA");
        assertThat(legacy).containsOnly(true);
        assertNoErrors();
    }

    @Test
    void emptyHelloThenByeClosesAfterTheAnswers() throws Exception {
        try (ScriptedPeer crate = ScriptedPeer.connect(server.port())) {
            crate.sendBytes(vector("hello-empty"))
                    .sendBytes(vector("payload-only"))
                    .sendBytes(vector("bye-empty"))
                    .expect(FrameType.DATA)
                    .expectClose();
        }
        assertNoErrors();
    }

    @Test
    void aVstpClientStillNegotiatesWireV2() throws Exception {
        try (VstpClient client = VstpClient.builder().plain().threads(1).build()) {
            VstpConnection c = client.connect("127.0.0.1", server.port()).get();
            assertThat(c.wireVersion()).isEqualTo(2);
            Frame r = c.request(Frames.data("v2")).get();
            assertThat(r.payloadAsString()).isEqualTo("v2");
            r.release();
            c.close();
        }
        assertThat(legacy).containsExactly(false);
    }

    private void assertNoErrors() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(server.stats().errors(c)).as("server error %s", c).isZero();
        }
    }

    /**
     * A legacy peer matches answers to requests in order and reads no ERR: a refused request left unanswered would
     * shift every later answer onto the wrong request. So a refusal ends the session as a protocol error does, once
     * the requests before it are answered (session.md §6): the crate sees its first answer, then the close.
     */
    @Test
    void aRefusedRequestEndsALegacySessionAfterTheAnswersBeforeIt() throws Exception {
        TransportLimits d = TransportLimits.DEFAULT;
        TransportLimits oneAtATime = new TransportLimits(
                d.frame(),
                d.maxConnections(),
                d.maxConnectionsPerAddress(),
                1,
                d.handshakeTimeout(),
                d.idleTimeout(),
                d.frameTimeout(),
                d.keepaliveInterval(),
                d.writeBufferLowWaterMark(),
                d.writeBufferHighWaterMark());
        java.util.concurrent.Executor later =
                CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS);
        try (VstpServer slow = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .limits(oneAtATime)
                        .handler((request, session) -> CompletableFuture.supplyAsync(
                                () -> new Frame(
                                        FrameType.DATA,
                                        request.flags(),
                                        request.headers(),
                                        request.payload().retainedSlice()),
                                later))
                        .start();
                ScriptedPeer crate = ScriptedPeer.connect(slow.port())) {
            // Three requests in one write: the second finds the first still in flight and is refused.
            crate.send(
                            Frame.builder(FrameType.DATA).payload("one").build(),
                            Frame.builder(FrameType.DATA).payload("two").build(),
                            Frame.builder(FrameType.DATA).payload("three").build())
                    .expect(
                            FrameType.DATA,
                            answer -> assertThat(answer.payloadAsString()).isEqualTo("one"))
                    .expectClose();
        }
    }

    /** A request whose handler fails gets no ERR on a legacy session (the crate reads none): the session ends. */
    @Test
    void aFailedRequestEndsALegacySession() throws Exception {
        try (VstpServer failing = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler((request, session) -> request.payloadAsString().equals("fail")
                                ? CompletableFuture.failedFuture(new IllegalStateException("no"))
                                : CompletableFuture.completedFuture(new Frame(
                                        FrameType.DATA,
                                        request.flags(),
                                        request.headers(),
                                        request.payload().retainedSlice())))
                        .start();
                ScriptedPeer crate = ScriptedPeer.connect(failing.port())) {
            crate.send(Frame.builder(FrameType.DATA).payload("first").build())
                    .expect(
                            FrameType.DATA,
                            answer -> assertThat(answer.payloadAsString()).isEqualTo("first"));
            List<Frame> rest = crate.send(
                            Frame.builder(FrameType.DATA).payload("fail").build(),
                            Frame.builder(FrameType.DATA).payload("after").build())
                    .receiveUntilClose();
            try {
                assertThat(rest).extracting(Frame::payloadAsString).doesNotContain("after");
            } finally {
                rest.forEach(Frame::release);
            }
        }
    }
}
