package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v1.VstpFrameEncoder;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.auth.Principal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's renewal of its credentials ends with its session: nothing waits on, or writes to, a closed one. */
class CredentialRefreshTest {
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** A v2 session whose server said the credentials last an hour. */
    private ClientSession openV2() throws Exception {
        ClientSession session =
                new ClientSession(TransportLimits.DEFAULT, ProtocolOptions.DEFAULT, false, c -> {}, () -> "t0");
        channel = new EmbeddedChannel(false, false);
        channel.pipeline().addLast(VstpFrameDecoder.NAME, new VstpFrameDecoder(new FrameReader(FrameLimits.DEFAULT)));
        channel.pipeline().addLast("encoder", new VstpFrameEncoder(new FrameWriter()));
        channel.pipeline().addLast("session", session);
        channel.register();
        Frame hello = SessionFrames.control(
                FrameType.HELLO, V2Handshake.hello(ProtocolOptions.DEFAULT, TransportLimits.DEFAULT, false));
        V2Handshake.Agreement agreed =
                V2Handshake.accept(hello, ProtocolOptions.DEFAULT, TransportLimits.DEFAULT, false);
        hello.release();
        Headers.Builder b = Headers.builder();
        V2Handshake.welcome(agreed, ProtocolOptions.DEFAULT, TransportLimits.DEFAULT, "s-1")
                .forEach(b::add);
        SessionAuth.describe(
                b,
                new Principal(
                        "alice", Set.of(), Map.of(), "bearer", Instant.now().plusSeconds(3600)),
                Instant.now());
        Frame welcome = SessionFrames.control(FrameType.WELCOME, b.build());
        ByteBuf bytes = new FrameWriter().encode(welcome, ByteBufAllocator.DEFAULT);
        welcome.release();
        channel.writeInbound(bytes);
        channel.runPendingTasks();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        assertThat(session.wireVersion()).isEqualTo(2);
        assertThat(session.whenEstablished()).isCompleted();
        return session;
    }

    @Test
    void aRefreshQueuedBehindAnotherFailsWithTheCloseAtOnce() throws Exception {
        ClientSession session = openV2();
        CompletableFuture<Instant> first = session.refreshCredentials("t1");
        CompletableFuture<Instant> second = session.refreshCredentials("t2");
        channel.runPendingTasks();
        assertThat(first).isNotDone();
        channel.close();
        channel.runPendingTasks();
        assertThat(first).isCompletedExceptionally();
        assertThat(second)
                .as("the queued refresh fails with the close, not a timeout later")
                .isCompletedExceptionally();
        second.exceptionally(e -> {
            assertThat(e).isInstanceOf(SessionException.class);
            return null;
        });
    }

    @Test
    void aRefreshAfterTheCloseFailsAtOnceAndWritesNothing() throws Exception {
        ClientSession session = openV2();
        channel.close();
        channel.runPendingTasks();
        CompletableFuture<Instant> late = session.refreshCredentials("t3");
        channel.runPendingTasks();
        assertThat(late).isCompletedExceptionally();
        assertThat((Object) channel.readOutbound()).isNull();
    }
}
