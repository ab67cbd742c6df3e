package io.vstp.security.audit;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One JSON line per authentication and per authorisation decision: who, from where, what, allowed or not, and why
 * (docs/guide/security.md). Never a token, never a claim's value other than the subject.
 *
 * <h2>Threads and limits</h2>
 * Decisions are taken on event loops, which must never wait for a disk: lines go into a bounded queue
 * ({@link #QUEUE_LINES}) that one daemon thread writes out. When the queue is full a line is dropped and counted,
 * and the next written line reports how many were lost. Every field is cut at {@link #MAX_FIELD} characters, so a
 * hostile path or subject cannot make lines huge. The file is created with mode 0600 where POSIX allows.
 */
public final class AuditLog implements AutoCloseable {
    static final int QUEUE_LINES = 16_384;
    static final int MAX_FIELD = 256;

    private static final AuditLog NONE = new AuditLog(null);

    private final OutputStream out;
    /** Lines still to be formatted: the event loop only captures the facts; the writer thread makes the JSON. */
    private final BlockingQueue<java.util.function.Supplier<String>> queue = new ArrayBlockingQueue<>(QUEUE_LINES);

    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private AuditLog(OutputStream out) {
        this.out = out;
        if (out == null) {
            writer = null;
            return;
        }
        writer = new Thread(this::drain, "vstp-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Discards everything (a server without authentication). */
    public static AuditLog none() {
        return NONE;
    }

    /** Appends to {@code file}, creating it (and its directory) owner-only. */
    public static AuditLog toFile(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            if (!Files.exists(file)
                    && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return new AuditLog(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to {@code stream} (for example standard error); closing the log does not close it. */
    public static AuditLog toStream(OutputStream stream) {
        return new AuditLog(new java.io.FilterOutputStream(stream) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len); // FilterOutputStream's own writes one byte at a time
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        });
    }

    /** An authentication: {@code principal} when accepted, null with {@code reason} when refused. */
    public void authentication(Credentials credentials, Principal principal, String reason) {
        if (out == null) {
            return;
        }
        long at = System.currentTimeMillis();
        offer(() -> authenticationLine(at, credentials, principal, reason));
    }

    private static String authenticationLine(long at, Credentials credentials, Principal principal, String reason) {
        Map<String, Object> line = start(at, "authenticate", credentials.sessionId(), credentials.remoteAddress());
        boolean token = credentials.bearerToken() != null;
        boolean certificate = !credentials.clientCertificates().isEmpty();
        line.put(
                "credentials",
                token && certificate ? "bearer+certificate" : token ? "bearer" : certificate ? "certificate" : "none");
        credentials
                .clientCertificate()
                .ifPresent(c ->
                        line.put("certificate", cut(c.getSubjectX500Principal().getName())));
        if (principal != null) {
            line.put("subject", cut(principal.subject()));
            line.put("method", principal.method());
            line.put("roles", List.copyOf(principal.roles()));
        }
        line.put("allowed", principal != null);
        if (reason != null) {
            line.put("reason", cut(reason));
        }
        return JSONObjectUtils.toJSONString(line);
    }

    /** An authorisation decision on one request. */
    public void decision(
            Principal principal,
            Action action,
            String sessionId,
            java.net.SocketAddress remote,
            boolean allowed,
            String reason) {
        if (out == null) {
            return;
        }
        long at = System.currentTimeMillis();
        offer(() -> decisionLine(at, principal, action, sessionId, remote, allowed, reason));
    }

    private static String decisionLine(
            long at,
            Principal principal,
            Action action,
            String sessionId,
            java.net.SocketAddress remote,
            boolean allowed,
            String reason) {
        Map<String, Object> line = start(at, "authorize", sessionId, remote);
        line.put("subject", cut(principal.subject()));
        line.put("service", cut(action.service()));
        if (!action.operation().isEmpty()) {
            line.put("op", cut(action.operation()));
        }
        if (!action.resource().isEmpty()) {
            line.put("path", cut(action.resource()));
        }
        line.put("allowed", allowed);
        line.put("reason", cut(reason));
        return JSONObjectUtils.toJSONString(line);
    }

    private static Map<String, Object> start(long at, String event, String sessionId, java.net.SocketAddress remote) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(at).toString());
        line.put("event", event);
        line.put("session", sessionId);
        line.put("remote", String.valueOf(remote));
        return line;
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD) + "…";
    }

    private void offer(java.util.function.Supplier<String> line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        List<java.util.function.Supplier<String>> batch = new ArrayList<>();
        long reportedDrops = 0;
        while (!closed || !queue.isEmpty()) {
            try {
                java.util.function.Supplier<String> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1024);
                StringBuilder text = new StringBuilder();
                long drops = dropped.get();
                if (drops > reportedDrops) {
                    text.append(JSONObjectUtils.toJSONString(Map.of(
                                    "time",
                                    Instant.now().toString(),
                                    "event",
                                    "audit-lines-dropped",
                                    "count",
                                    drops - reportedDrops)))
                            .append('\n');
                    reportedDrops = drops;
                }
                for (java.util.function.Supplier<String> line : batch) {
                    text.append(line.get()).append('\n');
                }
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                written.addAndGet(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                dropped.addAndGet(batch.size());
                batch.clear();
            }
        }
    }

    /** Lines lost because the queue was full or the disk failed. */
    public long dropped() {
        return dropped.get();
    }

    /** Lines written so far (tests wait on it). */
    public long written() {
        return written.get();
    }

    /** Writes what is queued (waiting at most 5 s) and closes the file. */
    @Override
    public void close() {
        if (out == null || closed) {
            return;
        }
        closed = true;
        try {
            writer.join(5_000);
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // nothing more to do: the lines are counted as written or dropped
        }
    }
}
