package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.testing.V2Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A raw peer that negotiates wire v2 and then breaks its rules (docs/spec/wire-v2.md §4-§9): the server answers
 * with an ERR of the right code and closes that connection, or fails only the stream, and a well-behaved v2
 * session beside it keeps working.
 */
class HostileV2InputTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int WINDOW = 64 * 1024;
    private static final int MAX_MESSAGE = 1024 * 1024;
    private static VstpServer server;
    private static VstpClient client;
    private static VstpConnection bystander;

    @BeforeAll
    static void start() throws Exception {
        ProtocolOptions protocol =
                ProtocolOptions.DEFAULT.withWindows(WINDOW, 4 * WINDOW).withMaxMessageSize(MAX_MESSAGE);
        server = VstpServer.builder()
                .port(0)
                .threads(2)
                .plain()
                .legacyPeers(false)
                .protocol(protocol)
                .limits(TransportLimits.DEFAULT.withMaxInFlightRequests(4))
                .handler(RequestHandler.echo())
                .start();
        client = VstpClient.builder().plain().threads(1).build();
        bystander = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
        assertThat(bystander.wireVersion()).isEqualTo(2);
    }

    @AfterAll
    static void stop() {
        bystander.close();
        client.close();
        server.close();
    }

    private static Frame frame(long stream, FrameType type, Flags flags, ByteBuf payload) {
        return new Frame(stream, type, flags, Headers.EMPTY, payload);
    }

    private static ByteBuf varint(long v) {
        ByteBuf b = Unpooled.buffer();
        VarInt.write(b, v);
        return b;
    }

    private static void assertBystanderWorks(ErrorCode counted) throws Exception {
        Frame r = bystander.request(data("still here")).get(5, TimeUnit.SECONDS);
        assertThat(r.payloadAsString()).isEqualTo("still here");
        r.release();
        if (counted != null) {
            assertThat(server.stats().errors(counted)).isPositive();
        }
    }

    private static void assertConnectionError(V2Peer peer, ErrorCode code) throws Exception {
        assertThat(peer.errorUntilClosed(0)).isEqualTo(code.name());
        assertBystanderWorks(code);
    }

    @Test
    void dataBeyondTheStreamWindowIsAFlowControlError() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(1, FrameType.DATA, Flags.MORE, Unpooled.wrappedBuffer(new byte[WINDOW + 1])));
            assertConnectionError(p, ErrorCode.FLOW_CONTROL_ERROR);
        }
    }

    @Test
    void dataBeyondTheConnectionWindowOnStreamZeroIsAFlowControlError() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            // One-way messages only have the connection window (4 x 64 KiB here).
            p.write(frame(0, FrameType.DATA, Flags.NONE, Unpooled.wrappedBuffer(new byte[4 * WINDOW + 1])));
            assertConnectionError(p, ErrorCode.FLOW_CONTROL_ERROR);
        }
    }

    @Test
    void windowUpdateOfZeroOrOverflowingIsRefused() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(0, FrameType.WINDOW_UPDATE, Flags.NONE, varint(0)));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(0, FrameType.WINDOW_UPDATE, Flags.NONE, varint(Integer.MAX_VALUE)));
            assertConnectionError(p, ErrorCode.FLOW_CONTROL_ERROR);
        }
    }

    @Test
    void streamRulesAreEnforced() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) { // a client may not open even-numbered streams
            p.write(
                    frame(2, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer(new byte[] {1})),
                    frame(1, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer(new byte[] {1})));
            // The even id is dropped as a stream of the server's that is gone; stream 1 is answered.
            assertThat(p.framesWithin()).contains("DATA@1").doesNotContain("DATA@2");
        }
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(0, FrameType.DATA, Flags.END_STREAM, Unpooled.EMPTY_BUFFER));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(0, FrameType.PING, Flags.MORE, Unpooled.EMPTY_BUFFER));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(frame(0, FrameType.CANCEL, Flags.NONE, Unpooled.EMPTY_BUFFER));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
        try (V2Peer p = new V2Peer(server.port(), "")) {
            // DATA for a stream that is closed (answered at once by the echo) may be a frame that was in flight
            // (§7.4): dropped, its credit returned, and the connection goes on.
            p.write(
                    frame(1, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer(new byte[] {1})),
                    frame(1, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer(new byte[] {2})),
                    frame(3, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer(new byte[] {3})));
            assertThat(p.framesWithin()).containsExactly("DATA@1", "DATA@3");
        }
        try (V2Peer p = new V2Peer(server.port(), "")) { // headers on a continuation frame
            p.write(
                    frame(1, FrameType.DATA, Flags.MORE, Unpooled.copiedBuffer(new byte[] {1})),
                    new Frame(
                            1,
                            FrameType.DATA,
                            Flags.END_STREAM,
                            Headers.of("x", "y"),
                            Unpooled.copiedBuffer(new byte[] {2})));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
        try (V2Peer p = new V2Peer(server.port(), "")) { // HELLO again, in v2
            p.write(frame(0, FrameType.HELLO, Flags.NONE, Unpooled.EMPTY_BUFFER));
            assertConnectionError(p, ErrorCode.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void unknownCriticalTypeClosesButIgnorableTypeIsSkipped() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(
                    frame(0, FrameType.extension(0x41, "IGNORABLE"), Flags.NONE, Unpooled.copiedBuffer(new byte[3])),
                    frame(1, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer("ok".getBytes())),
                    frame(0, FrameType.extension(0x40, "CRITICAL"), Flags.NONE, Unpooled.EMPTY_BUFFER));
            assertConnectionError(p, ErrorCode.UNKNOWN_TYPE);
        }
    }

    @Test
    void tooManyOpenStreamsFailsOnlyTheExcessStream() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            // Four streams opened and left open (no END_STREAM): the fifth is refused on its own stream.
            List<Frame> frames = new ArrayList<>();
            for (int id = 1; id <= 9; id += 2) {
                frames.add(frame(id, FrameType.DATA, Flags.NONE, Unpooled.copiedBuffer(new byte[] {1})));
            }
            p.write(frames.toArray(Frame[]::new));
            assertThat(p.errorWithin(9)).isEqualTo(ErrorCode.TOO_MANY_STREAMS.name());
        }
        assertBystanderWorks(null);
    }

    @Test
    void messageAboveMaxMessageFailsItsStream() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            // Parts of a message being joined return their credit, so the window does not stop it: the limit does.
            byte[] part = new byte[WINDOW / 2];
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i <= MAX_MESSAGE / part.length; i++) {
                frames.add(frame(1, FrameType.DATA, Flags.MORE, Unpooled.wrappedBuffer(part)));
                if (i % 2 == 1) {
                    p.write(frames.toArray(Frame[]::new));
                    frames.clear();
                    Thread.sleep(5); // let the server return credit (the peer reads no WINDOW frames to wait on)
                }
            }
            p.write(frames.toArray(Frame[]::new));
            assertThat(p.errorWithin(1)).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE.name());
        }
        assertBystanderWorks(null);
    }

    @Test
    void joiningManyLargeMessagesAtOnceFailsAStreamNotTheServer() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            // Three streams each hold 0.75 MiB of an unfinished message: above twice max-message together.
            byte[] part = new byte[WINDOW / 2];
            for (int round = 0; round < (3 * MAX_MESSAGE / 4) / part.length; round++) {
                p.write(
                        frame(1, FrameType.DATA, Flags.MORE, Unpooled.wrappedBuffer(part)),
                        frame(3, FrameType.DATA, Flags.MORE, Unpooled.wrappedBuffer(part)),
                        frame(5, FrameType.DATA, Flags.MORE, Unpooled.wrappedBuffer(part)));
                Thread.sleep(2); // pacing, as above: the server returns credit between rounds
            }
            // Parts go 1, 3, 5, 1, ...: the 65th of 32 KiB, on stream 3, passes 2 MiB.
            assertThat(p.errorWithin(3)).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE.name());
        }
        assertBystanderWorks(null);
    }

    @Test
    void compressionBombAndUnagreedCompressionAreRefused() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) { // no compression agreed: COMP is UNKNOWN_COMPRESSION
            ByteBuf payload = varint(1);
            VarInt.write(payload, 10);
            payload.writeBytes(new byte[10]);
            p.write(frame(1, FrameType.DATA, Flags.END_STREAM.with(Flags.COMP), payload));
            assertConnectionError(p, ErrorCode.UNKNOWN_COMPRESSION);
        }
        try (V2Peer p =
                new V2Peer(server.port(), "zstd")) { // announces 1 GiB: refused from the announcement, on its stream
            ByteBuf payload = varint(1);
            VarInt.write(payload, 1L << 30);
            payload.writeBytes(new byte[16]);
            p.write(
                    frame(1, FrameType.DATA, Flags.END_STREAM.with(Flags.COMP), payload),
                    frame(3, FrameType.DATA, Flags.END_STREAM, Unpooled.copiedBuffer("next".getBytes())));
            assertThat(p.errorWithin(1)).isEqualTo(ErrorCode.DECOMPRESSED_TOO_LARGE.name());
        }
        assertBystanderWorks(null);
    }

    @Test
    void headerListBombIsRefused() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            Headers.Builder h = Headers.builder(2000);
            for (int i = 0; i < 2000; i++) {
                h.add("k", "v".repeat(40));
            }
            p.write(new Frame(1, FrameType.DATA, Flags.END_STREAM, h.build(), Unpooled.EMPTY_BUFFER));
            String error = p.errorUntilClosed(0);
            assertThat(error).isIn(ErrorCode.HEADERS_TOO_LARGE.name(), ErrorCode.TOO_MANY_HEADERS.name());
        }
        assertBystanderWorks(null);
    }
}
