package io.vstp.transport.session;

import io.netty.util.collection.LongObjectHashMap;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.Header;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Wire v2, server side: the messages of one stream reach the handler one at a time and in order, so a message
 * that arrives while an earlier one of its stream is in the handler waits here. What waits is bounded per
 * connection (session.md §8): in number (with the requests in the handler, by {@code maxInFlightRequests}), in
 * decoded header bytes ({@link #MAX_HEADER_BYTES}: an empty message needs no flow-control credit, so without this a
 * peer could make the server hold many copies of a large indexed header for a few bytes each), and in payload
 * bytes (with what else the connection holds, by its held-bytes limit).
 *
 * <p>Event-loop confined, like the session that owns it. Stream 0 carries one-way messages, which never wait.
 */
final class StreamQueues {
    /** Decoded header bytes that waiting messages may hold on one connection. */
    static final int MAX_HEADER_BYTES = 1024 * 1024;

    /** A message waiting for its turn in the handler, with the flow-control credit it holds. */
    record Waiting(Frame message, boolean end, int credit, int headerBytes) {}

    /** Per stream with a message in the handler: the messages waiting behind it (maybe none). */
    private final LongObjectHashMap<ArrayDeque<Waiting>> busy = new LongObjectHashMap<>();

    private int messages;
    private int headerBytes;
    private long payloadBytes;

    /**
     * Whether a message of {@code stream} may go to the handler now; if so the stream is busy until {@link #next}
     * finds nothing waiting. Stream 0 always may.
     */
    boolean claim(long stream) {
        if (stream == 0) {
            return true;
        }
        if (busy.containsKey(stream)) {
            return false;
        }
        busy.put(stream, new ArrayDeque<>(2));
        return true;
    }

    /**
     * Queues {@code message} behind its busy stream, unless that would pass a bound.
     *
     * @param inFlight     requests now in the handler, which count with the waiting messages
     * @param maxMessages  the most of both together
     * @param heldElsewhere bytes the connection holds besides the waiting payloads
     * @param maxHeld      the most the connection may hold
     * @return whether it was queued; if not, the caller refuses and releases it
     */
    boolean offer(
            Frame message, boolean end, int credit, int inFlight, int maxMessages, long heldElsewhere, long maxHeld) {
        int bytes = headerBytes(message);
        int payload = message.payload().readableBytes();
        if (inFlight + messages >= maxMessages
                || headerBytes + bytes > MAX_HEADER_BYTES
                || heldElsewhere + payloadBytes + payload > maxHeld) {
            return false;
        }
        busy.get(message.streamId()).add(new Waiting(message, end, credit, bytes));
        messages++;
        headerBytes += bytes;
        payloadBytes += payload;
        return true;
    }

    /**
     * A message of {@code stream} left the handler: the next one waiting, taken off the queue, or null, and then
     * the stream is no longer busy.
     */
    Waiting next(long stream) {
        if (stream == 0) {
            return null;
        }
        ArrayDeque<Waiting> waiting = busy.get(stream);
        if (waiting == null) {
            return null;
        }
        Waiting next = waiting.poll();
        if (next == null) {
            busy.remove(stream);
            return null;
        }
        forget(next);
        return next;
    }

    /** Stream {@code stream} failed or was cancelled: each of its waiting messages goes to {@code dropped}. */
    void drop(long stream, Consumer<Waiting> dropped) {
        ArrayDeque<Waiting> waiting = busy.remove(stream);
        if (waiting != null) {
            for (Waiting w; (w = waiting.poll()) != null; ) {
                forget(w);
                dropped.accept(w);
            }
        }
    }

    /** The connection closed: every waiting message is released. */
    void clear() {
        for (ArrayDeque<Waiting> waiting : busy.values()) {
            waiting.forEach(w -> w.message().release());
        }
        busy.clear();
        messages = 0;
        headerBytes = 0;
        payloadBytes = 0;
    }

    /** Messages waiting, on every stream. */
    int messages() {
        return messages;
    }

    /** Bytes the waiting messages hold: decoded headers and payloads. */
    long heldBytes() {
        return headerBytes + payloadBytes;
    }

    /** Payload bytes of the waiting messages (a joined message gave its parts' credit back, so they count here). */
    long payloadBytes() {
        return payloadBytes;
    }

    private void forget(Waiting w) {
        messages--;
        headerBytes -= w.headerBytes();
        payloadBytes -= w.message().payload().readableBytes();
    }

    /** Decoded header bytes as HPACK counts them (RFC 7541 §4.1: name, value and 32 per entry). */
    private static int headerBytes(Frame message) {
        int n = 0;
        for (Header h : message.headers()) {
            n += h.keyLength() + h.valueLength() + 32;
        }
        return n;
    }
}
