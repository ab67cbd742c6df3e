package io.vstp.services.files;

import static io.vstp.services.files.FilesProtocol.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.Session;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One get-stream: reads its chunks as file work of its client (one task per chunk, so other clients take turns),
 * at most {@link #READ_AHEAD} of them queued on the stream and not yet sent. The answer that ends the stream
 * comes once the last chunk has left: answered earlier, it could reach the stream first (the session answers a
 * finished stage at once, and a chunk handed over from this thread is queued on the event loop later).
 */
final class OutgoingFile {
    /**
     * Chunks of a get-stream read ahead of the socket: while one is being sent, the next is already read and
     * queued, so the stream never waits for the disk (docs/benchmarks.md, transfer). Two bound what one download
     * holds to 2 MiB.
     */
    static final int READ_AHEAD = 2;

    private final FairWork work;
    private final ContentHashes hashes;
    private final Object client;
    private final Session session;
    private final long stream;
    private final FileChannel ch;
    private final long size;
    private final CompletableFuture<Frame> done;
    /** The next byte to read; file work only, which runs one task of a client at a time. */
    private long next;
    /** Chunks handed to the session and not yet sent. */
    private final AtomicInteger queued = new AtomicInteger();
    /** A read is queued or running: no second one until it is done. */
    private final AtomicBoolean readQueued = new AtomicBoolean();

    private volatile boolean allRead;
    /** From the start of the file: what it was when the read began, and the SHA-256 of what was read. */
    private final ContentHashes.Reading reading;

    private final MessageDigest digest;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean answered = new AtomicBoolean();

    OutgoingFile(
            FairWork work,
            ContentHashes hashes,
            Object client,
            Session session,
            long stream,
            FileChannel ch,
            long offset,
            long size,
            ContentHashes.Reading reading,
            CompletableFuture<Frame> done) {
        this.work = work;
        this.hashes = hashes;
        this.client = client;
        this.reading = reading;
        this.digest = reading != null ? FilesProtocol.sha256() : null;
        this.session = session;
        this.stream = stream;
        this.ch = ch;
        this.next = offset;
        this.size = size;
        this.done = done;
    }

    /** Queues the next read when there is room ahead of the socket (any thread). */
    void readMore() {
        if (allRead || done.isDone() || queued.get() >= READ_AHEAD || !readQueued.compareAndSet(false, true)) {
            return;
        }
        asFileWork(this::readOne);
    }

    /** Runs {@code task} as file work of the client; dropped unrun (the client left), it ends the download. */
    private void asFileWork(Runnable task) {
        work.execute(client, task).whenComplete((v, dropped) -> {
            if (dropped != null) {
                done.completeExceptionally(dropped);
                closeOnce(); // no read runs: the dropped task was the only one this download had
            }
        });
    }

    /** As file work: reads the chunk at {@link #next} and queues it on the stream. */
    private void readOne() {
        try {
            if (done.isDone()) {
                return;
            }
            if (next >= size) {
                allRead = true;
                finishOnceSent();
                return;
            }
            int n = (int) Math.min(MAX_CHUNK, size - next);
            ByteBuf payload = readFully(ch, next, Unpooled.directBuffer(n), n);
            long at = next;
            next += n;
            if (digest != null) {
                update(digest, payload);
            }
            queued.incrementAndGet();
            allRead = next >= size; // before the send: its completion may run before the next line
            session.sendOnStream(
                            stream,
                            Frame.builder(FrameType.DATA)
                                    .header(OFFSET, Long.toString(at))
                                    .payload(payload)
                                    .build())
                    .whenComplete((ok, e) -> {
                        if (e != null) {
                            fail(e);
                        } else if (queued.decrementAndGet() == 0 && allRead) {
                            asFileWork(this::finishOnceSent); // it looks at the file: never on the event loop
                        } else {
                            readMore();
                        }
                    });
        } catch (IOException e) {
            fail(FileService.error(ErrorCode.STORAGE_ERROR, e.getClass().getSimpleName() + " on the server"));
        } catch (RuntimeException e) {
            fail(e);
        } finally {
            readQueued.set(false);
        }
        if (done.isDone()) {
            closeOnce(); // failed while this read ran, the close was left to it (or answered: closed already)
        }
        readMore();
    }

    /**
     * As file work, once every chunk is read and has left: the answer ends the stream, with the SHA-256 of the
     * whole file when it was read from the start and did not change meanwhile (services.md §3.2).
     */
    private void finishOnceSent() {
        if (!allRead || queued.get() != 0 || !answered.compareAndSet(false, true)) {
            return;
        }
        closeOnce();
        Frame.Builder end = Frame.builder(FrameType.DATA).header(SIZE, Long.toString(size));
        if (digest != null) {
            String sha = hex(digest);
            try {
                if (hashes.finished(reading, sha)) {
                    end.header(SHA256, sha);
                }
            } catch (IOException e) {
                // the file is gone or unreadable now: the client asks stat, which says so
            }
        }
        done.complete(end.build());
    }

    /**
     * Ends the download with {@code e} (any thread, often the event loop after a failed send). The file is
     * closed here only if no read is queued or running: closing a channel waits for a read in progress, which
     * must not stall an event loop; such a read closes it when it ends. A read that starts after this finds the
     * channel closed and fails at once.
     */
    private void fail(Throwable e) {
        done.completeExceptionally(e);
        if (!readQueued.get()) {
            closeOnce();
        }
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(ch);
        }
    }

    /** {@code n} bytes of {@code ch} from {@code at} into {@code into}, which is released if that fails. */
    static ByteBuf readFully(FileChannel ch, long at, ByteBuf into, int n) throws IOException {
        try {
            while (into.readableBytes() < n) {
                if (into.writeBytes(ch, at + into.readableBytes(), n - into.readableBytes()) < 0) {
                    throw FileService.error(ErrorCode.STORAGE_ERROR, "file shrank while reading");
                }
            }
            return into;
        } catch (IOException | RuntimeException e) {
            into.release();
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }
}
