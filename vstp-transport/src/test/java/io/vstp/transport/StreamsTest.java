package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Wire v2 end to end over real sockets on 127.0.0.1: negotiation, streams, flow control, compression. */
class StreamsTest {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        unanswered.forEach(f -> f.complete(null));
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    private VstpServer server(boolean tls, ProtocolOptions protocol, RequestHandler handler) throws Exception {
        VstpServer.Builder b =
                VstpServer.builder().port(0).threads(1).handler(handler).protocol(protocol);
        if (tls) {
            b.tls(TlsServerOptions.builder().home(serverHome).build());
        } else {
            b.plain();
        }
        return use(b.start());
    }

    private VstpConnection connect(VstpServer server, boolean tls, ProtocolOptions protocol) throws Exception {
        VstpClient.Builder b = VstpClient.builder().threads(1).protocol(protocol);
        if (tls) {
            b.tls(TlsClientOptions.builder().home(clientHome).build());
        } else {
            b.plain();
        }
        VstpClient client = use(b.build());
        return use(client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
    }

    @ParameterizedTest(name = "tls={0} client v2={1} server v2={2}")
    @CsvSource({
        "true, true, true, 2", "true, true, false, 1", "true, false, true, 1", "true, false, false, 1",
        "false, true, true, 2", "false, true, false, 1", "false, false, true, 1", "false, false, false, 1"
    })
    void negotiationMatrix(boolean tls, boolean clientV2, boolean serverV2, int expected) throws Exception {
        AtomicInteger seenByHandler = new AtomicInteger();
        VstpServer server = server(tls, ProtocolOptions.DEFAULT.withV2(serverV2), RequestHandler.of((req, s) -> {
            seenByHandler.set(s.wireVersion());
            return new Frame(
                    FrameType.DATA, Flags.NONE, req.headers(), req.payload().retainedSlice());
        }));
        VstpConnection conn = connect(server, tls, ProtocolOptions.DEFAULT.withV2(clientV2));

        assertThat(conn.wireVersion()).isEqualTo(expected);
        Frame reply = conn.request(Frame.builder(FrameType.DATA)
                        .header("k", "v")
                        .payload("hello")
                        .build())
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(reply.payloadAsString()).isEqualTo("hello");
            assertThat(reply.headers().value("k")).isEqualTo("v");
            // v1 correlates with req-id; v2 with the stream id and adds no header.
            assertThat(reply.headers().value("req-id")).isEqualTo(expected == 1 ? "1" : null);
        } finally {
            reply.release();
        }
        assertThat(seenByHandler.get()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {true, false})
    void concurrentRequestsLargeMessagesAndLongHeaders(boolean tls) throws Exception {
        VstpServer server = server(tls, ProtocolOptions.DEFAULT, RequestHandler.echo());
        VstpConnection conn = connect(server, tls, ProtocolOptions.DEFAULT);
        assertThat(conn.wireVersion()).isEqualTo(2);

        // v2 lifts v1's 255-byte limit on header values.
        String longValue = "x".repeat(1000);
        byte[] big = new byte[5 * 1024 * 1024 + 17]; // many chunks, joined again at the other end
        ThreadLocalRandom.current().nextBytes(big);
        List<CompletableFuture<Frame>> replies = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            replies.add(conn.request(Frame.builder(FrameType.DATA)
                    .header("n", Integer.toString(i))
                    .header("long", longValue)
                    .payload("request " + i)
                    .build()));
        }
        CompletableFuture<Frame> bigReply = conn.request(
                Frame.builder(FrameType.DATA)
                        .payload(Unpooled.wrappedBuffer(big))
                        .build(),
                Duration.ofSeconds(30));
        for (int i = 0; i < replies.size(); i++) {
            Frame r = replies.get(i).get(20, TimeUnit.SECONDS);
            try {
                assertThat(r.headers().value("n")).isEqualTo(Integer.toString(i));
                assertThat(r.headers().value("long")).isEqualTo(longValue);
                assertThat(r.payloadAsString()).isEqualTo("request " + i);
            } finally {
                r.release();
            }
        }
        Frame r = bigReply.get(30, TimeUnit.SECONDS);
        try {
            assertThat(Arrays.equals(r.payloadBytes(), big)).isTrue();
        } finally {
            r.release();
        }
    }

