package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v1.VstpFrameEncoder;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameEncoder;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's handshake as its own pipeline stage: it answers HELLO (or lets a peer without sessions in), hands the
 * session what it settled and leaves the pipeline, so no frame of an open session goes through it.
 */
class ServerHandshakeTest {
    private final List<String> handled = new ArrayList<>();
    private final RequestHandler echo = (request, session) -> {
        handled.add(request.payloadAsString());
        return CompletableFuture.completedFuture(Frame.builder(FrameType.DATA)
                .payload(("echo " + request.payloadAsString()).getBytes(StandardCharsets.UTF_8))
                .build());
    };
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel server(ProtocolOptions protocol, boolean legacyAllowed, AccessControl access) {
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(VstpFrameDecoder.NAME, new VstpFrameDecoder(new FrameReader(FrameLimits.DEFAULT)));
        channel.pipeline().addLast("encoder", new VstpFrameEncoder(new FrameWriter()));
        channel.pipeline()
                .addLast(
                        "session",
                        new ServerSession(
                                TransportLimits.DEFAULT, protocol, echo, legacyAllowed, null, code -> {}, access));
        return channel;
    }

    private void send(Frame frame) {
        ByteBuf bytes = new FrameWriter().encode(frame, ByteBufAllocator.DEFAULT);
        frame.release();
        channel.writeInbound(bytes);
    }

    private Frame received() {
        channel.runPendingTasks();
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("a frame from the server").isNotNull();
        try {
            return new FrameReader(FrameLimits.DEFAULT).read(out);
        } finally {
            out.release();
        }
    }

    private static Frame hello(String versions) {
        return SessionFrames.control(
                FrameType.HELLO,
                Headers.builder().add(SessionFrames.VERSIONS, versions).build());
    }

