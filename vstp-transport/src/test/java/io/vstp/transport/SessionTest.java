package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.testing.Resources;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sessions end to end over real sockets on 127.0.0.1, with TLS 1.3 and in plaintext. */
class SessionTest {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    private final Resources resources = new Resources();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private VstpServer server(boolean tls, RequestHandler handler) throws InterruptedException {
        VstpServer.Builder b = VstpServer.builder().port(0).threads(2).handler(handler);
        if (tls) {
            b.tls(TlsServerOptions.builder().home(serverHome).build());
        } else {
            b.plain();
        }
        return resources.use(b.start());
    }

    private VstpClient client(boolean tls) {
        VstpClient.Builder b = VstpClient.builder().threads(1);
        if (tls) {
            b.tls(TlsClientOptions.builder().home(clientHome).build());
        } else {
            b.plain();
        }
        return resources.use(b.build());
    }

    /** Asked from any thread after the connection closed, closeFuture is already complete, as documented. */
    @Test
    void aClosedSessionsCloseFutureIsCompleteAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Session> seen = new java.util.concurrent.atomic.AtomicReference<>();
        VstpServer server = server(false, (request, session) -> {
            seen.set(session);
            return RequestHandler.echo().handle(request, session);
        });
        VstpConnection conn = client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
        conn.request(data("hi")).get(5, TimeUnit.SECONDS).release();
        // While open, every call gives the same future: asking on every request leaves nothing behind.
        assertThat(seen.get().closeFuture()).isSameAs(seen.get().closeFuture());
        assertThat(seen.get().closeFuture().toCompletableFuture()).isNotDone();
        conn.close(java.time.Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        seen.get().closeFuture().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            assertThat(seen.get().closeFuture().toCompletableFuture()).isDone();
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {true, false})
    void handshakeThenRequestAndPing(boolean tls) throws Exception {
        VstpServer server = server(tls, RequestHandler.echo());
        VstpConnection conn =
                resources.use(client(tls).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));

        assertThat(conn.sessionId()).matches("[0-9a-f]{32}");
        assertThat(conn.serverImplementation()).startsWith("vstp-java/");
        assertThat(conn.serverMaxFrame()).isEqualTo(8 * 1024 * 1024);
        assertThat(server.tls()).isEqualTo(tls);
        if (tls) {
            assertThat(conn.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(conn.tlsCipherSuite()).startsWith("TLS_");
            assertThat(conn.applicationProtocol()).isEqualTo("vstp/1");
        } else {
            assertThat(conn.tlsProtocol()).isNull();
        }

        Frame reply = conn.request(Frame.builder(FrameType.DATA)
                        .header("path", "/x")
                        .payload("hello")
                        .build())
                .get(5, TimeUnit.SECONDS);
        try {
            assertThat(reply.type()).isEqualTo(FrameType.DATA);
            assertThat(reply.payloadAsString()).isEqualTo("hello");
            assertThat(reply.headers().value("path")).isEqualTo("/x");
            // v1 correlates by a req-id header, v2 (the default) by the stream id.
            assertThat(conn.wireVersion()).isEqualTo(2);
            assertThat(reply.headers().value("req-id")).isNull();
        } finally {
            reply.release();
        }
        assertThat(conn.ping().get(5, TimeUnit.SECONDS)).isPositive();
        assertThat(server.stats().accepted()).isEqualTo(1);
    }