    /** Many large requests in flight at once, each a stream of many chunks: all complete (no credit deadlock). */
    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {true, false})
    void pipelinedLargeRequests(boolean tls) throws Exception {
        VstpServer server = server(
                tls,
                ProtocolOptions.DEFAULT,
                RequestHandler.of((req, s) -> Frame.builder(FrameType.DATA)
                        .header("got", Integer.toString(req.payload().readableBytes()))
                        .build()));
        VstpConnection conn = connect(server, tls, ProtocolOptions.DEFAULT);
        byte[] chunk = new byte[1024 * 1024];
        ThreadLocalRandom.current().nextBytes(chunk);
        List<CompletableFuture<Frame>> inFlight = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            inFlight.add(conn.request(Frame.builder(FrameType.DATA)
                    .payload(Unpooled.copiedBuffer(chunk))
                    .build()));
            if (inFlight.size() >= 16) {
                Frame r = inFlight.remove(0).get(20, TimeUnit.SECONDS);
                assertThat(r.headers().value("got")).isEqualTo(Integer.toString(chunk.length));
                r.release();
            }
        }
        for (CompletableFuture<Frame> f : inFlight) {
            f.get(20, TimeUnit.SECONDS).release();
        }
    }

    @Test
    void compressiblePayloadsTravelCompressedAndArriveIntact() throws Exception {
        AtomicLong received = new AtomicLong();
        VstpServer server = server(false, ProtocolOptions.DEFAULT, RequestHandler.of((req, s) -> {
            received.addAndGet(req.payload().readableBytes());
            return new Frame(
                    FrameType.DATA, Flags.NONE, req.headers(), req.payload().retainedSlice());
        }));
        VstpConnection conn = connect(server, false, ProtocolOptions.DEFAULT);
        String text = "the quick brown fox jumps over the lazy dog; ".repeat(20_000);
        long before = server.stats().bytesReceived();
        Frame r = conn.request(data(text)).get(20, TimeUnit.SECONDS);
        try {
            assertThat(r.payloadAsString()).isEqualTo(text);
        } finally {
            r.release();
        }
        long wire = server.stats().bytesReceived() - before;
        assertThat(received.get()).isEqualTo(text.length());
        assertThat(wire)
                .as("bytes on the wire for %d bytes of text", text.length())
                .isLessThan(text.length() / 4);
    }

    @Test
    void streamUploadWithSlowConsumerHoldsBackOnlyItsOwnStream() throws Exception {
        ProtocolOptions small =
                ProtocolOptions.DEFAULT.withWindows(64 * 1024, 1024 * 1024).withCompression(List.of());
        CompletableFuture<Void> release = new CompletableFuture<>();
        AtomicLong slowBytes = new AtomicLong();
        VstpServer server = server(false, small, (req, s) -> {
            if ("slow".equals(req.headers().value("kind"))) {
                slowBytes.addAndGet(req.payload().readableBytes());
                // The slow consumer finishes nothing until released: its credit stays with it.
                return release.thenApply(v -> req.flags().has(Flags.END_STREAM) ? data("done") : null);
            }
            return CompletableFuture.completedFuture(data("fast"));
        });
        VstpConnection conn = connect(server, false, small);
        ClientStream slow = conn.openStream().get(5, TimeUnit.SECONDS);

        byte[] chunk = new byte[16 * 1024];
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 32; i++) { // 512 KiB, eight times the stream window
            sends.add(slow.send(Frame.builder(FrameType.DATA)
                    .header("kind", "slow")
                    .payload(chunk)
                    .build()));
        }
        // Other streams still move while the slow one is stuck.
        for (int i = 0; i < 100; i++) {
            Frame r = conn.request(Frame.builder(FrameType.DATA)
                            .header("kind", "fast")
                            .payload("x")
                            .build())
                    .get(5, TimeUnit.SECONDS);
            assertThat(r.payloadAsString()).isEqualTo("fast");
            r.release();
        }
        long sentWhileStuck = sends.stream().filter(CompletableFuture::isDone).count();
        assertThat(sentWhileStuck * chunk.length)
                .as("bytes let out on the slow stream")
                .isLessThanOrEqualTo(64 * 1024 + chunk.length);
        assertThat(slowBytes.get()).isLessThanOrEqualTo(64 * 1024);

        release.complete(null);
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        Frame done = slow.finish(
                        Frame.builder(FrameType.DATA)
                                .header("kind", "slow")
                                .payload("end")
                                .build(),
                        Duration.ofSeconds(10))
                .get(10, TimeUnit.SECONDS);
        assertThat(done.payloadAsString()).isEqualTo("done");
        done.release();
        assertThat(slowBytes.get()).isEqualTo(32L * chunk.length + 3);
    }

    /** Handler stages the test leaves open until its end (a stage that never completes would keep its request). */
    private final List<CompletableFuture<Frame>> unanswered = new java.util.concurrent.CopyOnWriteArrayList<>();

    private CompletableFuture<Frame> unanswered() {
        CompletableFuture<Frame> f = new CompletableFuture<>();
        unanswered.add(f);
        return f;
    }

    /**
     * The server answers one request with a long stream of messages; the client consumes them slowly. The server's
     * sends are held back by the client's stream window, not buffered, and everything arrives in order.
     */
    @Test
    void streamedAnswerFollowsASlowConsumer() throws Exception {
        int messages = 64;
        byte[] chunk = new byte[16 * 1024];
        AtomicInteger sentByServer = new AtomicInteger();
        ProtocolOptions small =
                ProtocolOptions.DEFAULT.withWindows(64 * 1024, 1024 * 1024).withCompression(List.of());
        VstpServer server = server(false, small, (req, session) -> {
            CompletableFuture<Frame> done = new CompletableFuture<>();
            streamAnswer(session, req.streamId(), chunk, 0, messages, sentByServer, done);
            return done;
        });
        VstpConnection conn = connect(server, false, small);
        ClientStream stream = conn.openStream().get(5, TimeUnit.SECONDS);
        java.util.concurrent.BlockingQueue<Object[]> received = new java.util.concurrent.LinkedBlockingQueue<>();
        stream.onMessage((message, consumed) -> received.add(new Object[] {message, consumed}));
        CompletableFuture<Frame> last = stream.finish(data("send me everything"), Duration.ofSeconds(30));

        Thread.sleep(300); // the consumer is stuck: nothing consumed yet
        assertThat(sentByServer.get())
                .as("messages the server got out with a 64 KiB window and no consumption")
                .isLessThanOrEqualTo(64 * 1024 / chunk.length + 1);
        for (int i = 0; i < messages; i++) {
            Object[] got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).as("message %d", i).isNotNull();
            Frame f = (Frame) got[0];
            assertThat(f.headers().value("n")).isEqualTo(Integer.toString(i));
            assertThat(f.payload().readableBytes()).isEqualTo(chunk.length);
            f.release();
            ((Runnable) got[1]).run();
        }
        Frame end = last.get(10, TimeUnit.SECONDS);
        assertThat(end.payloadAsString()).isEqualTo("end after " + messages);
        end.release();
    }

    private static void streamAnswer(
            Session session,
            long stream,
            byte[] chunk,
            int i,
            int total,
            AtomicInteger sent,
            CompletableFuture<Frame> done) {
        if (i == total) {
            done.complete(data("end after " + total));
            return;
        }
        session.sendOnStream(
                        stream,
                        Frame.builder(FrameType.DATA)
                                .header("n", Integer.toString(i))
                                .payload(Unpooled.wrappedBuffer(chunk))
                                .build())
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                        return;
                    }
                    sent.incrementAndGet();
                    streamAnswer(session, stream, chunk, i + 1, total, sent, done);
                });
    }

    @Test
    void cancelledStreamFailsLocallyAndTheConnectionGoesOn() throws Exception {
        VstpServer server = server(
                false,
                ProtocolOptions.DEFAULT,
                (req, s) -> "never".equals(req.payloadAsString())
                        ? unanswered()
                        : CompletableFuture.completedFuture(data("ok")));
        VstpConnection conn = connect(server, false, ProtocolOptions.DEFAULT);
        ClientStream stream = conn.openStream().get(5, TimeUnit.SECONDS);
        stream.send(data("never")).get(5, TimeUnit.SECONDS);
        stream.cancel();
        assertThatThrownBy(() -> stream.response().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        Frame r = conn.request(data("after")).get(5, TimeUnit.SECONDS);
        assertThat(r.payloadAsString()).isEqualTo("ok");
        r.release();
    }

    @Test
    void timedOutRequestIsCancelledOnTheWire() throws Exception {
        VstpServer server = server(false, ProtocolOptions.DEFAULT, (req, s) -> unanswered());
        VstpConnection conn = connect(server, false, ProtocolOptions.DEFAULT);
        assertThatThrownBy(() -> conn.request(data("x"), Duration.ofMillis(100)).get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
    }

    @Test
    void handlerErrorFailsOnlyItsStream() throws Exception {
        VstpServer server = server(false, ProtocolOptions.DEFAULT, RequestHandler.of((req, s) -> {
            if ("boom".equals(req.payloadAsString())) {
                throw new IllegalStateException("secret detail");
            }
            return data("ok");
        }));
        VstpConnection conn = connect(server, false, ProtocolOptions.DEFAULT);
        assertThatThrownBy(() -> conn.request(data("boom")).get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(SessionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.HANDLER_ERROR);
                    assertThat(e.getMessage()).doesNotContain("secret detail");
                });
        Frame r = conn.request(data("fine")).get(5, TimeUnit.SECONDS);
        assertThat(r.payloadAsString()).isEqualTo("ok");
        r.release();
    }

    @Test
    void openStreamOnAV1SessionFails() throws Exception {
        VstpServer server = server(false, ProtocolOptions.V1_ONLY, RequestHandler.echo());
        VstpConnection conn = connect(server, false, ProtocolOptions.DEFAULT);
        assertThat(conn.wireVersion()).isEqualTo(1);
        assertThatThrownBy(() -> conn.openStream().get(5, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
    }
}
