package io.vstp.services.files;

import static io.vstp.services.files.FilesProtocol.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.internal.Failures;
import io.vstp.services.files.internal.ByteSizes;
import io.vstp.services.files.internal.DurableFiles;
import io.vstp.services.files.internal.NoClobberMove;
import io.vstp.services.files.internal.SiblingNames;
import io.vstp.services.files.internal.StorageErrors;
import io.vstp.transport.Session;
import io.vstp.transport.SessionException;
import io.vstp.transport.session.SessionFrames;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code files} service (docs/spec/services.md §3), as {@code vstp serve} answers it: list, stat, get, and
 * resumable, verified, atomic uploads inside one served directory. File I/O runs on its own threads, never on an
 * event loop, shared fairly among clients: one client's requests run in the order sent (which keeps the chunks of an
 * upload in order), in turn with every other client's, and are dropped when the client leaves.
 */
public final class FileService implements AutoCloseable {
    /** Prefix of in-progress uploads; such names are never listed, read or written directly. */
    public static final String PARTIAL_PREFIX = ".vstp-part-";

    /**
     * What unfinished uploads may hold: they expire {@code maxAge} after their last write, and together they hold at
     * most {@code quotaBytes} (a chunk beyond it is refused), so abandoned uploads cannot fill the disk.
     *
     * @param maxAge how long after its last write an unfinished upload is kept
     * @param quotaBytes the most bytes all unfinished uploads together may hold
     */
    public record PartialUploads(java.time.Duration maxAge, long quotaBytes) {
        /** 24 hours and 16 GiB: what {@code vstp serve} keeps unless told otherwise. */
        public static final PartialUploads DEFAULT = new PartialUploads(java.time.Duration.ofHours(24), 16L << 30);
    }

    /** Threads doing file work: a few, since the work waits on the disk and one slow client must not stop it. */
    static final int THREADS = 4;

    private final Path root;
    private final ServedDirectory served;
    private final FairWork work;
    private final PartialUploads partials;
    private final ContentHashes hashes = new ContentHashes();
    private final UploadHashes uploads = new UploadHashes();
    /** Commits that had to read their upload from disk to hash it (not hashed as it came). */
    private final java.util.concurrent.atomic.AtomicLong commitsReadFromDisk =
            new java.util.concurrent.atomic.AtomicLong();
    /** Held while a name changes (commit, move, delete): renames of different clients run on different threads. */
    private final Object names = new Object();
    /**
     * Bytes held by unfinished uploads: counted once at start, then kept by every change (a chunk written, an upload
     * committed or deleted, an expired one swept). Never reset from a walk while uploads run: a walk races the
     * writes and would count some twice or not at all.
     */
    private final java.util.concurrent.atomic.AtomicLong partialBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Sessions whose end drops their queued work: registered once each, forgotten when they close. */
    private final java.util.Set<Session> watched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The queue of work not asked for by a client (the sweep of expired uploads). */
    private static final Object MAINTENANCE = "maintenance";

    /**
     * A files service over {@code root} with the default limits for unfinished uploads.
     *
     * @param root the served directory, created if missing
     * @throws IOException if {@code root} cannot be created or read
     */
    public FileService(Path root) throws IOException {
        this(root, PartialUploads.DEFAULT);
    }

    /**
     * A files service over {@code root}. Unfinished uploads already there are counted against the quota; their
     * expiry is {@link #expirePartials}, which the caller schedules.
     *
     * @param root the served directory, created if missing
     * @param partials what unfinished uploads may hold
     * @throws IOException if {@code root} cannot be created or read
     */
    public FileService(Path root, PartialUploads partials) throws IOException {
        this(root, partials, MAX_DATAGRAM_REQUESTS);
    }

    /**
     * As {@link #FileService(Path, PartialUploads)}, with its own bound on UDP requests.
     *
     * @param maxDatagramRequests files requests over UDP waiting or running at once, from all peers together
     */
    public FileService(Path root, PartialUploads partials, int maxDatagramRequests) throws IOException {
        this.maxDatagramRequests = maxDatagramRequests;
        Files.createDirectories(root);
        this.root = root.toRealPath();
        this.served = new ServedDirectory(this.root);
        this.partials = partials;
        this.partialBytes.set(sweepPartials());
        this.work = new FairWork(
                THREADS,
                "vstp-files",
                () -> error(ErrorCode.CANCELLED, "the client left before this request ran"),
                () -> error(
                        ErrorCode.TOO_MANY_IN_FLIGHT,
                        "more than " + FairWork.MAX_QUEUED_PER_CLIENT + " files requests waiting from this client"));
    }

