package io.vstp.cli;

import static io.vstp.services.files.FilesProtocol.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.files.FilesProtocol;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The client side of the files service (docs/spec/services.md §3): chunked, pipelined, resumable, verified
 * transfers. At most {@link #WINDOW} chunks are in flight, so memory stays flat whatever the file size.
 */
final class FileTransfer {
    static final int CHUNK = MAX_CHUNK;
    static final int WINDOW = 8;

    private final Requester requester;

    FileTransfer(Requester requester) {
        this.requester = requester;
    }

    /** @param unchanged the server already held exactly this content under this name: nothing was sent */
    record Result(long bytes, long resumedFrom, String sha256, double seconds, boolean unchanged) {
        Result(long bytes, long resumedFrom, String sha256, double seconds) {
            this(bytes, resumedFrom, sha256, seconds, false);
        }

        /** One JSON object for scripts ({@code put/get --json}); strings quoted by {@link Json#quote}. */
        String json(String op, String from, String to, String security, String notes) {
            return String.format(java.util.Locale.ROOT, "{\"op\":%s,\"from\":%s,\"to\":%s,\"bytes\":%d,"
                    + "\"resumed_from\":%d,\"unchanged\":%b,\"sha256\":%s,\"seconds\":%.3f,\"security\":%s%s}",
                    Json.quote(op), Json.quote(from), Json.quote(to), bytes, resumedFrom, unchanged, Json.quote(sha256),
                    seconds, Json.quote(security), notes.isEmpty() ? "" : ",\"notes\":" + Json.quote(notes));
        }

        /** "1.0 MiB in 0.12 s, resumed at 512.0 KiB, sha256 …" for the command's report line. */
        String summary() {
            if (unchanged) {
                return "already there with the same content (" + Progress.bytes(bytes) + "), sha256 " + sha256;
            }
            return String.format("%s in %.2f s%s, sha256 %s", Progress.bytes(bytes), seconds,
                    resumedFrom > 0 ? ", resumed at " + Progress.bytes(resumedFrom) : "", sha256);
        }
    }

    /**
     * Uploads {@code file} to {@code remote}, resuming what the server already holds of this same content. An
     * existing remote file with other content is replaced only when {@code overwrite} is set; otherwise the server
     * refuses with {@code ALREADY_EXISTS} before anything is sent (services.md §3.1).
     */
    Result put(Path file, String remote, Progress progress, boolean overwrite) throws Exception {
        long size = Files.size(file);
        String sha = sha256(file, size);
        long start = System.nanoTime();
        Frame begin = call(withOverwrite(request(PUT_BEGIN, remote), overwrite).header(SIZE, Long.toString(size))
                .header(SHA256, sha));
        long offset;
        String prefixSha;
        try {
            offset = Long.parseLong(begin.headers().value(OFFSET));
            prefixSha = begin.headers().value(PREFIX_SHA256);
            if ("true".equals(begin.headers().value(IDENTICAL))) {
                return new Result(size, 0, sha, (System.nanoTime() - start) / 1e9, true);
            }
        } finally {
            begin.release();
        }
        if (offset > 0 && !sha256(file, offset).equals(prefixSha)) {
            // What the server holds is not a prefix of this file: start over.
            call(withOverwrite(request(PUT_BEGIN, remote), overwrite).header(SIZE, Long.toString(size))
                    .header(SHA256, sha).header(RESTART, "true")).release();
            offset = 0;
        }
        long resumedFrom = offset;
        progress.start(size, offset);
        ArrayDeque<CompletableFuture<Frame>> inFlight = new ArrayDeque<>();
        ChunkChannel chunks = ChunkChannel.open(requester);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long next = offset;
            long acked = offset;
            while (acked < size) {
                while (next < size && inFlight.size() < WINDOW) {
                    int n = (int) Math.min(CHUNK, size - next);
                    ByteBuf chunk = Unpooled.directBuffer(n);
                    try {
                        while (chunk.readableBytes() < n) {
                            if (chunk.writeBytes(ch, next + chunk.readableBytes(), n - chunk.readableBytes()) < 0) {
                                throw new CliException(ExitCodes.IO, file + " changed while uploading");
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        chunk.release();
                        throw e;
                    }
                    inFlight.add(chunks.send(request(PUT_CHUNK, remote).header(SHA256, sha)
                            .header(OFFSET, Long.toString(next)).payload(chunk).build()));
                    next += n;
                }
                Frame r = await(inFlight.poll());
                try {
                    acked = Long.parseLong(r.headers().value(OFFSET));
                } finally {
                    r.release();
                }
                progress.update(acked);
            }
        } finally {
            for (CompletableFuture<Frame> f : inFlight) {
                f.thenAccept(Frame::release);
            }
        }
        await(chunks.finish(withOverwrite(request(PUT_COMMIT, remote), overwrite).header(SIZE, Long.toString(size))
                .header(SHA256, sha).build(), requester)).release();
        progress.finish();
        return new Result(size, resumedFrom, sha, (System.nanoTime() - start) / 1e9);
    }

    private static Frame.Builder withOverwrite(Frame.Builder request, boolean overwrite) {
        return overwrite ? request.header(OVERWRITE, "true") : request;
    }

    /**
     * Downloads {@code remote} into {@code target} through a temporary file next to it, resuming a previous partial
     * download when the server confirms its prefix, verifying the SHA-256, then renaming atomically.
     */
    Result get(String remote, Path target, Progress progress) throws Exception {
        return get(remote, partialOf(target), target, progress);
    }

    /** Where a download to {@code target} collects its bytes until verified: {@code .vstp-part-NAME} beside it. */
    static Path partialOf(Path target) {
        return target.toAbsolutePath().resolveSibling(TemporaryNames.beside(".vstp-part-", target));
    }

    /** As {@link #get(String, Path, Progress)}, collecting into {@code partial} (same directory as target). */
    Result get(String remote, Path partial, Path target, Progress progress) throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(target.toAbsolutePath().getParent());
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        Frame.Builder statReq = request(STAT, remote);
        if (have > 0) {
            statReq.header(PREFIX, Long.toString(have));
        }
        Stat stat;
        try {
            stat = stat(statReq);
        } catch (VstpException e) {
            if (have > 0 && e.code() == ErrorCode.BAD_REQUEST) {
                Files.delete(partial); // our partial is longer than the remote file: start over
                return get(remote, partial, target, progress);
            }
            throw e;
        }
        long size = stat.size();
        String sha = stat.sha256();
        if (have > 0 && !sha256(partial, have).equals(stat.prefixSha256())) {
            have = 0;
        }
        long resumedFrom = have;
        progress.start(size, have);
        // Never through a link planted under the partial's name.
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            out.truncate(have);
            io.vstp.transport.session.ClientStream stream = requester.openStream();
            Sink sink = (payload, at) -> writeAt(out, payload, at);
            if (stream != null) {
                receiveStream(stream, remote, sink, have, size, progress);
            } else {
                receiveChunks(remote, sink, have, size, progress);
            }
            out.force(true);
        }
        String actual = sha256(partial, size);
        if (!actual.equals(sha)) {
            Files.delete(partial);
            throw new CliException(ExitCodes.FAILED, "downloaded " + remote + " has sha256 " + actual
                    + " but the server announced " + sha + "; partial download discarded");
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        progress.finish();
        return new Result(size, resumedFrom, sha, (System.nanoTime() - start) / 1e9);
    }

    /**
     * A small remote file in memory (a signed manifest), or null if there is none; refused without downloading when
     * the server says it is larger than {@code maxBytes}, and checked against the SHA-256 the server announces.
     */
    byte[] fetchSmall(String remote, int maxBytes) throws Exception {
        Stat stat = statIfExists(remote);
        if (stat == null) {
            return null;
        }
        long size = stat.size();
        String sha = stat.sha256();
        if (size > maxBytes || size > CHUNK) {
            throw new CliException(ExitCodes.FAILED, remote + " is " + size + " bytes; at most " + maxBytes
                    + " expected");
        }
        Frame r = call(request(GET, remote).header(OFFSET, "0").header(LENGTH, Long.toString(size)));
        byte[] bytes;
        try {
            bytes = io.netty.buffer.ByteBufUtil.getBytes(r.payload());
        } finally {
            r.release();
        }
        if (bytes.length != size || !HexFormat.of().formatHex(sha256().digest(bytes)).equals(sha)) {
            throw new CliException(ExitCodes.FAILED, remote + " changed on the server while it was read");
        }
        return bytes;
    }

    /** Where downloaded bytes go, in order: a file at an offset, or standard output. */
    @FunctionalInterface
    private interface Sink {
        /** Writes {@code payload}, which belongs at {@code at}; returns the position after it. */
        long write(ByteBuf payload, long at) throws IOException;
    }

    /**
     * Streams {@code remote} to {@code out} (standard output for {@code get HOST/path -}) in order, keeping nothing on
     * disk, and checks the SHA-256 of what was written against the server's at the end; a mismatch fails after the
     * bytes are out, as it would for any stream (there is no partial file to resume from).
     */
    Result getTo(String remote, java.io.OutputStream out, Progress progress) throws Exception {
        long start = System.nanoTime();
        Stat stat = stat(request(STAT, remote));
        java.security.MessageDigest digest = sha256();
        byte[] copy = new byte[64 * 1024];
        Sink sink = (payload, at) -> {
            int n = payload.readableBytes();
            if (at == 0 && n > 0) {
                byte[] head = new byte[Math.min(n, 16)];
                payload.getBytes(payload.readerIndex(), head);
                if (io.vstp.crypto.e2e.EncryptedFileFormat.looksEncrypted(head)) {
                    throw new CliException(ExitCodes.USAGE, remote + " is end-to-end encrypted: get it into a file, "
                            + "where it is decrypted after every chunk authenticates");
                }
            }
            for (int i = 0; i < n; i += copy.length) {
                int len = Math.min(copy.length, n - i);
                payload.getBytes(payload.readerIndex() + i, copy, 0, len);
                digest.update(copy, 0, len);
                out.write(copy, 0, len);
            }
            return at + n;
        };
        progress.start(stat.size(), 0);
        io.vstp.transport.session.ClientStream stream = requester.openStream();
        if (stream != null) {
            receiveStream(stream, remote, sink, 0, stat.size(), progress);
        } else {
            receiveChunks(remote, sink, 0, stat.size(), progress);
        }
        out.flush();
        String actual = HexFormat.of().formatHex(digest.digest());
        progress.finish();
        if (!actual.equals(stat.sha256())) {
            throw new CliException(ExitCodes.FAILED, "the bytes of " + remote + " written out have sha256 " + actual
                    + " but the server announced " + stat.sha256());
        }
        return new Result(stat.size(), 0, actual, (System.nanoTime() - start) / 1e9);
    }

    /**
     * A chunk must end within the size the server announced: bytes beyond it would be kept without being covered by
     * the SHA-256 (or a signature) checked over the announced size.
     */
    private static void refuseBeyond(String remote, ByteBuf payload, long written, long size) {
        if (payload.readableBytes() > size - written) {
            throw new CliException(ExitCodes.FAILED, "the server sent more of " + remote + " than the " + size
                    + " bytes it announced");
        }
    }

    /** Writes {@code payload} at {@code at}; returns the position after it. */
    private static long writeAt(FileChannel out, ByteBuf payload, long at) throws IOException {
        // nioBuffer() is a private view: ByteBuf#readBytes(FileChannel, ...) would use the parent buffer's shared
        // internal NIO buffer, which the event loop is using at the same time.
        java.nio.ByteBuffer view = payload.nioBuffer();
        while (view.hasRemaining()) {
            at += out.write(view, at);
        }
        return at;
    }

    /** v1, or UDP: pipelined ranged {@code get} requests, written in order as they are answered. */
    private void receiveChunks(String remote, Sink out, long have, long size, Progress progress)
            throws Exception {
        ArrayDeque<CompletableFuture<Frame>> inFlight = new ArrayDeque<>();
        long next = have;
        long written = have;
        try {
            while (written < size) {
                while (next < size && inFlight.size() < WINDOW) {
                    inFlight.add(requester.request(request(GET, remote).header(OFFSET, Long.toString(next))
                            .header(LENGTH, Integer.toString(CHUNK)).build()));
                    next += Math.min(CHUNK, size - next);
                }
                Frame r = await(inFlight.poll());
                try {
                    ByteBuf p = r.payload();
                    if (!p.isReadable()) {
                        throw new CliException(ExitCodes.FAILED, remote + " shrank on the server during download");
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

    /**
     * Wire v2: one {@code get-stream} request, answered by the file's chunks in order on one stream. Each chunk's
     * credit goes back to the server once it is on disk, so the server reads no faster than this client writes.
     */
    private void receiveStream(io.vstp.transport.session.ClientStream stream, String remote, Sink out,
                               long have, long size, Progress progress) throws Exception {
        java.util.concurrent.BlockingQueue<Object[]> chunks = new java.util.concurrent.LinkedBlockingQueue<>();
        stream.onMessage((chunk, consumed) -> chunks.add(new Object[] {chunk, consumed}));
        CompletableFuture<Frame> end = stream.finish(request(GET_STREAM, remote)
                .header(OFFSET, Long.toString(have)).build(), java.time.Duration.ofDays(1));
        long written = have;
        try {
            while (written < size) {
                Object[] item = chunks.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (end.isDone()) {
                        await(end).release(); // throws the server's error, if that is how it ended
                        throw new CliException(ExitCodes.FAILED, remote + " shrank on the server during download");
                    }
                    continue;
                }
                Frame chunk = (Frame) item[0];
                try {
                    if (!Long.toString(written).equals(chunk.headers().value(OFFSET))) {
                        throw new CliException(ExitCodes.FAILED, "the server sent " + remote + " out of order");
                    }
                    refuseBeyond(remote, chunk.payload(), written, size);
                    written = out.write(chunk.payload(), written);
                } finally {
                    chunk.release();
                    ((Runnable) item[1]).run();
                }
                progress.update(written);
            }
            await(end).release();
        } finally {
            if (!end.isDone()) {
                stream.cancel();
            }
            for (Object[] item; (item = chunks.poll()) != null; ) {
                ((Frame) item[0]).release();
            }
        }
    }

    /**
     * Where the chunks of an upload go: on wire v2 one stream, whose messages the server handles in order (each
     * answered on the stream, the commit ending it); otherwise pipelined requests, which a v1 connection delivers
     * in order.
     */
    private interface ChunkChannel {
        CompletableFuture<Frame> send(Frame chunk);

        CompletableFuture<Frame> finish(Frame commit, Requester requester);

        static ChunkChannel open(Requester requester) throws Exception {
            io.vstp.transport.session.ClientStream stream = requester.openStream();
            if (stream == null) {
                return new ChunkChannel() {
                    @Override
                    public CompletableFuture<Frame> send(Frame chunk) {
                        return requester.request(chunk);
                    }

                    @Override
                    public CompletableFuture<Frame> finish(Frame commit, Requester r) {
                        return r.request(commit);
                    }
                };
            }
            java.util.Queue<CompletableFuture<Frame>> acks = new java.util.concurrent.ConcurrentLinkedQueue<>();
            stream.onMessage((ack, consumed) -> {
                consumed.run();
                CompletableFuture<Frame> next = acks.poll();
                if (next == null || !next.complete(ack)) {
                    ack.release();
                }
            });
            stream.response().whenComplete((r, e) -> {
                for (CompletableFuture<Frame> f; (f = acks.poll()) != null; ) {
                    f.completeExceptionally(e != null ? e
                            : new CliException(ExitCodes.FAILED, "the server ended the upload early"));
                }
            });
            return new ChunkChannel() {
                @Override
                public CompletableFuture<Frame> send(Frame chunk) {
                    CompletableFuture<Frame> ack = new CompletableFuture<>();
                    acks.add(ack);
                    stream.send(chunk).whenComplete((ok, e) -> {
                        if (e != null) {
                            ack.completeExceptionally(e);
                        }
                    });
                    return ack;
                }

                @Override
                public CompletableFuture<Frame> finish(Frame commit, Requester r) {
                    return stream.finish(commit, java.time.Duration.ofMinutes(5));
                }
            };
        }
    }

    /** One line of a {@code list} answer: a file with its size, or a directory. */
    record Entry(String name, boolean directory, long size) {
    }

    /** A remote directory's entries; {@code truncated} when it holds more than one answer carries. */
    record Listing(java.util.List<Entry> entries, boolean truncated) {
    }

    /** The entries of a {@code list} answer's payload ({@code f|d TAB size TAB name} per line). */
    static java.util.List<Entry> parseList(String payload) {
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        for (String line : payload.split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length == 3 && (f[0].equals("f") || f[0].equals("d"))) {
                try {
                    entries.add(new Entry(f[2], f[0].equals("d"), Long.parseLong(f[1])));
                } catch (NumberFormatException e) {
                    throw new CliException(ExitCodes.FAILED, "the server listed " + f[2] + " with size '" + f[1] + "'");
                }
            }
        }
        return entries;
    }

    /** The server's {@code list} of directory {@code dir} ("" is the served root). */
    Listing list(String dir) throws Exception {
        Frame answer = call(request(LIST, dir));
        try {
            return new Listing(parseList(answer.payloadAsString()), "true".equals(answer.headers().value(TRUNCATED)));
        } finally {
            answer.release();
        }
    }

    /**
     * The result of a get that finds {@code local} already holding exactly the content of {@code remote} (same size
     * and SHA-256), with nothing to transfer; null when it does not (or is not a regular file).
     */
    Result sameAs(String remote, Path local) throws Exception {
        if (!Files.isRegularFile(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        long start = System.nanoTime();
        Stat stat = stat(request(STAT, remote));
        long size = Files.size(local);
        if (size != stat.size() || !sha256(local, size).equals(stat.sha256())) {
            return null;
        }
        return new Result(size, 0, stat.sha256(), (System.nanoTime() - start) / 1e9, true);
    }

    /**
     * As {@link #sameAs}, for a local file that an earlier {@code get} decrypted from {@code remote}: the same if the
     * remote ciphertext is the one it was decrypted from and the file has not changed since ({@link DecryptedCopies}).
     * The result describes the remote ciphertext, which a signature covers. Null otherwise, and without asking the
     * server when the file carries no such record.
     */
    Result sameDecryptedAs(String remote, Path local) throws Exception {
        if (!DecryptedCopies.hasRecord(local)) {
            return null;
        }
        long start = System.nanoTime();
        Stat stat = stat(request(STAT, remote));
        if (!DecryptedCopies.isDecryptionOf(local, stat.sha256())) {
            return null;
        }
        return new Result(stat.size(), 0, stat.sha256(), (System.nanoTime() - start) / 1e9, true);
    }

    /** Whether {@code remote} exists on the server. */
    boolean exists(String remote) throws Exception {
        return statIfExists(remote) != null;
    }

    /** The server's {@code stat} of {@code remote}, or null if it has no such file. */
    private Stat statIfExists(String remote) throws Exception {
        try {
            return stat(request(STAT, remote));
        } catch (VstpException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** What the files service's {@code stat} says about a remote file (prefix-sha256 only when a prefix was asked). */
    private record Stat(long size, String sha256, String prefixSha256) {
    }

    private Stat stat(Frame.Builder request) throws Exception {
        Frame answer = call(request);
        try {
            return new Stat(Long.parseLong(answer.headers().value(SIZE)), answer.headers().value(SHA256),
                    answer.headers().value(PREFIX_SHA256));
        } finally {
            answer.release();
        }
    }

    private static Frame.Builder request(String op, String remote) {
        return FilesProtocol.request(op, remote);
    }

    private Frame call(Frame.Builder request) throws Exception {
        return await(requester.request(request.build()));
    }

    private static Frame await(CompletableFuture<Frame> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = VstpCommand.unwrap(e);
            if (c instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
