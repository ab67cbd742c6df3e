package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The blocking view of a connection, for scripts: answers, pings, one-way sends, and a clear timeout. */
class BlockingApiTest {
    @Test
    void blockingCallsAnswerOrTimeOutWithRequestTimeout() throws Exception {
        CompletableFuture<Frame> never = new CompletableFuture<>();
        RequestHandler handler = (request, session) -> "silence".equals(request.payloadAsString())
                ? never
                : RequestHandler.echo().handle(request, session);
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler(handler)
                        .start();
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .requestTimeout(Duration.ofSeconds(5))
                        .build();
                VstpConnection c = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS)) {
            VstpConnection.Blocking b = c.blocking();
            Frame echo = b.request(data("hello"));
            assertThat(echo.payloadAsString()).isEqualTo("hello");
            echo.release();
            Frame timed = b.request(data("again"), Duration.ofSeconds(2));
            assertThat(timed.payloadAsString()).isEqualTo("again");
            timed.release();
            assertThat(b.ping()).isPositive();
            b.send(data("one way"));
            assertThat(c.peerCertificateFingerprint())
                    .as("plaintext has no certificate")
                    .isNull();
            assertThatThrownBy(() -> b.request(data("silence"), Duration.ofMillis(300)))
                    .isInstanceOf(SessionException.class)
                    .satisfies(e -> assertThat(((SessionException) e).code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT));
            never.complete(null); // answered at last, so the close need not wait for it
        } finally {
            never.complete(null);
        }
    }
}