    /** Commits that read their upload back from disk to verify it, since this service started (for tests). */
    long commitsReadFromDisk() {
        return commitsReadFromDisk.get();
    }

    /** Bytes unfinished uploads hold now (for tests and logs). */
    long partialBytes() {
        return partialBytes.get();
    }

    /**
     * Whole files hashed on request so far, not known from an upload or an earlier request (for tests and
     * monitoring).
     *
     * @return the count since this service started
     */
    public long filesHashed() {
        return hashes.computed();
    }

    /**
     * Requests dropped unrun because their client left (for tests, and metrics to come).
     *
     * @return the count since this service started
     */
    public long droppedRequests() {
        return work.dropped();
    }

    /**
     * Requests waiting for a file-work thread now, of all clients (for tests, and metrics to come).
     *
     * @return the count at this moment, not counting requests being served
     */
    public int queuedRequests() {
        return work.waiting();
    }

    /**
     * Deletes expired unfinished uploads, as file work of its own; a server calls it periodically.
     *
     * @return completes when the sweep has run
     */
    public CompletionStage<Void> expirePartials() {
        return work.execute(MAINTENANCE, () -> {
            try {
                sweepPartials();
            } catch (IOException e) {
                // the next sweep tries again
            }
        });
    }

    /** Stops the file-work threads; requests still queued are not run. */
    @Override
    public void close() {
        work.close();
    }

    /**
     * Whose queue a request joins: its session's, dropped when the session closes. A session that closes while its
     * request is being queued has it dropped too: the close either finds it queued or, if it ran first, the check
     * after queueing does ({@link #queued}).
     */
    private Object client(Session session) {
        if (watched.add(session)) {
            session.closeFuture().whenComplete((v, e) -> {
                work.cancel(session);
                watched.remove(session);
            });
        }
        return session;
    }

    /** Called after queueing work for {@code client}: if it is a session that has closed meanwhile, drops it. */
    private void queued(Object client) {
        if (client instanceof Session session
                && session.closeFuture().toCompletableFuture().isDone()) {
            work.cancel(session);
        }
    }

