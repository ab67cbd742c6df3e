package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** One client's many tasks never push another client to the back, and a client that leaves costs nothing more. */
class FairWorkTest {
    private static FairWork oneThread() {
        return new FairWork(
                1, "test", () -> new IllegalStateException("cancelled"), () -> new IllegalStateException("overflow"));
    }

    @Test
    void anotherClientsTaskRunsNextNotAfterEverythingQueuedBeforeIt() throws Exception {
        try (FairWork work = oneThread()) {
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Void>> all = new ArrayList<>();
            all.add(work.execute("a", () -> {
                await(release);
                order.add("a0");
            }));
            for (int i = 1; i < 10; i++) {
                int n = i;
                all.add(work.execute("a", () -> order.add("a" + n)));
            }
            all.add(work.execute("b", () -> order.add("b0")));
            release.countDown();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(order).as("b waits for one task of a, not ten").startsWith("a0", "b0");
            assertThat(order.stream().filter(s -> s.startsWith("a")).toList())
                    .as("a client's tasks in the order given")
                    .containsExactly("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9");
        }
    }

    @Test
    void aClientsTasksNeverRunAtTheSameTimeEvenOnManyThreads() throws Exception {
        try (FairWork work = new FairWork(4, "test", IllegalStateException::new, IllegalStateException::new)) {
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(work.execute("one", () -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.onSpinWait();
                    running.decrementAndGet();
                }));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(most.get()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatLeavesHasItsWaitingTasksDroppedAndFailed() throws Exception {
        try (FairWork work = oneThread()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Void> running = work.execute("gone", () -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(10, TimeUnit.SECONDS))
                    .as("the first task runs")
                    .isTrue();
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiting.add(work.execute("gone", ran::incrementAndGet));
            }
            assertThat(work.queued("gone")).isEqualTo(5);
            work.cancel("gone");
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Void> f : waiting) {
                Assertions.assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasMessageContaining("cancelled");
            }
            assertThat(ran.get()).isZero();
            assertThat(work.dropped()).isEqualTo(5);
            assertThat(work.queued("gone")).isZero();
            // The key is free again: a later client under it is served.
            assertThat(work.submit("gone", () -> "again").get(10, TimeUnit.SECONDS))
                    .isEqualTo("again");
        }
    }

    @Test
    void aClientWithTooManyWaitingIsRefusedAtOnce() throws Exception {
        try (FairWork work = oneThread()) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            work.execute("greedy", () -> {
                started.countDown();
                await(release);
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < FairWork.MAX_QUEUED_PER_CLIENT; i++) {
                work.execute("greedy", () -> {});
            }
            CompletableFuture<Void> refused = work.execute("greedy", () -> {});
            assertThat(refused).isCompletedExceptionally();
            Assertions.assertThatThrownBy(refused::get).hasMessageContaining("overflow");
            assertThat(work.submit("modest", () -> 1))
                    .as("others are not refused")
                    .isNotCompletedExceptionally();
            release.countDown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
