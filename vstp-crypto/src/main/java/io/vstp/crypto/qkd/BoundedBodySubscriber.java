package io.vstp.crypto.qkd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body collected into memory up to a cap, enforced as the bytes arrive: a KME (or whatever answers in
 * its place) that sends more is cut off at the cap instead of being read to the end. A declared Content-Length
 * above the cap is refused before any of the body is read.
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    /** The cap was reached; {@link Etsi014Client} turns it into a {@link QkdException}. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long cap) {
            super("the response body is larger than " + cap + " bytes");
        }
    }

    /** Exposes the buffer so that it can be zeroed: the body may hold key material. */
    private static final class WipeableBuffer extends ByteArrayOutputStream {
        WipeableBuffer(int size) {
            super(size);
        }

        void wipe() {
            Arrays.fill(buf, (byte) 0);
            count = 0;
        }
    }

    private final int cap;
    private final long declaredLength;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final WipeableBuffer buffer;
    private volatile Flow.Subscription subscription;

    BoundedBodySubscriber(int cap, long declaredLength) {
        this.cap = cap;
        this.declaredLength = declaredLength;
        this.buffer = new WipeableBuffer(declaredLength >= 0 && declaredLength <= cap ? (int) declaredLength : 8192);
    }

    /** Makes the subscriber for one response and keeps it, so that the caller can stop it at its deadline. */
    static final class Handler implements HttpResponse.BodyHandler<byte[]> {
        private final int cap;
        private volatile BoundedBodySubscriber subscriber;

        Handler(int cap) {
            this.cap = cap;
        }

        @Override
        public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
            subscriber = new BoundedBodySubscriber(
                    cap, info.headers().firstValueAsLong("content-length").orElse(-1));
            return subscriber;
        }

        /** Stops reading the body, if it has started; the connection is closed rather than drained. */
        void cancel(Throwable reason) {
            BoundedBodySubscriber s = subscriber;
            if (s != null) {
                s.fail(reason);
            }
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (declaredLength > cap) {
            fail(new TooLarge(cap));
        } else {
            s.request(1);
        }
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            if ((long) buffer.size() + item.remaining() > cap) {
                fail(new TooLarge(cap));
                return;
            }
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            buffer.write(chunk, 0, chunk.length);
            Arrays.fill(chunk, (byte) 0);
        }
        subscription.request(1);
    }

    @Override
    public synchronized void onError(Throwable error) {
        buffer.wipe();
        body.completeExceptionally(error);
    }

    @Override
    public synchronized void onComplete() {
        byte[] bytes = buffer.toByteArray();
        buffer.wipe();
        body.complete(bytes);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    private synchronized void fail(Throwable reason) {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        buffer.wipe();
        body.completeExceptionally(reason);
    }
}
