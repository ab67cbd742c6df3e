package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.frame.Frame;
import io.vstp.transport.Session;
import io.vstp.transport.auth.Principal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a get-stream hands its chunks to the session: read ahead by at most {@link OutgoingFile#READ_AHEAD}, in
 * order, and the answer that ends the stream only once the last chunk has left. Answered earlier, the answer could
 * reach the stream before a chunk the file thread had handed over (the CLI tests caught it now and then).
 */
class GetStreamOrderTest {
    @TempDir
    Path tmp;

    /** A wire-v2 session whose sends complete only when the test says so. */
    private static final class HeldSession implements Session {
        record Sent(Frame message, CompletableFuture<Void> done) {}

        final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public String id() {
            return "held";
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public boolean legacy() {
            return false;
        }

        @Override
        public Principal principal() {
            return Principal.ANONYMOUS;
        }

        @Override
        public int wireVersion() {
            return 2;
        }

        @Override
        public CompletableFuture<Void> send(Frame frame) {
            frame.release();
            return CompletableFuture.failedFuture(new UnsupportedOperationException("no pushes here"));
        }

        @Override
        public CompletableFuture<Void> sendOnStream(long streamId, Frame message) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            sent.add(new Sent(message, done));
            return done;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public CompletableFuture<Void> whenWritable() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public long pendingWriteBytes() {
            return 0;
        }

        @Override
        public CompletionStage<Void> closeFuture() {
            return closed;
        }
    }

    @Test
    void chunksGoInOrderReadAheadIsBoundedAndTheAnswerWaitsForTheLastOne() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        int size = 3 * FilesProtocol.MAX_CHUNK + 1000;
        byte[] data = new byte[size];
        new Random(3).nextBytes(data);
        Files.write(served.resolve("f.bin"), data);
        Thread.sleep(50); // a tick old: a hash of a file changed within a tick of reading it is never announced
        HeldSession session = new HeldSession();
        try (FileService files = new FileService(served)) {
            CompletableFuture<Frame> answer = download(files, session, "f.bin");

            long expected = 0;
            for (int chunk = 0; chunk < 4; chunk++) {
                HeldSession.Sent s = session.sent.poll(10, TimeUnit.SECONDS);
                assertThat(s).as("chunk %d handed over", chunk).isNotNull();
                assertThat(s.message().headers().value(FilesProtocol.OFFSET)).isEqualTo(Long.toString(expected));
                expected += s.message().payload().readableBytes();
                if (chunk == 0) {
                    // Nothing has left yet: the service reads ahead by the bound and then waits.
                    Thread.sleep(300);
                    assertThat(session.sent.size() + 1)
                            .as("chunks handed over before any left")
                            .isEqualTo(OutgoingFile.READ_AHEAD);
                }
                if (expected == size) {
                    Thread.sleep(100);
                    assertThat(answer)
                            .as("the answer, before the last chunk has left")
                            .isNotDone();
                }
                s.message().release();
                s.done().complete(null);
            }
            assertThat(expected).isEqualTo(size);
            Frame end = answer.get(10, TimeUnit.SECONDS);
            assertThat(end.headers().value(FilesProtocol.SIZE)).isEqualTo(Integer.toString(size));
            String sha = FilesProtocol.sha256(served.resolve("f.bin"), size);
            assertThat(end.headers().value(FilesProtocol.SHA256))
                    .as("the whole file's SHA-256, hashed as it was read")
                    .isEqualTo(sha);
            end.release();
            assertThat(session.sent).as("nothing after the last chunk").isEmpty();

            // Remembered: a stat answers it without reading the file again.
            long hashed = files.filesHashed();
            Frame stat = answer(files, session, FilesProtocol.request(FilesProtocol.STAT, "f.bin"));
            assertThat(stat.headers().value(FilesProtocol.SHA256)).isEqualTo(sha);
            stat.release();
            assertThat(files.filesHashed()).isEqualTo(hashed);
        } finally {
            session.closed.complete(null);
        }
    }

    /**
     * A send fails (the client cancelled): the download ends with that failure and its file is closed, by whichever
     * side finishes last (a read in progress, or the failure itself), never left open.
     */
    @Test
    void aFailedSendEndsTheDownloadAndClosesTheFile() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path file = served.resolve("c.bin");
        Files.write(file, new byte[4 * FilesProtocol.MAX_CHUNK]);
        HeldSession session = new HeldSession();
        try (FileService files = new FileService(served)) {
            CompletableFuture<Frame> answer = download(files, session, "c.bin");
            HeldSession.Sent first = session.sent.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(openDescriptorsOf(file)).as("open while it is sent").isPositive();
            first.message().release();
            first.done().completeExceptionally(new java.io.IOException("the client cancelled"));
            assertThat(answer)
                    .failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("the client cancelled");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (openDescriptorsOf(file) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(openDescriptorsOf(file))
                    .as("descriptors of the file still open")
                    .isZero();
            for (HeldSession.Sent s; (s = session.sent.poll()) != null; ) {
                s.message().release();
            }
        } finally {
            session.closed.complete(null);
        }
    }

    /** The service's answer to {@code request}, within 10 s. */
    private static Frame answer(FileService files, Session session, Frame.Builder request) throws Exception {
        return files.handle(request.build(), session).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A get-stream of {@code name} from the start, on stream 1 of {@code session}. */
    private static CompletableFuture<Frame> download(FileService files, Session session, String name) {
        return files.handle(
                        FilesProtocol.request(FilesProtocol.GET_STREAM, name).header(FilesProtocol.OFFSET, "0").stream(
                                        1)
                                .build(),
                        session)
                .toCompletableFuture();
    }

    /** How many of this process's file descriptors point at {@code file} (Linux). */
    private static long openDescriptorsOf(Path file) throws Exception {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(real);
                        } catch (Exception e) {
                            return false; // closed meanwhile
                        }
                    })
                    .count();
        }
    }

    /** A stat that asks for the hash only if known never reads the file; a download from the start supplies it. */
    @Test
    void aStatAskingOnlyForAKnownHashReadsNothing() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Files.write(served.resolve("g.bin"), new byte[300_000]);
        HeldSession session = new HeldSession();
        try (FileService files = new FileService(served)) {
            Frame stat = answer(
                    files,
                    session,
                    FilesProtocol.request(FilesProtocol.STAT, "g.bin")
                            .header(FilesProtocol.HASH, FilesProtocol.IF_KNOWN));
            assertThat(stat.headers().value(FilesProtocol.SIZE)).isEqualTo("300000");
            assertThat(stat.headers().value(FilesProtocol.SHA256))
                    .as("not known yet")
                    .isNull();
            stat.release();
            assertThat(files.filesHashed()).isZero();
        } finally {
            session.closed.complete(null);
        }
    }

    /** The file changes while it is sent: the bytes may mix two versions, so the last message announces no hash. */
    @Test
    void aFileThatChangesWhileSentGetsNoHashAnnounced() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        Path file = served.resolve("h.bin");
        int size = 3 * FilesProtocol.MAX_CHUNK;
        Files.write(file, new byte[size]);
        Thread.sleep(50);
        HeldSession session = new HeldSession();
        try (FileService files = new FileService(served)) {
            CompletableFuture<Frame> answer = download(files, session, "h.bin");
            for (int chunk = 0; chunk < 3; chunk++) {
                HeldSession.Sent s = session.sent.poll(10, TimeUnit.SECONDS);
                assertThat(s).isNotNull();
                if (chunk == 0) {
                    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), size - 1); // same size, new content
                    }
                }
                s.message().release();
                s.done().complete(null);
            }
            Frame end = answer.get(10, TimeUnit.SECONDS);
            assertThat(end.headers().value(FilesProtocol.SIZE)).isEqualTo(Integer.toString(size));
            assertThat(end.headers().value(FilesProtocol.SHA256)).isNull();
            end.release();
        } finally {
            session.closed.complete(null);
        }
    }
}