    /**
     * Deletes the unfinished uploads older than the maximum age under the root, releasing what they held; returns
     * what the rest hold (the starting count).
     */
    private long sweepPartials() throws IOException {
        long cutoff = System.currentTimeMillis() - partials.maxAge().toMillis();
        long[] kept = {0};
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                if (a.isRegularFile() && file.getFileName().toString().startsWith(PARTIAL_PREFIX)) {
                    if (a.lastModifiedTime().toMillis() < cutoff) {
                        if (Files.deleteIfExists(file)) {
                            release(a.size());
                        }
                    } else {
                        kept[0] += a.size();
                    }
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return kept[0];
    }

    /** Deletes an unfinished upload and forgets the bytes it held. */
    private void deletePartial(Path partial) throws IOException {
        long size = Files.exists(partial) ? Files.size(partial) : 0;
        if (Files.deleteIfExists(partial)) {
            release(size);
        }
        uploads.forget(partial);
    }

    /**
     * The served directory.
     *
     * @return its real path
     */
    public Path root() {
        return root;
    }

    /** Unfinished uploads hold {@code n} bytes more (a chunk written). */
    private void grown(long n) {
        partialBytes.addAndGet(n);
    }

    /** Unfinished uploads hold {@code n} bytes fewer (deleted, or moved into place). */
    private void release(long n) {
        partialBytes.accumulateAndGet(n, (held, freed) -> Math.max(0, held - freed));
    }

    /**
     * Runs one request on the I/O thread. Owns {@code request} until the stage completes (the caller releases).
     *
     * @param request a request of the files service
     * @param session the client's session (its queue of work, and answers streamed on a wire-v2 stream)
     * @return the answer, or a failure carrying a {@link SessionException} to answer with an ERR frame
     * @throws SessionException BAD_REQUEST at once when the request names no operation
     */
    public CompletionStage<Frame> handle(Frame request, Session session) {
        if (session.closeFuture().toCompletableFuture().isDone()) {
            // Read before the session closed, dispatched after: its queue is gone, and it must not start a new one
            // that would run beside the session's last task.
            return CompletableFuture.failedFuture(
                    error(ErrorCode.CANCELLED, "the client left before this request ran"));
        }
        return handle(
                request, session, client(session), () -> session.principal().subject() + "@" + session.remoteAddress());
    }

    /**
     * A request over UDP, where there is no session: each peer address has a queue of its own, as a session has,
     * so one peer's slow requests delay its own and not every other peer's. (Nothing tells us a peer left; its
     * queue goes when it is empty.) Owns {@code request} until the stage completes (the caller releases).
     *
     * @param request a request of the files service
     * @param peer the address the datagram came from
     * @return the answer, or a failure carrying a {@link SessionException} to answer with an ERR frame
     * @throws SessionException BAD_REQUEST at once when the request names no operation
     */
    public CompletionStage<Frame> handleDatagram(Frame request, java.net.InetSocketAddress peer) {
        // A queue per address, and plaintext addresses cost nothing to forge: one bound over them all.
        if (datagramRequests.incrementAndGet() > maxDatagramRequests) {
            datagramRequests.decrementAndGet();
            return CompletableFuture.failedFuture(error(
                    ErrorCode.TOO_MANY_IN_FLIGHT,
                    "more than " + maxDatagramRequests + " files requests over UDP waiting; try again shortly"));
        }
        return handle(request, null, new DatagramPeer(peer), () -> "udp " + peer)
                .whenComplete((answer, error) -> datagramRequests.decrementAndGet());
    }

    /** Files requests over UDP waiting or running at once, from all peers together (each peer has its own queue). */
    public static final int MAX_DATAGRAM_REQUESTS = 4096;

    private final int maxDatagramRequests;
    private final java.util.concurrent.atomic.AtomicInteger datagramRequests =
            new java.util.concurrent.atomic.AtomicInteger();

    private CompletionStage<Frame> handle(
            Frame request, Session session, Object client, java.util.function.Supplier<String> who) {
        String op = header(request, OP);
        // The log line's words are made only for a line that is written: not for every chunk of a transfer. The
        // request is still ours here (the caller releases it when the returned stage completes).
        return run(request, session, client, op).whenComplete((answer, error) -> {
            if ((error != null || LOGGED_OPS.contains(op)) && LOG.isInfoEnabled()) {
                // The client chose the path: no control character reaches the log (no forged lines).
                String path = String.valueOf(request.headers().value(PATH)).replaceAll("\\p{Cntrl}", "?");
                log(op, path, who.get(), answer, error);
            }
        });
    }

    /** The queue key of a UDP peer: never equal to a session's. */
    private record DatagramPeer(java.net.InetSocketAddress address) {}

    /** The operations that finish a transfer or change the files: one log line each. */
    private static final java.util.Set<String> LOGGED_OPS = java.util.Set.of(PUT_COMMIT, DELETE, GET_STREAM);

    /**
     * One line per finished transfer, deletion and refused request in the server's log (the audit log records every
     * authorisation decision; this says what happened to the files).
     */
    private static void log(String op, String path, String who, Frame answer, Throwable error) {
        if (error != null) {
            Throwable c = Failures.cause(error);
            info("refused " + op + " " + path + " for " + who + ": "
                    + (c instanceof VstpException v
                            ? v.code() + " " + v.detail()
                            : c.getClass().getSimpleName()));
            return;
        }
        if (answer == null) {
            return;
        }
        switch (op) {
            case PUT_COMMIT ->
                info("stored " + path + " ("
                        + answer.headers().value(SIZE) + " bytes, sha256 "
                        + answer.headers().value(SHA256) + ") from "
                        + who);
            case DELETE -> info("deleted " + path + " (" + answer.headers().value(SIZE) + " bytes) for " + who);
            case GET_STREAM -> info("sent " + path + " (" + answer.headers().value(SIZE) + " bytes) to " + who);
            default -> {
                // list, stat, chunks: parts of a transfer, not worth a line each
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.vstp.serve");
    /**
     * Log lines are written by their own thread, and dropped past 1 000 waiting: a log output that stops reading (a
     * stalled pipe) must never stall the files service.
     */
    private static final java.util.concurrent.ExecutorService LOG_WRITER = new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            0,
            java.util.concurrent.TimeUnit.SECONDS,
            new java.util.concurrent.ArrayBlockingQueue<>(1000),
            r -> {
                Thread t = new Thread(r, "vstp-serve-log");
                t.setDaemon(true);
                return t;
            },
            new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

    private static void info(String line) {
        if (LOG.isInfoEnabled()) {
            LOG_WRITER.execute(() -> LOG.info(line));
        }
    }

    private CompletionStage<Frame> run(Frame request, Session session, Object client, String op) {
        if (op.equals(GET_STREAM)) {
            return getStream(request, session);
        }
        if (op.equals(PUT_CHUNK) && request.payload().readableBytes() > MAX_CHUNK) {
            // Refused before it waits in a queue: a larger chunk would only make the server hold more.
            return CompletableFuture.failedFuture(error(
                    ErrorCode.BAD_REQUEST,
                    "a chunk of " + request.payload().readableBytes() + " bytes; at most " + MAX_CHUNK));
        }
        CompletableFuture<Frame> answer = work.submit(client, () -> {
            try {
                return switch (op) {
                    case LIST -> list(request);
                    case STAT -> stat(request);
                    case GET -> get(request);
                    case PUT_BEGIN -> putBegin(request);
                    case PUT_CHUNK -> putChunk(request);
                    case PUT_COMMIT -> putCommit(request);
                    case DELETE -> delete(request);
                    case MOVE -> move(request);
                    default -> throw error(ErrorCode.BAD_REQUEST, "unknown files operation '" + op + "'");
                };
            } catch (IOException e) {
                // The class of problem, never the server's paths.
                throw error(
                        ErrorCode.STORAGE_ERROR, StorageErrors.reason(e).replaceFirst(" \\(.*", "") + " on the server");
            }
        });
        queued(client);
        return answer;
    }

    private Frame list(Frame request) throws IOException {
        Path dir = served.resolve(
                request.headers().value(PATH) == null ? "" : request.headers().value(PATH));
        if (!Files.isDirectory(dir)) {
            throw error(ErrorCode.NOT_FOUND, "no such directory: " + served.relative(dir));
        }
        StringBuilder out = new StringBuilder();
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(PARTIAL_PREFIX) || ++n > MAX_LIST) {
                    continue;
                }
                boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                out.append(isDir ? 'd' : 'f')
                        .append('\t')
                        .append(isDir ? 0 : Files.size(p))
                        .append('\t')
                        .append(name)
                        .append('\n');
            }
        }
        Frame.Builder answer = Frame.builder(FrameType.DATA).header(ENTRIES, Integer.toString(Math.min(n, MAX_LIST)));
        if (n > MAX_LIST) {
            answer.header(TRUNCATED, "true"); // a client copying the folder must not take a part for the whole
        }
        return answer.payload(out.toString()).build();
    }

    private Frame stat(Frame request) throws IOException {
        Path file = served.existingFile(header(request, PATH));
        String prefix = request.headers().value(PREFIX);
        ContentHashes.Hashed whole = IF_KNOWN.equals(request.headers().value(HASH)) && prefix == null
                ? hashes.ifKnown(file)
                : hashes.of(file);
        long size = whole.size();
        Frame.Builder b = Frame.builder(FrameType.DATA).header(SIZE, Long.toString(size));
        if (whole.sha256() != null) {
            b.header(SHA256, whole.sha256());
        }
        if (prefix != null) {
            long n = number(prefix, PREFIX);
            if (n > size) {
                throw error(ErrorCode.BAD_REQUEST, "prefix " + n + " beyond the file's " + size + " bytes");
            }
            b.header(PREFIX_SHA256, sha256(file, n));
        }
        return b.build();
    }

    /**
     * Renames one file to {@code to} (directories created as needed), in one atomic step; an existing destination
     * is replaced only with {@code overwrite: true}, a directory never.
     */
    private Frame move(Frame request) throws IOException {
        Path from = served.existingFile(header(request, PATH));
        Path to = served.resolve(header(request, TO));
        if (from.equals(to)) {
            throw error(ErrorCode.BAD_REQUEST, "source and destination are the same file");
        }
        synchronized (names) {
            refuseDirectory(to);
            Files.createDirectories(to.getParent());
            if (overwrite(request)) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                try {
                    NoClobberMove.move(from, to);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    throw error(ErrorCode.ALREADY_EXISTS, served.relative(to) + " exists; mv --force replaces it");
                }
            }
            return Frame.builder(FrameType.DATA)
                    .header(SIZE, Long.toString(Files.size(to)))
                    .build();
        }
    }