    private static Frame request(String reqId, String body) {
        return Frame.builder(FrameType.DATA)
                .header(SessionFrames.REQ_ID, reqId)
                .payload(body.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    @Test
    void answersHelloWithWelcomeThenLeavesThePipelineToTheSession() {
        server(ProtocolOptions.V1_ONLY, false, null);
        assertThat(channel.pipeline().get(ServerHandshake.NAME))
                .as("before HELLO")
                .isNotNull();
        send(hello("1"));
        Frame welcome = received();
        assertThat(welcome.type()).isEqualTo(FrameType.WELCOME);
        assertThat(welcome.headers().value(SessionFrames.VERSION)).isEqualTo("1");
        assertThat(welcome.headers().value(SessionFrames.SESSION_ID)).hasSize(32);
        welcome.release();
        assertThat(channel.pipeline().get(ServerHandshake.NAME))
                .as("after WELCOME")
                .isNull();

        send(request("7", "ping"));
        Frame answer = received();
        assertThat(answer.headers().value(SessionFrames.REQ_ID)).isEqualTo("7");
        assertThat(answer.payloadAsString()).isEqualTo("echo ping");
        answer.release();
    }

    @Test
    void agreeingOnWireV2SwitchesTheCodecBeforeLeaving() {
        server(ProtocolOptions.DEFAULT, false, null);
        send(SessionFrames.control(
                FrameType.HELLO, V2Handshake.hello(ProtocolOptions.DEFAULT, TransportLimits.DEFAULT, false)));
        Frame welcome = received();
        assertThat(welcome.headers().value(SessionFrames.VERSION)).isEqualTo("2");
        welcome.release();
        assertThat(channel.pipeline().get("encoder")).isInstanceOf(V2FrameEncoder.class);
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
        assertThat(channel.pipeline().get(ServerSession.class).wireVersion()).isEqualTo(2);
    }

    @Test
    void aPeerWithoutSessionsHasItsFirstFrameServedAsARequest() {
        server(ProtocolOptions.DEFAULT, true, null);
        send(Frame.builder(FrameType.DATA)
                .payload("first".getBytes(StandardCharsets.UTF_8))
                .build());
        Frame answer = received();
        assertThat(answer.payloadAsString()).isEqualTo("echo first");
        answer.release();
        assertThat(handled).containsExactly("first");
        assertThat(channel.pipeline().get(ServerSession.class).legacy()).isTrue();
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
    }

    @Test
    void nothingIsReadWhileCredentialsAreCheckedAndAFrameBeforeWelcomeEndsTheConnection() {
        CompletableFuture<Principal> verdict = new CompletableFuture<>();
        server(ProtocolOptions.V1_ONLY, false, access(verdict));
        send(hello("1"));
        assertThat(channel.config().isAutoRead()).as("paused during the check").isFalse();
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNotNull();
        assertThat((Object) channel.readOutbound()).as("no WELCOME yet").isNull();

        verdict.complete(new Principal("alice", Set.of(), Map.of(), "bearer", null));
        Frame welcome = received();
        assertThat(welcome.type()).isEqualTo(FrameType.WELCOME);
        assertThat(welcome.headers().value(SessionAuth.SUBJECT)).isEqualTo("alice");
        welcome.release();
        assertThat(channel.config().isAutoRead()).as("reading again").isTrue();
        assertThat(channel.pipeline().get(ServerSession.class).principal().subject())
                .isEqualTo("alice");
        assertThat(channel.pipeline().get(ServerHandshake.NAME)).isNull();
    }

    @Test
    void aSecondFrameWhileTheFirstHellosCredentialsAreCheckedIsAViolation() {
        server(ProtocolOptions.V1_ONLY, false, access(new CompletableFuture<>()));
        send(hello("1"));
        send(request("1", "too early"));
        Frame err = received();
        assertThat(err.type()).isEqualTo(FrameType.ERR);
        assertThat(err.headers().value(SessionFrames.CODE))
                .isEqualTo(Integer.toString(ErrorCode.PROTOCOL_VIOLATION.code()));
        assertThat(err.payloadAsString()).contains("before WELCOME");
        err.release();
        assertThat(handled).isEmpty();
    }

    @Test
    void aHelloWithoutACommonVersionIsRefused() {
        server(ProtocolOptions.V1_ONLY, false, null);
        send(hello("7"));
        Frame err = received();
        assertThat(err.headers().value(SessionFrames.CODE))
                .isEqualTo(Integer.toString(ErrorCode.NO_COMMON_VERSION.code()));
        assertThat(err.payloadAsString()).contains("client offered 7");
        err.release();
    }

    @Test
    void aFrameSentWithHelloBeforeWelcomeReachesTheOpenSessionNotTheHandshakeAgain() {
        server(ProtocolOptions.DEFAULT, false, null);
        // A client that does not wait for WELCOME: a second HELLO, already in v2, in the same read as the first.
        Frame hello = SessionFrames.control(
                FrameType.HELLO, V2Handshake.hello(ProtocolOptions.DEFAULT, TransportLimits.DEFAULT, false));
        ByteBuf first = new FrameWriter().encode(hello, ByteBufAllocator.DEFAULT);
        ByteBuf second = new V2FrameWriter(
                        HpackHeaderBlocks.encoder(ProtocolOptions.DEFAULT.headerTableSize()), Integrity.CRC32C, 1 << 20)
                .encode(hello, ByteBufAllocator.DEFAULT);
        hello.release();
        channel.writeInbound(Unpooled.wrappedBuffer(first, second));
        channel.runPendingTasks();
        ByteBuf welcome = channel.readOutbound();
        assertThat(welcome).as("one WELCOME").isNotNull();
        welcome.release();
        ByteBuf err = channel.readOutbound();
        assertThat(err).as("then an ERR, in v2").isNotNull();
        err.release();
        assertThat((Object) channel.readOutbound()).as("no second WELCOME").isNull();
        assertThat(channel.isActive()).as("a HELLO in an open session ends it").isFalse();
    }

    private static AccessControl access(CompletableFuture<Principal> verdict) {
        return new AccessControl() {
            @Override
            public CompletionStage<Principal> authenticate(Credentials credentials) {
                return verdict;
            }

            @Override
            public AccessDecision authorize(Principal principal, Action action, io.vstp.transport.Session session) {
                return AccessDecision.allow("test");
            }
        };
    }
}
