package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's connection pool against a real server on 127.0.0.1. */
class ConnectionPoolTest {
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        delays.shutdownNow();
    }

    private RequestHandler delayedEcho(int millis) {
        return (request, session) -> {
            String body = request.payloadAsString();
            CompletableFuture<Frame> response = new CompletableFuture<>();
            delays.schedule(() -> response.complete(data(body)), millis, TimeUnit.MILLISECONDS);
            return response;
        };
    }

    @Test
    void spreadsRequestsOverAtMostMaxConnections() throws Exception {
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler(delayedEcho(20))
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        server.port(),
                        PoolOptions.DEFAULT.withSize(1, 4).withMaxRequestsPerConnection(10))) {
            List<CompletableFuture<Frame>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(pool.request(data("r" + i)));
            }
            for (int i = 0; i < 200; i++) {
                Frame f = replies.get(i).get(10, TimeUnit.SECONDS);
                assertThat(f.payloadAsString()).isEqualTo("r" + i);
                f.release();
            }
            assertThat(pool.size()).isBetween(2, 4);
            assertThat(server.stats().accepted()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void fullPoolQueuesThenTimesOut() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler((r, s) -> never.thenApply(v -> data("released")))
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        server.port(),
                        PoolOptions.DEFAULT
                                .withSize(0, 1)
                                .withMaxRequestsPerConnection(2)
                                .withAcquireTimeout(Duration.ofMillis(300)))) {
            CompletableFuture<Frame> a = pool.request(data("a"), Duration.ofSeconds(10));
            CompletableFuture<Frame> b = pool.request(data("b"), Duration.ofSeconds(10));
            CompletableFuture<Frame> c = pool.request(data("c"), Duration.ofSeconds(10));
            assertThatThrownBy(() -> c.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
            assertThat(a).isNotDone();
            assertThat(b).isNotDone();
            assertThat(pool.size()).isEqualTo(1);
            assertThat(pool.waiting()).isZero();
            never.complete(null);
            a.get(5, TimeUnit.SECONDS).release();
            b.get(5, TimeUnit.SECONDS).release();
        }
    }

    @Test
    void waitingQueueIsBounded() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler((r, s) -> never.thenApply(v -> data("released")))
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        server.port(),
                        PoolOptions.DEFAULT
                                .withSize(1, 1)
                                .withMaxRequestsPerConnection(1)
                                .withMaxQueued(2))) {
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> pool.size() >= 1);
            List<CompletableFuture<Frame>> accepted = List.of(
                    pool.request(data("busy"), Duration.ofSeconds(10)),
                    pool.request(data("q1"), Duration.ofSeconds(10)),
                    pool.request(data("q2"), Duration.ofSeconds(10)));
            CompletableFuture<Frame> over = pool.request(data("over"), Duration.ofSeconds(10));
            assertThatThrownBy(() -> over.get(1, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_IN_FLIGHT));
            assertThat(pool.waiting()).isLessThanOrEqualTo(2);
            never.complete(null);
            for (CompletableFuture<Frame> f : accepted) {
                f.get(5, TimeUnit.SECONDS).release();
            }
        }
    }

    @Test
    void healthCheckRemovesAConnectionWhoseServerStoppedAnswering() throws Exception {
        // The server's handler never answers and its event loop is fine, so PINGs are answered: the connection
        // stays. Then the server goes away entirely; the PING fails and the pool drops the connection.
        VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .handler(RequestHandler.echo())
                .start();
        try (VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        server.port(),
                        PoolOptions.DEFAULT
                                .withSize(1, 1)
                                .withRecycling(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMillis(100)))) {
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> pool.size() >= 1);
            Thread.sleep(400); // several health checks (every 100 ms) pass: only time shows the connection stays
            assertThat(pool.size()).isEqualTo(1);
            server.shutdown(Duration.ofMillis(100)).get(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() -> assertThat(pool.size()).isZero());
        }
    }

    @Test
    void connectionClosedByTheServerIsReplaced() throws Exception {
        TransportLimits shortIdle = TransportLimits.DEFAULT.withTimeouts(
                Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(5));
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .limits(shortIdle)
                        .handler(RequestHandler.echo())
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool("127.0.0.1", server.port(), PoolOptions.DEFAULT.withSize(0, 1))) {
            Frame first = pool.request(data("one")).get(5, TimeUnit.SECONDS);
            first.release();
            // The server drops the idle connection; the pool must notice and open a fresh one.
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(pool.size()).isZero());
            Frame second = pool.request(data("two")).get(5, TimeUnit.SECONDS);
            assertThat(second.payloadAsString()).isEqualTo("two");
            second.release();
            assertThat(server.stats().accepted()).isEqualTo(2);
            assertThat(server.stats().errors(ErrorCode.IDLE_TIMEOUT)).isEqualTo(1);
        }
    }

    @Test
    void connectionsRetireAfterMaxLifetime() throws Exception {
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler(RequestHandler.echo())
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        server.port(),
                        PoolOptions.DEFAULT
                                .withSize(1, 1)
                                .withRecycling(
                                        Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMillis(100)))) {
            // Requests keep going while connections retire and are replaced.
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        pool.request(data("x")).get(5, TimeUnit.SECONDS).release();
                        assertThat(server.stats().accepted()).isGreaterThanOrEqualTo(3);
                    });
            assertThat(pool.size()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void unreachableServerFailsQueuedRequestsPromptly() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (VstpClient client = VstpClient.builder().plain().threads(1).build();
                VstpConnectionPool pool = client.pool(
                        "127.0.0.1",
                        port,
                        PoolOptions.DEFAULT.withSize(0, 2).withAcquireTimeout(Duration.ofSeconds(30)))) {
            CompletableFuture<Frame> r = pool.request(data("x"));
            assertThatThrownBy(() -> r.get(5, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            SessionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_CLOSED));
        }
    }
    /** A handler's refusal reaches the caller as that request's error; a closed pool refuses at once. */
    @Test
    void handlerErrorsReachTheCallerAndAClosedPoolRefuses() throws Exception {
        RequestHandler refuses = (request, session) -> CompletableFuture.failedFuture(new SessionException(
                io.vstp.core.error.ErrorCode.PERMISSION_DENIED,
                io.vstp.core.error.VstpException.Scope.REQUEST,
                "not you"));
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler(refuses)
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build()) {
            VstpConnectionPool pool = client.pool("127.0.0.1", server.port(), PoolOptions.DEFAULT.withSize(1, 2));
            assertThat(pool.request(data("x")))
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(SessionException.class)
                    .withMessageContaining("not you");
            pool.close();
            assertThat(pool.request(data("late")))
                    .failsWithin(1, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("pool is closed");
        }
    }
}
