package io.vstp.services.files;

import io.vstp.core.frame.Frame;
import io.vstp.services.Requester;
import io.vstp.transport.ClientStream;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where the chunks of an upload go: on wire v2 one stream, whose messages the server handles in order (each
 * answered on the stream, the commit ending it); otherwise pipelined requests, which a v1 connection delivers
 * in order.
 */
interface ChunkChannel {
    CompletableFuture<Frame> send(Frame chunk);

    CompletableFuture<Frame> finish(Frame commit);

    /** Ends an upload that will not be committed: its stream, if it has one, is cancelled. */
    void abort();

    static ChunkChannel open(Requester requester) throws Exception {
        ClientStream stream = requester.openStream();
        if (stream == null) {
            return new ChunkChannel() {
                @Override
                public CompletableFuture<Frame> send(Frame chunk) {
                    return requester.request(chunk);
                }

                @Override
                public CompletableFuture<Frame> finish(Frame commit) {
                    return requester.request(commit);
                }

                @Override
                public void abort() {}
            };
        }
        Queue<CompletableFuture<Frame>> acks = new ConcurrentLinkedQueue<>();
        stream.onMessage((ack, consumed) -> {
            consumed.run();
            CompletableFuture<Frame> next = acks.poll();
            if (next == null || !next.complete(ack)) {
                ack.release();
            }
        });
        stream.response().whenComplete((r, e) -> {
            for (CompletableFuture<Frame> f; (f = acks.poll()) != null; ) {
                f.completeExceptionally(e != null ? e : new FileTransferException("the server ended the upload early"));
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
            public CompletableFuture<Frame> finish(Frame commit) {
                return stream.finish(commit, Duration.ofMinutes(5));
            }

            @Override
            public void abort() {
                stream.cancel();
            }
        };
    }
}