    /** Responses complete out of order on other threads; every one must reach its own request. */
    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {true, false})
    void thousandConcurrentRequestsOnOneConnection(boolean tls) throws Exception {
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(2);
        resources.use((AutoCloseable) delays::shutdownNow);
        VstpServer server = server(tls, (request, session) -> {
            String body = request.payloadAsString();
            CompletableFuture<Frame> response = new CompletableFuture<>();
            delays.schedule(
                    () -> response.complete(data("re:" + body)),
                    ThreadLocalRandom.current().nextInt(20),
                    TimeUnit.MILLISECONDS);
            return response;
        });
        VstpConnection conn =
                resources.use(client(tls).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));

        int n = 1000;
        List<CompletableFuture<Frame>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(conn.request(data("request " + i)));
        }
        for (int i = 0; i < n; i++) {
            Frame reply = replies.get(i).get(20, TimeUnit.SECONDS);
            try {
                assertThat(reply.payloadAsString()).isEqualTo("re:request " + i);
            } finally {
                reply.release();
            }
        }
    }

    @Test
    void changedServerCertificateIsRefusedNamingBothFingerprints() throws Exception {
        VstpServer server = server(true, RequestHandler.echo());
        String stale = "sha256:" + "ab".repeat(32);
        java.nio.file.Files.writeString(
                clientHome.resolve("known_hosts"), "127.0.0.1:" + server.port() + " " + stale + "\n");
        CompletableFuture<VstpConnection> attempt = client(true).connect("127.0.0.1", server.port());
        assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(SessionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TLS_FAILED);
                    assertThat(e.getMessage()).contains(stale).contains(server.certificateFingerprint());
                });
        assertThat(server.stats().errors(ErrorCode.PROTOCOL_VIOLATION)).isZero();
    }

    @Test
    void tlsServerRefusesAPlaintextClient() throws Exception {
        VstpServer server = server(true, RequestHandler.echo());
        CompletableFuture<VstpConnection> attempt = client(false).connect("127.0.0.1", server.port());
        assertThatThrownBy(() -> attempt.get(15, TimeUnit.SECONDS)).cause().isInstanceOf(SessionException.class);
    }

    @Test
    void handlerFailureFailsOnlyThatRequest() throws Exception {
        VstpServer server = server(false, RequestHandler.of((request, session) -> {
            if (request.payloadAsString().equals("boom")) {
                throw new IllegalStateException("secret detail that must not reach the peer");
            }
            return data("ok");
        }));
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));

        assertThatThrownBy(() -> conn.blocking().request(data("boom")))
                .isInstanceOfSatisfying(SessionException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.HANDLER_ERROR);
                    assertThat(e.fromPeer()).isTrue();
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
        Frame ok = conn.blocking().request(data("fine"));
        assertThat(ok.payloadAsString()).isEqualTo("ok");
        ok.release();
        assertThat(server.stats().errors(ErrorCode.HANDLER_ERROR)).isEqualTo(1);
    }

    @Test
    void requestTimesOutAndLateResponseIsDropped() throws Exception {
        CompletableFuture<Frame> never = new CompletableFuture<>();
        VstpServer server = server(
                false,
                (request, session) -> request.payloadAsString().equals("slow")
                        ? never
                        : CompletableFuture.completedFuture(data("fast")));
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));

        assertThatThrownBy(() -> conn.blocking().request(data("slow"), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(
                        SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
        never.complete(data("too late")); // arrives after the timeout; the client must release it
        Frame fast = conn.blocking().request(data("x"));
        assertThat(fast.payloadAsString()).isEqualTo("fast");
        fast.release();
    }

    @Test
    void cancelledRequestIsForgottenAndItsLateResponseReleased() throws Exception {
        CompletableFuture<Frame> gate = new CompletableFuture<>();
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        VstpServer server = server(false, (request, session) -> {
            arrived.complete(null);
            return gate;
        });
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        CompletableFuture<Frame> r = conn.request(data("x"), Duration.ofSeconds(30));
        arrived.get(10, TimeUnit.SECONDS);
        assertThat(r.cancel(false)).isTrue();
        gate.complete(data("late")); // reaches a client that forgot the request; LeakCheck fails if kept
        // The server answers the PING after the late answer, so that answer has reached the client by the PONG.
        conn.ping().get(10, TimeUnit.SECONDS);
        // The in-flight slot was freed: a connection-wide close does not wait for the cancelled request.
        conn.close(Duration.ofSeconds(5)).get(2, TimeUnit.SECONDS);
    }

    @Test
    void totalConnectionLimitRefusesTlsConnectionsWithoutAHandshake() throws Exception {
        VstpServer small = resources.use(VstpServer.builder()
                .port(0)
                .threads(1)
                .tls(TlsServerOptions.builder().home(serverHome).build())
                .limits(TransportLimits.DEFAULT.withMaxConnections(1, 10))
                .start());
        VstpClient c = client(true);
        VstpConnection first =
                resources.use(c.connect("127.0.0.1", small.port()).get(10, TimeUnit.SECONDS));
        CompletableFuture<VstpConnection> second = c.connect("127.0.0.1", small.port());
        assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(SessionException.class);
        assertThat(small.stats().rejected()).isEqualTo(1);
        assertThat(small.stats().errors(ErrorCode.TOO_MANY_CONNECTIONS)).isEqualTo(1);
        assertThat(first.ping().get(5, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void oneWaySendsAndServerPushes() throws Exception {
        VstpServer server = server(false, (request, session) -> {
            session.send(data("push:" + request.payloadAsString()));
            return null;
        });
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        CompletableFuture<String> pushed = new CompletableFuture<>();
        conn.onPush(f -> {
            pushed.complete(f.payloadAsString());
            f.release();
        });
        conn.send(data("one-way")).get(5, TimeUnit.SECONDS);
        assertThat(pushed.get(5, TimeUnit.SECONDS)).isEqualTo("push:one-way");
    }

    /** v2 splits messages into frames; one above the server's max-message fails locally, before any byte. */
    @Test
    void tooLargeMessageFailsLocallyOnV2() throws Exception {
        VstpServer server = resources.use(VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .protocol(ProtocolOptions.DEFAULT.withMaxMessageSize(100_000))
                .start());
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        assertThat(conn.wireVersion()).isEqualTo(2);
        assertThatThrownBy(() -> conn.blocking().request(data("x".repeat(100_001))))
                .isInstanceOfSatisfying(
                        io.vstp.core.error.VstpException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
        Frame ok = conn.blocking().request(data("y".repeat(100_000)));
        assertThat(ok.payloadAsString()).hasSize(100_000);
        ok.release();
    }

    /** v1 has no way to split a message: a request above the server's max-frame fails locally. */
    @Test
    void tooLargeRequestFailsLocallyAndConnectionSurvives() throws Exception {
        VstpServer server = resources.use(VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .protocol(ProtocolOptions.V1_ONLY)
                .limits(TransportLimits.DEFAULT.withFrame(
                        TransportLimits.DEFAULT.frame().withMaxFrameSize(1024)))
                .start());
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        assertThat(conn.serverMaxFrame()).isEqualTo(1024);
        assertThatThrownBy(() -> conn.blocking().request(data("x".repeat(2000))))
                .isInstanceOfSatisfying(
                        io.vstp.core.error.VstpException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        Frame ok = conn.blocking().request(data("small"));
        assertThat(ok.payloadAsString()).isEqualTo("small");
        ok.release();
    }

    @Test
    void gracefulShutdownLosesNoAcceptedRequest() throws Exception {
        ScheduledExecutorService delays = Executors.newScheduledThreadPool(1);
        resources.use((AutoCloseable) delays::shutdownNow);
        AtomicInteger arrived = new AtomicInteger();
        VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .handler((request, session) -> {
                    arrived.incrementAndGet();
                    CompletableFuture<Frame> response = new CompletableFuture<>();
                    String body = request.payloadAsString();
                    delays.schedule(() -> response.complete(data("done:" + body)), 300, TimeUnit.MILLISECONDS);
                    return response;
                })
                .start();
        VstpConnection conn =
                resources.use(client(false).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));

        List<CompletableFuture<Frame>> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            replies.add(conn.request(data("r" + i)));
        }
        // Every request has reached the server before shutdown starts: it must answer all of them.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> arrived.get() == 50);
        CompletableFuture<Void> stopped = server.shutdown(Duration.ofSeconds(5));
        for (int i = 0; i < 50; i++) {
            Frame reply = replies.get(i).get(5, TimeUnit.SECONDS);
            assertThat(reply.payloadAsString()).isEqualTo("done:r" + i);
            reply.release();
        }
        stopped.get(10, TimeUnit.SECONDS);
        conn.closeFuture().get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> conn.blocking().request(data("after")))
                .isInstanceOfSatisfying(
                        SessionException.class,
                        e -> assertThat(e.code()).isIn(ErrorCode.SHUTTING_DOWN, ErrorCode.CONNECTION_CLOSED));
    }

    @Test
    void clientCloseSaysByeAndServerForgetsTheConnection() throws Exception {
        VstpServer server = server(true, RequestHandler.echo());
        VstpConnection conn = client(true).connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
        Frame r = conn.blocking().request(data("a"));
        r.release();
        conn.close(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> assertThat(server.stats().open()).isZero());
    }
}
