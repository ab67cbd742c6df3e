package io.vstp.services.files;

import static io.vstp.services.files.FilesProtocol.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.services.Requester;
import io.vstp.services.files.internal.DurableFiles;
import io.vstp.services.files.internal.SiblingNames;
import io.vstp.transport.ClientStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the files service (docs/spec/services.md §3): chunked, pipelined, resumable, verified
 * transfers over any {@link Requester}. At most {@link #WINDOW} chunks are in flight, so memory stays flat whatever
 * the file size. An upload resumes what the server already holds of the same content; a download resumes its
 * partial file beside the target, is checked against the server's SHA-256 and then renamed into place.
 *
 * <pre>{@code
 * try (VstpClient client = VstpClient.builder().tls(trust).build();
 *      Requester server = ConnectionRequester.over(client.connect("files.example", 6969).get(), client)) {
 *     FilesClient files = new FilesClient(server);
 *     files.put(Path.of("report.pdf"), "reports/report.pdf", false, TransferProgress.NONE);
 *     files.get("reports/report.pdf", Path.of("copy.pdf"), TransferProgress.NONE);
 * }
 * }</pre>
 *
 * <p>Methods block the calling thread until done; one transfer at a time per instance.
 */
public final class FilesClient {
    /** Bytes per chunk request: the most one answer carries. */
    public static final int CHUNK = MAX_CHUNK;
    /** Chunks in flight at once. */
    public static final int WINDOW = 8;

    private final Requester requester;

    /**
     * A client of the files service.
     *
     * @param requester the server's requester; not closed by this client
     */
    public FilesClient(Requester requester) {
        this.requester = java.util.Objects.requireNonNull(requester, "requester");
    }

    private static TransferProgress orNone(TransferProgress progress) {
        return progress != null ? progress : TransferProgress.NONE;
    }

    /**
     * What one transfer did.
     *
     * @param bytes       the file's size
     * @param resumedFrom bytes that were already there (a resumed transfer), 0 otherwise
     * @param sha256      the file's SHA-256, hex
     * @param seconds     how long the transfer took
     * @param unchanged   the other side already held exactly this content: nothing was sent
     */
    public record Result(long bytes, long resumedFrom, String sha256, double seconds, boolean unchanged) {}

    /**
     * What the server says about a remote file.
     *
     * @param size   bytes
     * @param sha256 the SHA-256 of the whole file, hex
     */
    public record RemoteFile(long size, String sha256) {}

    /**
     * One line of a {@code list} answer.
     *
     * @param name      the entry's name in its directory
     * @param directory whether it is a directory
     * @param size      a file's size (0 for a directory)
     */
    public record Entry(String name, boolean directory, long size) {}

    /**
     * A remote directory's entries.
     *
     * @param entries   the entries the answer carries
     * @param truncated the directory holds more than one answer carries ({@link FilesProtocol#MAX_LIST})
     */
    public record Listing(List<Entry> entries, boolean truncated) {}

    /**
     * Uploads {@code file} to {@code remote}, resuming what the server already holds of this same content. An
     * existing remote file with other content is replaced only when {@code overwrite} is set; otherwise the server
     * refuses with {@code ALREADY_EXISTS} before anything is sent (services.md §3.1).
     *
     * @param file      the local file
     * @param remote    its path below the served directory
     * @param overwrite replace a remote file with other content
     * @param progress  told as chunks are acknowledged; null for none
     * @return what was done
     * @throws VstpException          the server's refusal, or a lost connection (for a
     *                                {@link io.vstp.transport.SessionException}, {@code fromPeer()} tells which)
     * @throws SourceChangedException the file became shorter while it was sent
     * @throws IOException            the file cannot be read
     * @throws FileTransferException  the server's answers do not hold up (it ended the upload early)
     * @throws Exception              a timeout, an interruption
     */
    public Result put(Path file, String remote, boolean overwrite, TransferProgress progress) throws Exception {
        progress = orNone(progress);
        long start = System.nanoTime();
        long size = Files.size(file);
        if (!overwrite && sameSizeRemote(remote, size)) {
            // The server may already hold exactly this: it can tell only from the SHA-256, so hash first.
            return putAnnounced(file, remote, false, size, start, progress);
        }
        return putHashedAsSent(file, remote, overwrite, size, start, progress);
    }

    /**
     * Whether {@code remote} is a file of {@code size} bytes, or cannot be looked at (a role that may write but not
     * read): then the upload announces its SHA-256 at once, so the server can say it already holds it.
     */
    private boolean sameSizeRemote(String remote, long size) throws Exception {
        try {
            return stat(remote).size() == size;
        } catch (VstpException e) {
            if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.PATH_REFUSED) {
                return false; // the server's put-begin will say what it thinks of the path
            }
            if (e.code() == ErrorCode.PERMISSION_DENIED || e.code() == ErrorCode.BAD_REQUEST) {
                return true;
            }
            throw e;
        }
    }

    /** The upload as services.md §3.1 first had it: the SHA-256 announced in put-begin, hashed in a read before. */
    private Result putAnnounced(
            Path file, String remote, boolean overwrite, long size, long start, TransferProgress progress)
            throws Exception {
        String sha = sha256(file, size);
        Begun begun = begin(remote, overwrite, size, SHA256, sha, false);
        if (begun.identical()) {
            return new Result(size, 0, sha, secondsSince(start), true);
        }
        long offset = begun.offset();
        if (offset > 0 && !sha256(file, offset).equals(begun.prefixSha256())) {
            // What the server holds is not a prefix of this file: start over.
            begin(remote, overwrite, size, SHA256, sha, true);
            offset = 0;
        }
        commit(sendChunks(file, remote, SHA256, sha, offset, size, null, progress), remote, overwrite, size, sha, null);
        progress.finish();
        return new Result(size, offset, sha, secondsSince(start), false);
    }

    /**
     * The upload named by {@link #uploadName} rather than by its SHA-256, which is taken from the bytes as they are
     * sent and given with the commit: the file is read once (services.md §3.1).
     */
    private Result putHashedAsSent(
            Path file, String remote, boolean overwrite, long size, long start, TransferProgress progress)
            throws Exception {
        FileTime modified = Files.getLastModifiedTime(file);
        String upload = uploadName(file, size, modified);
        Begun begun;
        try {
            begun = begin(remote, overwrite, size, UPLOAD, upload, false);
        } catch (VstpException e) {
            if (e.code() != ErrorCode.BAD_REQUEST) {
                throw e;
            }
            // A server from before upload names wants the SHA-256 at once.
            return putAnnounced(file, remote, overwrite, size, start, progress);
        }
        long offset = begun.offset();
        MessageDigest digest = offset > 0 ? sha256Of(file, offset) : sha256();
        if (offset > 0 && !hexSoFar(digest).equals(begun.prefixSha256())) {
            begin(remote, overwrite, size, UPLOAD, upload, true);
            offset = 0;
            digest = sha256();
        }
        ChunkChannel chunks = sendChunks(file, remote, UPLOAD, upload, offset, size, digest, progress);
        if (Files.size(file) != size || !Files.getLastModifiedTime(file).equals(modified)) {
            // Hashed as sent, a file that changed meanwhile would be committed as a mix of two versions.
            chunks.abort();
            throw new SourceChangedException(file + " changed while uploading; put it again");
        }
        String sha = hex(digest);
        commit(chunks, remote, overwrite, size, sha, upload);
        progress.finish();
        return new Result(size, offset, sha, secondsSince(start), false);
    }

    /**
     * The name of an upload announced without its SHA-256: 16 hex digits of a hash of the file's path, size,
     * modification time and identity, the same for the same local file until it changes, so an interrupted put
     * resumes. It only finds the server's partial upload: whether that holds a prefix of this content is checked
     * against its prefix-sha256 before anything more is sent.
     */
    static String uploadName(Path file, long size, FileTime modified) throws IOException {
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
        String identity =
                file.toAbsolutePath().normalize() + "\0" + size + "\0" + modified.to(TimeUnit.NANOSECONDS) + "\0" + key;
        byte[] h = sha256().digest(("vstp-upload\0" + identity).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(h, 0, 8);
    }

    /**
     * Sends the file from {@code offset} as pipelined put-chunks ({@link #WINDOW} in flight), feeding each to
     * {@code digest} first when there is one, and waits until the server holds all of it.
     *
     * @return the channel the chunks went on, which the commit ends
     */
    private ChunkChannel sendChunks(
            Path file,
            String remote,
            String nameHeader,
            String name,
            long offset,
            long size,
            MessageDigest digest,
            TransferProgress progress)
            throws Exception {
        progress.start(size, offset);
        ArrayDeque<CompletableFuture<Frame>> inFlight = new ArrayDeque<>();
        ChunkChannel chunks = ChunkChannel.open(requester);
        boolean sent = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long next = offset;
            long acked = offset;
            while (acked < size) {
                while (next < size && inFlight.size() < WINDOW) {
                    ByteBuf chunk = readChunk(ch, file, next, size);
                    if (digest != null) {
                        update(digest, chunk);
                    }
                    inFlight.add(chunks.send(request(PUT_CHUNK, remote)
                            .header(nameHeader, name)
                            .header(OFFSET, Long.toString(next))
                            .payload(chunk)
                            .build()));
                    next += Math.min(CHUNK, size - next);
                }
                Frame r = await(inFlight.poll());
                try {
                    acked = Long.parseLong(r.headers().value(OFFSET));
                } finally {
                    r.release();
                }
                progress.update(acked);
            }
            sent = true;
        } finally {
            for (CompletableFuture<Frame> f : inFlight) {
                f.thenAccept(Frame::release);
            }
            if (!sent) {
                chunks.abort(); // the server keeps what it acknowledged, for the next put to resume from
            }
        }
        return chunks;
    }

    /**
     * A put-begin answer: the bytes of this upload the server holds, their SHA-256, and whether the target already
     * holds exactly this content.
     */
    private record Begun(long offset, String prefixSha256, boolean identical) {}

    /** A put-begin naming the upload by {@code nameHeader} ({@code sha256} or {@code upload}). */
    private Begun begin(String remote, boolean overwrite, long size, String nameHeader, String name, boolean restart)
            throws Exception {
        Frame.Builder begin = withOverwrite(request(PUT_BEGIN, remote), overwrite)
                .header(SIZE, Long.toString(size))
                .header(nameHeader, name);
        Frame answer = call(restart ? begin.header(RESTART, "true") : begin);
        try {
            return new Begun(
                    Long.parseLong(answer.headers().value(OFFSET)),
                    answer.headers().value(PREFIX_SHA256),
                    "true".equals(answer.headers().value(IDENTICAL)));
        } finally {
            answer.release();
        }
    }

    private static void commit(
            ChunkChannel chunks, String remote, boolean overwrite, long size, String sha, String upload)
            throws Exception {
        Frame.Builder commit = withOverwrite(request(PUT_COMMIT, remote), overwrite)
                .header(SIZE, Long.toString(size))
                .header(SHA256, sha);
        if (upload != null) {
            commit.header(UPLOAD, upload);
        }
        await(chunks.finish(commit.build())).release();
    }

    private static ByteBuf readChunk(FileChannel ch, Path file, long at, long size) throws IOException {
        int n = (int) Math.min(CHUNK, size - at);
        ByteBuf chunk = Unpooled.directBuffer(n);
        try {
            while (chunk.readableBytes() < n) {
                if (chunk.writeBytes(ch, at + chunk.readableBytes(), n - chunk.readableBytes()) < 0) {
                    throw new SourceChangedException(file + " changed while uploading");
                }
            }
            return chunk;
        } catch (IOException | RuntimeException e) {
            chunk.release();
            throw e;
        }
    }

    private static Frame.Builder withOverwrite(Frame.Builder request, boolean overwrite) {
        return overwrite ? request.header(OVERWRITE, "true") : request;
    }

    /**
     * Downloads {@code remote} into {@code target} through a partial file beside it ({@link #partialOf}), resuming
     * a previous partial download when the server confirms its prefix, verifying the SHA-256, then renaming
     * atomically: {@code target} is never seen half-written.
     *
     * @param remote   the remote file's path
     * @param target   where it goes; replaced if it exists
     * @param progress told as chunks are written
     * @return what was done
     * @throws FileTransferException what the server sent does not match what it announced
     * @throws Exception             as {@link #put}
     */
    public Result get(String remote, Path target, TransferProgress progress) throws Exception {
        return get(remote, partialOf(target), target, progress);
    }

    /**
     * Where a download to {@code target} collects its bytes until verified.
     *
     * @param target the download's target
     * @return {@code .vstp-part-NAME} beside it (the name shortened to fit 255 bytes, {@link SiblingNames})
     */
    public static Path partialOf(Path target) {
        return target.toAbsolutePath().resolveSibling(SiblingNames.beside(FileService.PARTIAL_PREFIX, target));
    }

    /**
     * As {@link #get(String, Path, TransferProgress)}, collecting into {@code partial}.
     *
     * @param remote   the remote file's path
     * @param partial  where the bytes collect, in the same directory as {@code target} (so the rename is atomic)
     * @param target   where the file goes once verified
     * @param progress told as chunks are written
     * @return what was done
     * @throws Exception as {@link #get(String, Path, TransferProgress)}
     */
    public Result get(String remote, Path partial, Path target, TransferProgress progress) throws Exception {
        progress = orNone(progress);
        long start = System.nanoTime();
        Files.createDirectories(target.toAbsolutePath().getParent());
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        Frame.Builder statReq = request(STAT, remote);
        if (have > 0) {
            statReq.header(PREFIX, Long.toString(have));
        }
        Stat stat;
        try {
            // From the start, the hash comes with the download (services.md §3.2): no read of the file before it.
            stat = stat(statReq, have == 0);
        } catch (VstpException e) {
            if (have > 0 && e.code() == ErrorCode.BAD_REQUEST) {
                Files.delete(partial); // our partial is longer than the remote file: start over
                return get(remote, partial, target, progress);
            }
            throw e;
        }
        long size = stat.size();
        String sha = stat.sha256();
        // The bytes are hashed as they are written, so the check costs no second read of the file.
        MessageDigest digest = have > 0 ? sha256Of(partial, have) : sha256();
        if (have > 0 && !hexSoFar(digest).equals(stat.prefixSha256())) {
            have = 0;
            digest = sha256();
        }
        long resumedFrom = have;
        progress.start(size, have);
        MessageDigest hashed = digest;
        String streamed;
        // Never through a link planted under the partial's name.
        try (FileChannel out = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            out.truncate(have);
            streamed = receive(
                    remote,
                    (payload, at) -> {
                        long end = writeAt(out, payload, at);
                        update(hashed, payload);
                        return end;
                    },
                    have,
                    size,
                    progress);
            out.force(true);
        }
        String actual = hex(digest);
        try {
            sha = announced(remote, sha, streamed);
        } catch (FileTransferException e) {
            Files.delete(partial);
            throw new FileTransferException(e.getMessage() + "; partial download discarded");
        }
        if (!actual.equals(sha)) {
            Files.delete(partial);
            throw new FileTransferException("downloaded " + remote + " has sha256 " + actual
                    + " but the server announced " + sha + "; partial download discarded");
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncName(target);
        progress.finish();
        return new Result(size, resumedFrom, sha, secondsSince(start), false);
    }

    /**
     * Streams {@code remote} to {@code out} in order, keeping nothing on disk, and checks the SHA-256 of what was
     * written against the server's at the end; a mismatch fails after the bytes are out, as it would for any stream
     * (there is no partial file to resume from).
     *
     * @param remote   the remote file's path
     * @param out      where its bytes go; flushed, not closed
     * @param progress told as chunks are written
     * @return what was done
     * @throws Exception as {@link #get(String, Path, TransferProgress)}; an {@link IOException} of {@code out}
     */
    public Result getTo(String remote, OutputStream out, TransferProgress progress) throws Exception {
        progress = orNone(progress);
        long start = System.nanoTime();
        Stat stat = stat(request(STAT, remote), true);
        MessageDigest digest = sha256();
        byte[] copy = new byte[64 * 1024];
        progress.start(stat.size(), 0);
        String streamed = receive(
                remote,
                (payload, at) -> {
                    int n = payload.readableBytes();
                    for (int i = 0; i < n; i += copy.length) {
                        int len = Math.min(copy.length, n - i);
                        payload.getBytes(payload.readerIndex() + i, copy, 0, len);
                        digest.update(copy, 0, len);
                        out.write(copy, 0, len);
                    }
                    return at + n;
                },
                0,
                stat.size(),
                progress);
        out.flush();
        String actual = hex(digest);
        progress.finish();
        String sha = announced(remote, stat.sha256(), streamed);
        if (!actual.equals(sha)) {
            throw new FileTransferException("the bytes of " + remote + " written out have sha256 " + actual
                    + " but the server announced " + sha);
        }
        return new Result(stat.size(), 0, actual, secondsSince(start), false);
    }

    /**
     * A small remote file in memory (such as a signed manifest), checked against the SHA-256 the server announces.
     *
     * @param remote   the remote file's path
     * @param maxBytes the most it may hold: a larger file is refused without downloading it
     * @return its bytes, or null if there is no such file
     * @throws FileTransferException it is larger than {@code maxBytes}, or changed while it was read
     * @throws Exception             as {@link #get(String, Path, TransferProgress)}
     */
    public byte[] fetchSmall(String remote, int maxBytes) throws Exception {
        RemoteFile stat = statIfExists(remote);
        if (stat == null) {
            return null;
        }
        long size = stat.size();
        if (size > maxBytes || size > CHUNK) {
            throw new FileTransferException(remote + " is " + size + " bytes; at most " + maxBytes + " expected");
        }
        Frame r = call(request(GET, remote).header(OFFSET, "0").header(LENGTH, Long.toString(size)));
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(r.payload());
        } finally {
            r.release();
        }
        if (bytes.length != size
                || !HexFormat.of().formatHex(sha256().digest(bytes)).equals(stat.sha256())) {
            throw new FileTransferException(remote + " changed on the server while it was read");
        }
        return bytes;
    }

    /** Where downloaded bytes go, in order: a file at an offset, or a stream. */
    @FunctionalInterface
    private interface Sink {
        /** Writes {@code payload}, which belongs at {@code at}; returns the position after it. */
        long write(ByteBuf payload, long at) throws IOException;
    }

    /**
     * Receives the file's bytes from {@code have} on.
     *
     * @return the SHA-256 the get-stream's last message announced (of the whole file, read from the start while it
     *     did not change), or null
     */
    private String receive(String remote, Sink sink, long have, long size, TransferProgress progress) throws Exception {
        ClientStream stream = requester.openStream();
        if (stream != null) {
            return receiveStream(stream, remote, sink, have, size, progress);
        }
        receiveChunks(remote, sink, have, size, progress);
        return null;
    }

    /**
     * What the downloaded bytes must hash to: the stat's SHA-256 when the server knew it (both must then agree),
     * else the one the download's last message announced, else (a v1 or UDP download, or a file that changed while
     * it was sent) a stat now, which hashes the file as it is: bytes that mixed two versions match neither.
     */
    private String announced(String remote, String statSha, String streamedSha) throws Exception {
        if (statSha != null && streamedSha != null && !statSha.equals(streamedSha)) {
            throw new FileTransferException(remote + " changed on the server during download (sha256 " + statSha
                    + " before, " + streamedSha + " as sent)");
        }
        if (statSha != null) {
            return statSha;
        }
        return streamedSha != null ? streamedSha : stat(request(STAT, remote)).sha256();
    }

    /**
     * A chunk must end within the size the server announced: bytes beyond it would be kept without being covered by
     * the SHA-256 (or a signature) checked over the announced size.
     */
    private static void refuseBeyond(String remote, ByteBuf payload, long written, long size) {
        if (payload.readableBytes() > size - written) {
            throw new FileTransferException(
                    "the server sent more of " + remote + " than the " + size + " bytes it announced");
        }
    }

    /** v1, or UDP: pipelined ranged {@code get} requests, written in order as they are answered. */
    private void receiveChunks(String remote, Sink out, long have, long size, TransferProgress progress)
            throws Exception {
        ArrayDeque<CompletableFuture<Frame>> inFlight = new ArrayDeque<>();
        long next = have;
        long written = have;
        try {
            while (written < size) {
                while (next < size && inFlight.size() < WINDOW) {
                    inFlight.add(requester.request(request(GET, remote)
                            .header(OFFSET, Long.toString(next))
                            .header(LENGTH, Integer.toString(CHUNK))
                            .build()));
                    next += Math.min(CHUNK, size - next);
                }
                Frame r = await(inFlight.poll());
                try {
                    ByteBuf p = r.payload();
                    if (!p.isReadable()) {
                        throw new FileTransferException(remote + " shrank on the server during download");
                    }
                    refuseBeyond(remote, p, written, size);
                    written = out.write(p, written);
                } finally {
                    r.release();
                }
                progress.update(written);
            }
        } finally {
            for (CompletableFuture<Frame> f : inFlight) {
                f.thenAccept(Frame::release);
            }
        }
    }

    /** A chunk of a {@code get-stream} answer and the action that returns its flow-control credit. */
    private record StreamChunk(Frame frame, Runnable consumed) {}

    /**
     * Wire v2: one {@code get-stream} request, answered by the file's chunks in order on one stream. Each chunk's
     * credit goes back to the server once it is written, so the server reads no faster than this client writes.
     */
    private String receiveStream(
            ClientStream stream, String remote, Sink out, long have, long size, TransferProgress progress)
            throws Exception {
        BlockingQueue<StreamChunk> chunks = new LinkedBlockingQueue<>();
        stream.onMessage((chunk, consumed) -> chunks.add(new StreamChunk(chunk, consumed)));
        CompletableFuture<Frame> end = stream.finish(
                request(GET_STREAM, remote).header(OFFSET, Long.toString(have)).build(), Duration.ofDays(1));
        long written = have;
        try {
            while (written < size) {
                StreamChunk item = chunks.poll(100, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (end.isDone()) {
                        await(end).release(); // throws the server's error, if that is how it ended
                        throw new FileTransferException(remote + " shrank on the server during download");
                    }
                    continue;
                }
                try {
                    if (!Long.toString(written).equals(item.frame().headers().value(OFFSET))) {
                        throw new FileTransferException("the server sent " + remote + " out of order");
                    }
                    refuseBeyond(remote, item.frame().payload(), written, size);
                    written = out.write(item.frame().payload(), written);
                } finally {
                    item.frame().release();
                    item.consumed().run();
                }
                progress.update(written);
            }
            Frame last = await(end);
            try {
                return last.headers().value(SHA256);
            } finally {
                last.release();
            }
        } finally {
            if (!end.isDone()) {
                // Chunks may still arrive until the cancel reaches the event loop: release them as they come.
                stream.onMessage((chunk, consumed) -> {
                    chunk.release();
                    consumed.run();
                });
                stream.cancel();
            }
            for (StreamChunk item; (item = chunks.poll()) != null; ) {
                item.frame().release();
            }
        }
    }

    /**
     * The entries of a {@code list} answer's payload ({@code f|d TAB size TAB name} per line); other lines are
     * skipped. A name is the server's word and may become a local path: each must be one plain path component
     * (not empty, not "." or "..", no '/', '\\' or NUL, at most 255 bytes of UTF-8), and a size must not be negative.
     *
     * @param payload the answer's payload
     * @return its entries
     * @throws FileTransferException a name or size that breaks those rules
     */
    public static List<Entry> parseList(String payload) {
        List<Entry> entries = new ArrayList<>();
        for (String line : payload.split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length == 3 && (f[0].equals("f") || f[0].equals("d"))) {
                String name = f[2];
                if (name.isEmpty()
                        || name.equals(".")
                        || name.equals("..")
                        || name.indexOf('/') >= 0
                        || name.indexOf('\\') >= 0
                        || name.indexOf('\0') >= 0
                        || name.getBytes(StandardCharsets.UTF_8).length > SiblingNames.MAX_NAME_BYTES) {
                    throw new FileTransferException(
                            "the server listed a name that is not one path component: " + name.replace('\0', '?'));
                }
                long size;
                try {
                    size = Long.parseLong(f[1]);
                } catch (NumberFormatException e) {
                    throw new FileTransferException("the server listed " + name + " with size '" + f[1] + "'");
                }
                if (size < 0) {
                    throw new FileTransferException("the server listed " + name + " with size " + size);
                }
                entries.add(new Entry(name, f[0].equals("d"), size));
            }
        }
        return entries;
    }

    /**
     * The server's listing of a directory.
     *
     * @param dir the directory's path; "" is the served root
     * @return its entries
     * @throws Exception as {@link #put}
     */
    public Listing list(String dir) throws Exception {
        Frame answer = call(request(LIST, dir));
        try {
            return new Listing(
                    parseList(answer.payloadAsString()),
                    "true".equals(answer.headers().value(TRUNCATED)));
        } finally {
            answer.release();
        }
    }

    /**
     * Whether {@code local} already holds exactly the content of {@code remote} (same size and SHA-256), so a get
     * has nothing to transfer.
     *
     * @param remote the remote file's path
     * @param local  the local file
     * @return the result of that get, with {@code unchanged} set; null when the content differs or {@code local}
     *         is not a regular file
     * @throws Exception as {@link #put}; {@link VstpException} {@code NOT_FOUND} when there is no remote file
     */
    public Result sameAs(String remote, Path local) throws Exception {
        if (!Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        long start = System.nanoTime();
        RemoteFile stat = stat(remote);
        long size = Files.size(local);
        if (size != stat.size() || !sha256(local, size).equals(stat.sha256())) {
            return null;
        }
        return new Result(size, 0, stat.sha256(), secondsSince(start), true);
    }

    /**
     * Whether {@code remote} exists on the server.
     *
     * @param remote the remote path
     * @return true if the server has a file there
     * @throws Exception as {@link #put}
     */
    public boolean exists(String remote) throws Exception {
        return statIfExists(remote) != null;
    }

    /**
     * The server's {@code stat} of a remote file.
     *
     * @param remote the remote file's path
     * @return its size and SHA-256
     * @throws VstpException {@code NOT_FOUND} when there is no such file, or another refusal
     * @throws Exception     as {@link #put}
     */
    public RemoteFile stat(String remote) throws Exception {
        Stat s = stat(request(STAT, remote));
        return new RemoteFile(s.size(), s.sha256());
    }

    private RemoteFile statIfExists(String remote) throws Exception {
        try {
            return stat(remote);
        } catch (VstpException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** A {@code stat} answer; prefix-sha256 only when a prefix was asked. */
    private record Stat(long size, String sha256, String prefixSha256) {}

    private Stat stat(Frame.Builder request) throws Exception {
        return stat(request, false);
    }

    /** @param ifKnown the server is asked for the SHA-256 only if it knows it already: the answer may lack it */
    private Stat stat(Frame.Builder request, boolean ifKnown) throws Exception {
        if (ifKnown) {
            request.header(HASH, IF_KNOWN);
        }
        Frame answer = call(request);
        try {
            String size = answer.headers().value(SIZE);
            String sha = answer.headers().value(SHA256);
            if (size == null || (sha == null && !ifKnown)) {
                throw new FileTransferException("the server's stat answer lacks its size or sha256");
            }
            long n;
            try {
                n = Long.parseLong(size);
            } catch (NumberFormatException e) {
                throw new FileTransferException("the server's stat answer has size '" + size + "'");
            }
            if (n < 0) {
                throw new FileTransferException("the server's stat answer has size " + n);
            }
            return new Stat(n, sha, answer.headers().value(PREFIX_SHA256));
        } finally {
            answer.release();
        }
    }

    private Frame call(Frame.Builder request) throws Exception {
        return await(requester.request(request.build()));
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The result, or the failure that ended the request itself (not wrapped). */
    private static Frame await(CompletableFuture<Frame> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while ((c instanceof CompletionException
                            || c instanceof ExecutionException
                            || c instanceof UncheckedIOException)
                    && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
