package io.vstp.transport;

import static io.vstp.transport.testing.Frames.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.core.frame.Frame;
import io.vstp.testkit.ScriptedPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, attack 7, against the server-wide budget (session.md §8.1): connections that each send most of a large
 * frame and never finish it. Past the address's share the heaviest are closed at once (not after the 30 s frame
 * timeout); meanwhile the address's other connections stop being read; once it fits again they are served.
 */
class PartialFramesBudgetTest {
    @Test
    void framesThatNeverFinishAreShedPastTheShareAndOthersResume() throws Exception {
        long share = 16L << 20;
        MemoryBudget budget = new MemoryBudget(4 * share, share);
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(2)
                        .plain()
                        .memoryBudget(budget)
                        .handler(RequestHandler.echo())
                        .start();
                VstpClient client = VstpClient.builder().plain().threads(1).build()) {
            VstpConnection neighbour =
                    client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
            List<ScriptedPeer> attackers = new ArrayList<>();
            try {
                byte[] prefix = io.vstp.core.testing.FrameBytes.v1(
                        io.vstp.core.frame.Frame.builder(io.vstp.core.frame.FrameType.DATA)
                                .payload(new byte[7 << 20])
                                .build());
                byte[] mostOfIt = java.util.Arrays.copyOf(prefix, 6 << 20); // 6 of 7 MiB, never the rest
                for (int i = 0; i < 6; i++) {
                    ScriptedPeer a = ScriptedPeer.connect(server.port());
                    attackers.add(a);
                    Thread writer = new Thread(() -> {
                        try {
                            a.sendBytes(mostOfIt);
                        } catch (java.io.IOException e) {
                            // shed: the server closed it
                        }
                    });
                    writer.setDaemon(true);
                    writer.start();
                }
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(budget.shed())
                                .as("the heaviest closed, long before the frame timeout")
                                .isGreaterThanOrEqualTo(3));
                assertThat(budget.heldBytes())
                        .as("what the address holds fits its share again")
                        .isLessThanOrEqualTo(share + (1 << 20));
                // Under pressure the address's connections are not read: the neighbour waits, unharmed.
                CompletableFuture<Frame> waiting = neighbour.request(data("patience"));
                for (ScriptedPeer a : attackers) {
                    a.close();
                }
                attackers.clear();
                Frame answer = waiting.get(10, TimeUnit.SECONDS);
                assertThat(answer.payloadAsString()).isEqualTo("patience");
                answer.release();
            } finally {
                for (ScriptedPeer a : attackers) {
                    a.close();
                }
                neighbour.close();
            }
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(budget.heldBytes())
                            .as("everything released when the connections end")
                            .isZero());
        }
    }
}
