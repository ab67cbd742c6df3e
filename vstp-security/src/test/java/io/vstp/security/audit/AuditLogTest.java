package io.vstp.security.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;

    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ";

    @Test
    void oneJsonLinePerEventWithoutTheTokenAndOwnerOnly() throws Exception {
        Path file = dir.resolve("logs/audit.log");
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 5555);
        Principal alice = new Principal(
                "alice",
                Set.of("reader"),
                Map.of("email", "alice@example.com"),
                "jwt",
                Instant.now().plusSeconds(60));
        try (AuditLog log = AuditLog.toFile(file)) {
            log.authentication(new Credentials(TOKEN, List.of(), remote, "s1"), alice, null);
            log.authentication(new Credentials(TOKEN + "x", List.of(), remote, "s2"), null, "bad signature");
            log.decision(
                    alice,
                    new Action("files", "get", "a\"\n{\"allowed\":true}"),
                    "s1",
                    remote,
                    false,
                    "no rule allows it");
            log.decision(alice, new Action("files", "get", "p".repeat(100_000)), "s1", remote, false, "r");
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat((String) JSONObjectUtils.parse(lines.get(3)).get("path")).hasSize(AuditLog.MAX_FIELD + 1);
        String all = String.join("\n", lines);
        assertThat(all)
                .doesNotContain(TOKEN.substring(0, 20))
                .doesNotContain("c2VjcmV0")
                .doesNotContain("alice@");
        Map<String, Object> ok = JSONObjectUtils.parse(lines.get(0));
        assertThat(ok)
                .containsEntry("event", "authenticate")
                .containsEntry("subject", "alice")
                .containsEntry("allowed", true)
                .containsEntry("credentials", "bearer")
                .containsEntry("session", "s1");
        Map<String, Object> refused = JSONObjectUtils.parse(lines.get(1));
        assertThat(refused).containsEntry("allowed", false).containsEntry("reason", "bad signature");
        Map<String, Object> decision = JSONObjectUtils.parse(lines.get(2));
        // A hostile path stays inside its JSON string: one line, the decision unchanged.
        assertThat(decision)
                .containsEntry("allowed", false)
                .containsEntry("path", "a\"\n{\"allowed\":true}")
                .containsEntry("service", "files")
                .containsEntry("op", "get");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        java.io.OutputStream stuck = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                try {
                    Thread.sleep(10_000); // an output stuck for the whole test: the writer must not get through
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
        AuditLog log = AuditLog.toStream(stuck);
        Principal p = new Principal("x".repeat(10_000), Set.of(), Map.of(), "jwt", null);
        long start = System.nanoTime();
        for (int i = 0; i < AuditLog.QUEUE_LINES + 5000; i++) {
            log.decision(p, new Action("echo", "", ""), "s", null, true, "r");
        }
        assertThat(System.nanoTime() - start).as("never blocks the caller").isLessThan(5_000_000_000L);
        // The writer holds at most one batch (1 025 lines) while it is stuck; the rest beyond the queue is dropped.
        assertThat(log.dropped()).isGreaterThanOrEqualTo(5000 - 1025);
    }
    /** Lines dropped while the output was stuck are reported in the log itself once it moves again. */
    @Test
    void droppedLinesAreReportedWhenTheOutputRecovers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        java.io.OutputStream slow = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (sink) {
                    sink.write(b, off, len);
                }
            }
        };
        AuditLog log = AuditLog.toStream(slow);
        Principal p = new Principal("p", Set.of(), Map.of(), "jwt", null);
        for (int i = 0; i < AuditLog.QUEUE_LINES + 3000; i++) {
            log.decision(p, new Action("echo", "", ""), "s", null, true, "r");
        }
        assertThat(log.dropped()).isPositive();
        release.countDown();
        log.decision(p, new Action("echo", "", ""), "s", null, true, "after");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(sinkText(sink)).contains("\"event\":\"audit-lines-dropped\""));
        log.close();
    }

    /** An output that fails counts its lines as dropped; the caller never sees the failure. */
    @Test
    void aFailingOutputCountsItsLinesAsDropped() throws Exception {
        AuditLog log = AuditLog.toStream(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("disk gone");
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("disk gone");
            }
        });
        Principal p = new Principal("p", Set.of(), Map.of(), "jwt", null);
        for (int i = 0; i < 10; i++) {
            log.decision(p, new Action("echo", "", ""), "s", null, false, "r");
        }
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> log.dropped() >= 10);
        assertThat(log.dropped()).isEqualTo(10);
        assertThat(log.written()).isZero();
        log.close();
    }

    @Test
    void anAuditFileThatCannotBeOpenedIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditLog.toFile(dir))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot open audit log " + dir);
    }

    private static String sinkText(java.io.ByteArrayOutputStream sink) {
        synchronized (sink) {
            return sink.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