    /** Deletes one file (never a directory); a missing file is NOT_FOUND. */
    private Frame delete(Frame request) throws IOException {
        Path file = served.resolve(header(request, PATH));
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw error(ErrorCode.BAD_REQUEST, served.relative(file) + " is a directory; delete removes files");
        }
        synchronized (names) {
            long size = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : -1;
            if (size < 0 || !Files.deleteIfExists(file)) {
                throw error(ErrorCode.NOT_FOUND, "no such file: " + served.relative(file));
            }
            return Frame.builder(FrameType.DATA)
                    .header(SIZE, Long.toString(size))
                    .build();
        }
    }

    private Frame get(Frame request) throws IOException {
        Path file = served.existingFile(header(request, PATH));
        long offset = number(header(request, OFFSET), OFFSET);
        long length = Math.min(number(header(request, LENGTH), LENGTH), MAX_CHUNK);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset > size) {
                throw error(ErrorCode.BAD_REQUEST, "offset " + offset + " beyond the file's " + size + " bytes");
            }
            int n = (int) Math.min(length, size - offset);
            ByteBuf payload = OutgoingFile.readFully(ch, offset, Unpooled.buffer(n), n);
            return Frame.builder(FrameType.DATA)
                    .header(SIZE, Long.toString(size))
                    .header(OFFSET, Long.toString(offset))
                    .payload(payload)
                    .build();
        }
    }

    /**
     * The whole file from {@code offset} as messages of at most {@link #MAX_CHUNK} bytes on the request's v2
     * stream, each read once the previous one has left under the client's credit (so a slow client slows the
     * reading, and memory stays at one chunk), then a last message with the size.
     */
    private CompletionStage<Frame> getStream(Frame request, Session session) {
        if (session == null || session.wireVersion() != 2 || request.streamId() == 0) {
            return CompletableFuture.failedFuture(
                    error(ErrorCode.BAD_REQUEST, "get-stream needs a wire-v2 stream (TCP or TLS); use get"));
        }
        String path = header(request, PATH);
        String offsetText = header(request, OFFSET);
        long stream = request.streamId();
        CompletableFuture<Frame> done = new CompletableFuture<>();
        Object client = client(session);
        work.execute(client, () -> {
                    try {
                        Path file = served.existingFile(path);
                        long offset = number(offsetText, OFFSET);
                        // Taken before the file is opened: a write after it shows as a new version at the end.
                        ContentHashes.Reading reading = offset == 0 ? hashes.reading(file) : null;
                        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                        long size = ch.size();
                        if (offset > size) {
                            ch.close();
                            throw error(
                                    ErrorCode.BAD_REQUEST,
                                    "offset " + offset + " beyond the file's " + size + " bytes");
                        }
                        new OutgoingFile(work, hashes, client, session, stream, ch, offset, size, reading, done)
                                .readMore();
                    } catch (IOException e) {
                        done.completeExceptionally(
                                error(ErrorCode.STORAGE_ERROR, e.getClass().getSimpleName() + " on the server"));
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                    }
                })
                .whenComplete((v, dropped) -> {
                    if (dropped != null) {
                        done.completeExceptionally(dropped); // never ran: the client left
                    }
                });
        queued(client);
        return done;
    }

    /** Starts or resumes an upload: answers how much of it the server already holds, and that prefix's SHA-256. */
    private Frame putBegin(Frame request) throws IOException {
        Path target = served.resolve(header(request, PATH));
        long size = number(header(request, SIZE), SIZE);
        String upload = upload(request);
        String sha = upload == null ? checksum(request) : null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !overwrite(request)) {
            // The same content is already there: nothing to upload, nothing replaced (services.md §3.1). An upload
            // announced without its SHA-256 cannot be known to be the same.
            if (sha != null
                    && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                    && Files.size(target) == size
                    && hashes.of(target).sha256().equals(sha)) {
                return Frame.builder(FrameType.DATA)
                        .header(OFFSET, Long.toString(size))
                        .header(PREFIX_SHA256, sha)
                        .header(IDENTICAL, "true")
                        .build();
            }
            throw exists(target);
        }
        refuseDirectory(target);
        Files.createDirectories(target.getParent());
        Path partial = canonical(partialFor(target, upload != null ? upload : sha));
        String prefixSha;
        long have;
        synchronized (uploads.lockFor(partial)) {
            if ("true".equals(request.headers().value(RESTART))) {
                deletePartial(partial);
            }
            have = Files.exists(partial) ? Files.size(partial) : 0;
            if (have > size) {
                deletePartial(partial);
                have = 0;
            }
            // The prefix is hashed once, here; the chunks that follow carry the digest on to the commit.
            MessageDigest prefix = have == 0 ? sha256() : sha256Of(partial, have);
            prefixSha = hexSoFar(prefix);
            uploads.start(partial, prefix, have, have == 0 ? null : fileKey(partial));
        }
        return Frame.builder(FrameType.DATA)
                .header(OFFSET, Long.toString(have))
                .header(PREFIX_SHA256, prefixSha)
                .build();
    }

    private Frame putChunk(Frame request) throws IOException {
        Path target = served.resolve(header(request, PATH));
        long offset = number(header(request, OFFSET), OFFSET);
        String upload = upload(request);
        Path partial = canonical(partialFor(target, upload != null ? upload : checksum(request)));
        synchronized (uploads.lockFor(partial)) {
            return putChunk(request, partial, offset);
        }
    }

    private Frame putChunk(Frame request, Path partial, long offset) throws IOException {
        if (!Files.exists(partial) && offset == 0) {
            Files.createFile(partial);
        }
        try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            long have = ch.size();
            if (offset != have) {
                SessionException e = error(
                        ErrorCode.OFFSET_MISMATCH, "chunk at " + offset + " but the server holds " + have + " bytes");
                throw e;
            }
            ByteBuf data = request.payload();
            if (partialBytes.get() + data.readableBytes() > partials.quotaBytes()) {
                throw error(
                        ErrorCode.STORAGE_ERROR,
                        "the server's room for unfinished uploads (" + ByteSizes.format(partials.quotaBytes())
                                + ") is full; try again later");
            }
            long at;
            try {
                at = writeAt(ch, data, offset);
            } finally {
                grown(ch.size() - have); // what reached the file, even if the write failed halfway
            }
            uploads.written(partial, offset, data, fileKey(partial));
            return Frame.builder(FrameType.DATA)
                    .header(OFFSET, Long.toString(at))
                    .build();
        } catch (NoSuchFileException e) {
            throw error(ErrorCode.OFFSET_MISMATCH, "no upload in progress; start with put-begin");
        }
    }

    /** Verifies the upload's size and SHA-256, then moves it under its final name in one atomic step. */
    private Frame putCommit(Frame request) throws IOException {
        Path target = served.resolve(header(request, PATH));
        long size = number(header(request, SIZE), SIZE);
        String sha = checksum(request);
        String upload = upload(request);
        Path partial = canonical(partialFor(target, upload != null ? upload : sha));
        if (size == 0 && !Files.exists(partial, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(partial); // an empty file has no chunk to start its upload: services.md §3.1
        }
        if (!Files.exists(partial)) {
            throw error(ErrorCode.NOT_FOUND, "no upload in progress for " + served.relative(target));
        }
        synchronized (uploads.lockFor(partial)) {
            return putCommit(request, target, partial, size, sha);
        }
    }

    private Frame putCommit(Frame request, Path target, Path partial, long size, String sha) throws IOException {
        long have = Files.size(partial);
        String actual = uploads.finish(partial, have, fileKey(partial));
        if (actual == null) {
            actual = sha256(partial, have); // not hashed as it came (the server restarted since): read it once
            commitsReadFromDisk.incrementAndGet();
        }
        if (have != size || !actual.equals(sha)) {
            deletePartial(partial);
            throw error(
                    ErrorCode.CHECKSUM_MISMATCH,
                    "received " + have + " bytes with sha256 " + actual + ", expected " + size + " bytes with " + sha
                            + "; upload discarded");
        }
        DurableFiles.syncContent(partial); // answered "committed" means on the disk, name and content
        // Renames under one lock: the hash remembered must be of the file this commit put there, not of one another
        // client's commit, move or delete put there a moment later (the work of different clients runs at once).
        synchronized (names) {
            refuseDirectory(target);
            if (overwrite(request)) {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                release(have);
            } else {
                try {
                    NoClobberMove.move(partial, target);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    throw exists(target); // the verified upload stays, so a put --force finishes at once
                }
                release(have);
            }
            hashes.remember(target, sha); // verified just now: a stat of it never hashes it again
        }
        DurableFiles.syncName(target);
        return Frame.builder(FrameType.DATA)
                .header(SIZE, Long.toString(size))
                .header(SHA256, sha)
                .build();
    }

    /** The upload may replace an existing file: header {@code overwrite: true} ({@code put --force}). */
    private static boolean overwrite(Frame request) {
        return "true".equals(request.headers().value(OVERWRITE));
    }

    private SessionException exists(Path target) {
        return error(
                ErrorCode.ALREADY_EXISTS,
                served.relative(target)
                        + (Files.isDirectory(target)
                                ? " is a directory"
                                : " exists and differs; put --force replaces it"));
    }

    private void refuseDirectory(Path target) {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw error(ErrorCode.ALREADY_EXISTS, served.relative(target) + " is a directory; name a file in it");
        }
    }

    // ---- uploads' names -----------------------------------------------------------------------------------

    /**
     * {@code partial} through its directory's real path: the same upload named through a link that stays inside the
     * root (or in another case, on a case-insensitive disk) is one file, so it must be one key for its lock and its
     * running hash.
     */
    private static Path canonical(Path partial) throws IOException {
        Path dir = partial.getParent();
        return Files.isDirectory(dir) ? dir.toRealPath().resolve(partial.getFileName()) : partial;
    }

    /** The identity of the file now at {@code partial} (device and inode where the platform has them). */
    private static Object fileKey(Path partial) throws IOException {
        return Files.readAttributes(
                        partial, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /** Where an upload collects: its name carries the first 16 hex digits of its SHA-256, or its upload name. */
    private static Path partialFor(Path target, String shaOrUpload) {
        return target.resolveSibling(SiblingNames.beside(PARTIAL_PREFIX + shaOrUpload.substring(0, 16) + "-", target));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String header(Frame f, String key) {
        String v = f.headers().value(key);
        if (v == null) {
            throw error(ErrorCode.BAD_REQUEST, "missing header '" + key + "'");
        }
        return v;
    }

    private static String checksum(Frame f) {
        String sha = header(f, SHA256);
        if (!sha.matches("[0-9a-f]{64}")) {
            throw error(ErrorCode.BAD_REQUEST, "sha256 must be 64 lowercase hex digits");
        }
        return sha;
    }

    /** The request's {@code upload} name (services.md §3.1), or null when it names its upload by SHA-256. */
    private static String upload(Frame f) {
        String upload = f.headers().value(UPLOAD);
        if (upload != null && !upload.matches("[0-9a-f]{16}")) {
            throw error(ErrorCode.BAD_REQUEST, "upload must be 16 lowercase hex digits");
        }
        return upload;
    }

    private static long number(String v, String name) {
        long n = SessionFrames.decimal(v);
        if (n < 0) {
            throw error(ErrorCode.BAD_REQUEST, name + " must be a non-negative decimal number");
        }
        return n;
    }

    static SessionException error(ErrorCode code, String message) {
        return new SessionException(code, VstpException.Scope.REQUEST, message);
    }
}
