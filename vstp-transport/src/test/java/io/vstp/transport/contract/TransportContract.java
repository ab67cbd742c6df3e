package io.vstp.transport.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.SessionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every transport promises an application, run over each of them by a subclass (TCP, TLS, UDP, DTLS): a
 * request gets its answer, with its headers and payload intact however large; many requests at once each get their
 * own answer; a server's refusal reaches the client with its error code; a client that closes or gives up fails
 * what waits instead of hanging. Real sockets on 127.0.0.1.
 *
 * <p>A subclass connects {@link #connect(Responder)} to its transport's public API: {@code VstpServer} and
 * {@code VstpConnection} for TCP and TLS; {@code VstpUdpEndpoint} for UDP and DTLS, where request and response are the
 * application's rule (a {@code req-id} header, an ERR for a refusal, as vstp-services' {@code DatagramRequester}
 * applies it) and {@link DatagramRequests} plays that part.
 */
abstract class TransportContract {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Completes delayed answers; a daemon shared by every subclass, so no test waits for it to stop. */
    private static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "contract-responder");
        t.setDaemon(true);
        return t;
    });

    private final List<Connection> opened = new ArrayList<>();

    /** What the server does with each request; the transport releases the request afterwards. */
    @FunctionalInterface
    interface Responder {
        CompletionStage<Frame> answer(Frame request);
    }

    /** A server running {@code responder} and a client connected to it, both on 127.0.0.1. */
    interface Connection extends AutoCloseable {
        /** Sends {@code request} and completes with the server's answer, or fails with a {@link VstpException}. */
        CompletableFuture<Frame> request(Frame request, Duration timeout);

        /** Closes the client's side only. */
        void closeClient();

        /** Closes both sides. */
        @Override
        void close();
    }

    /** Starts a server answering with {@code responder} and connects a client to it. */
    abstract Connection connect(Responder responder) throws Exception;

    /** A connection the test does not have to close. */
    private Connection open(Responder responder) throws Exception {
        Connection connection = connect(responder);
        opened.add(connection);
        return connection;
    }

    @AfterEach
    void closeConnections() {
        opened.forEach(Connection::close);
    }

    private static Frame data(String payload) {
        return Frame.builder(FrameType.DATA).payload(payload).build();
    }

    private static String payloadOf(CompletableFuture<Frame> answer) throws Exception {
        Frame frame = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            return frame.payloadAsString();
        } finally {
            frame.release();
        }
    }

    @Test
    void aRequestGetsItsAnswer() throws Exception {
        Connection connection =
                open(request -> CompletableFuture.completedFuture(data("re:" + request.payloadAsString())));

        Frame answer = connection.request(data("hello"), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            assertThat(answer.type()).isEqualTo(FrameType.DATA);
            assertThat(answer.payloadAsString()).isEqualTo("re:hello");
        } finally {
            answer.release();
        }
    }

    @Test
    void headersArriveAsSentAndComeBackAsAnswered() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Connection connection = open(request -> {
            Frame.Builder answer = Frame.builder(FrameType.DATA);
            for (int i = 0; i < 20; i++) {
                String value = request.headers().value("x-" + i);
                seen.add("x-" + i + "=" + value);
                answer.header("y-" + i, value + "!");
            }
            return CompletableFuture.completedFuture(
                    answer.header("unicode", request.headers().value("unicode")).build());
        });
        Frame.Builder request = Frame.builder(FrameType.DATA).header("unicode", "grüße — ✓");
        for (int i = 0; i < 20; i++) {
            request.header("x-" + i, "value " + i);
        }

        Frame answer = connection.request(request.build(), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 20; i++) {
                assertThat(seen.poll()).isEqualTo("x-" + i + "=value " + i);
                assertThat(answer.headers().value("y-" + i)).isEqualTo("value " + i + "!");
            }
            assertThat(answer.headers().value("unicode")).isEqualTo("grüße — ✓");
        } finally {
            answer.release();
        }
    }

    /** Larger than any datagram, so over UDP it travels in fragments both ways. */
    @Test
    void aLargePayloadArrivesIntactBothWays() throws Exception {
        byte[] large = new byte[256 * 1024];
        new Random(17).nextBytes(large);
        Connection connection = open(request -> {
            byte[] copy = new byte[request.payload().readableBytes()];
            request.payload().getBytes(request.payload().readerIndex(), copy);
            return CompletableFuture.completedFuture(Frame.builder(FrameType.DATA)
                    .payload(Unpooled.wrappedBuffer(copy))
                    .build());
        });

        Frame answer = connection
                .request(
                        Frame.builder(FrameType.DATA)
                                .payload(Unpooled.wrappedBuffer(large.clone()))
                                .build(),
                        WAIT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            assertThat(answer.payloadBytes()).isEqualTo(large);
        } finally {
            answer.release();
        }
    }

    /** Answers come back in another order than the requests went out; each still reaches its own request. */
    @Test
    void concurrentRequestsAreEachMatchedToTheirOwnAnswer() throws Exception {
        Random delays = new Random(5);
        Connection connection = open(request -> {
            String payload = request.payloadAsString();
            CompletableFuture<Frame> later = new CompletableFuture<>();
            long delay;
            synchronized (delays) {
                delay = delays.nextInt(50);
            }
            LATER.schedule(() -> later.complete(data("re:" + payload)), delay, TimeUnit.MILLISECONDS);
            return later;
        });

        List<CompletableFuture<Frame>> answers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            answers.add(connection.request(data("request " + i), WAIT));
        }
        for (int i = 0; i < 64; i++) {
            assertThat(payloadOf(answers.get(i))).isEqualTo("re:request " + i);
        }
    }

    @Test
    void aServersRefusalReachesTheClientWithItsCode() throws Exception {
        Connection connection = open(request -> request.payloadAsString().startsWith("missing")
                ? CompletableFuture.failedFuture(new SessionException(
                        ErrorCode.NOT_FOUND,
                        VstpException.Scope.REQUEST,
                        "no such thing: " + request.payloadAsString()))
                : CompletableFuture.completedFuture(data("found " + request.payloadAsString())));

        assertThatThrownBy(() -> connection.request(data("missing x"), WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(VstpException.class)
                .hasMessageContaining("no such thing: missing x")
                .extracting(e -> ((VstpException) e).code())
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(payloadOf(connection.request(data("y"), WAIT)))
                .as("only that request failed")
                .isEqualTo("found y");
    }

    @Test
    void aRequestNobodyAnswersTimesOut() throws Exception {
        Connection connection =
                open(request -> new CompletableFuture<Frame>().completeOnTimeout(null, 5, TimeUnit.SECONDS));

        assertThat(connection.request(data("anyone?"), Duration.ofMillis(300)))
                .failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(VstpException.class)
                .extracting(e -> ((VstpException) e).code())
                .isEqualTo(ErrorCode.REQUEST_TIMEOUT);
    }

    @Test
    void closingTheClientFailsWhatWaitsAndRefusesWhatFollows() throws Exception {
        Connection connection =
                open(request -> new CompletableFuture<Frame>().completeOnTimeout(null, 5, TimeUnit.SECONDS));
        CompletableFuture<Frame> waiting = connection.request(data("pending"), WAIT);

        connection.closeClient();

        assertThat(waiting).failsWithin(WAIT);
        assertThat(connection.request(data("after close"), WAIT))
                .as("a request after the close fails, never throws")
                .failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(VstpException.class);
    }
}
