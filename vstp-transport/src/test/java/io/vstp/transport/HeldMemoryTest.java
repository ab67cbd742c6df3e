package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.session.ServerSession;
import io.vstp.transport.testing.V2Peer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Small inputs that would make the server hold large memory (issue 16): messages queued behind a busy stream are
 * bounded in number and in decoded header bytes, and the excess is refused on its stream with TOO_MANY_IN_FLIGHT
 * while the connection and its neighbours go on.
 */
class HeldMemoryTest {
    private VstpServer server;
    private VstpClient client;
    private static final byte[] ONE_MIB = new byte[1 << 20];
    /** Answered at the end, so the server lets go of the requests it held. */
    private final java.util.List<CompletableFuture<Frame>> held = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A payload of "hold" keeps its stream busy until the end; the rest echoed. */
    @BeforeEach
    void start() throws Exception {
        RequestHandler holdOrEcho = (request, session) -> {
            if (!"hold".equals(request.payloadAsString())) {
                return RequestHandler.echo().handle(request, session);
            }
            CompletableFuture<Frame> later = new CompletableFuture<>();
            held.add(later);
            return later;
        };
        server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .legacyPeers(false)
                .limits(TransportLimits.DEFAULT.withMaxInFlightRequests(64))
                .handler(holdOrEcho)
                .start();
        client = VstpClient.builder().plain().threads(1).build();
    }

    @AfterEach
    void stop() {
        held.forEach(f -> f.complete(null));
        client.close();
        server.close();
    }

    private static Frame message(long stream, Headers headers, String payload) {
        return new Frame(stream, FrameType.DATA, Flags.NONE, headers, Unpooled.copiedBuffer(payload.getBytes()));
    }

    @Test
    void emptyMessagesBehindABusyStreamAreBoundedInNumber() throws Exception {
        try (V2Peer p = new V2Peer(server.port(), "")) {
            p.write(message(1, Headers.EMPTY, "hold"));
            Frame[] behind = new Frame[100];
            for (int i = 0; i < behind.length; i++) {
                behind[i] = message(1, Headers.of("n", Integer.toString(i)), "");
            }
            p.write(behind);
            assertThat(p.errorWithin(1)).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT.name());
        }
        assertThat(server.stats().errors(ErrorCode.TOO_MANY_IN_FLIGHT)).isPositive();
        assertNeighbourServed();
    }

    @Test
    void headersOfWaitingMessagesAreBoundedInBytes() throws Exception {
        String big = "x".repeat(4000);
        Headers heavy = Headers.builder(8)
                .add("a", big)
                .add("b", big)
                .add("c", big)
                .add("d", big)
                .add("e", big)
                .add("f", big)
                .add("g", big)
                .add("h", big)
                .build();
        // Twenty busy streams with two waiting messages each: 60 messages, below the count bound of 64; their
        // 40 x 32 KiB of headers are past the 1 MiB bound.
        assertThat(40 * 8 * (4000 + 1 + 32)).isGreaterThan(ServerSession.MAX_WAITING_HEADER_BYTES);
        try (V2Peer p = new V2Peer(server.port(), "")) {
            for (long stream = 1; stream < 2 * 20; stream += 2) {
                p.write(message(stream, Headers.EMPTY, "hold"));
            }
            for (long stream = 1; stream < 2 * 20; stream += 2) {
                p.write(message(stream, heavy, ""), message(stream, heavy, ""));
            }
            assertThat(p.framesWithin())
                    .as("some streams refused, the connection kept")
                    .anyMatch(f -> f.startsWith("ERR@"))
                    .noneMatch(f -> f.equals("ERR@0"));
        }
        assertThat(server.stats().errors(ErrorCode.TOO_MANY_IN_FLIGHT)).isPositive();
        assertNeighbourServed();
    }

    /**
     * Attack 2: a peer that gives 1 byte of credit and sends small zstd frames that expand to 8 MiB each. Every
     * echo would wait for credit; past the connection's budget the requests are refused instead of held.
     */
    @Test
    void decompressedRequestsAreNotHeldPastTheConnectionsBudget() throws Exception {
        int expanded = 8 << 20;
        byte[] zstd = com.github.luben.zstd.Zstd.compress(new byte[expanded]);
        assertThat(zstd.length).as("a small frame").isLessThan(4096);
        int messages = (int) (ServerSession.MAX_HELD_BYTES / expanded) * 2;
        try (V2Peer p = new V2Peer(server.port(), "zstd", "window", "1", "connection-window", "1")) {
            Frame[] bombs = new Frame[messages];
            for (int i = 0; i < messages; i++) {
                io.netty.buffer.ByteBuf payload = Unpooled.buffer();
                io.vstp.core.codec.v2.VarInt.write(payload, 1); // zstd
                io.vstp.core.codec.v2.VarInt.write(payload, expanded);
                payload.writeBytes(zstd);
                bombs[i] = new Frame(
                        2L * i + 1, FrameType.DATA, Flags.END_STREAM.with(Flags.COMP), Headers.EMPTY, payload);
            }
            p.write(bombs);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(server.stats().errors(ErrorCode.TOO_MANY_IN_FLIGHT))
                            .as(server.stats().toString())
                            .isGreaterThanOrEqualTo(messages / 2 - 1));
            assertThat(p.framesWithin()).as("the connection kept").noneMatch(f -> f.equals("ERR@0"));
        }
        assertNeighbourServed();
    }

    /**
     * Attack 3: a wire-v1 peer that pipelines requests for 1 MiB answers and never reads. Past the connection's
     * budget the answers are dropped (each an ERR TOO_MANY_IN_FLIGHT) instead of queued for a reader that never
     * comes.
     */
    @Test
    void answersForAPeerThatNeverReadsAreNotQueuedPastTheBudget() throws Exception {
        int requests = 200;
        // Answers come later, from another thread, as a files service's do: every request is read and started
        // before the first answer makes the socket unwritable.
        RequestHandler later = (request, session) -> CompletableFuture.supplyAsync(
                () -> Frame.builder(FrameType.DATA)
                        .payload(Unpooled.wrappedBuffer(ONE_MIB))
                        .build(),
                CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        try (VstpServer slow = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .legacyPeers(false)
                        .handler(later)
                        .start();
                io.vstp.testkit.ScriptedPeer raw = io.vstp.testkit.ScriptedPeer.connect(slow.port())) {
            raw.send(Frame.builder(FrameType.HELLO)
                            .header("impl", "hostile/1")
                            .header("versions", "1")
                            .build())
                    .expect(FrameType.WELCOME);
            Frame[] asks = new Frame[requests];
            for (int i = 0; i < requests; i++) {
                asks[i] = Frame.builder(FrameType.DATA)
                        .header("req-id", Integer.toString(i + 1))
                        .payload("mib")
                        .build();
            }
            raw.send(asks);
            // At most the budget (64 MiB) and what the sockets' buffers took are answered; the rest are dropped.
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(slow.stats().errors(ErrorCode.TOO_MANY_IN_FLIGHT))
                            .as(slow.stats().toString())
                            .isGreaterThanOrEqualTo(requests / 2));
        }
        assertNeighbourServed();
    }

    private void assertNeighbourServed() throws Exception {
        try (VstpConnection neighbour =
                client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS)) {
            Frame r = neighbour.request(data("still here")).get(5, TimeUnit.SECONDS);
            assertThat(r.payloadAsString()).isEqualTo("still here");
            r.release();
        }
    }
}
