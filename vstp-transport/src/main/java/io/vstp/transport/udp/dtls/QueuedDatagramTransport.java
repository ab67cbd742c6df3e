package io.vstp.transport.udp.dtls;

import io.netty.buffer.ByteBufAllocator;
import io.vstp.transport.udp.DatagramLink;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSRecordCallback;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BouncyCastle's view of one peer on the shared link: a {@link DatagramTransport} whose receive side is a bounded
 * queue the event loop fills, and whose send side writes to the wrapped link.
 *
 * <p>It works in two modes. While the handshake runs on a handshake thread, {@link #receive} blocks on the queue
 * up to BouncyCastle's wait time, as BouncyCastle expects. Once established, the event loop drives the record
 * layer ({@link #nonBlocking()}): {@code receive} then never waits, and throws {@link NothingQueued} when the
 * queue is empty, which ends the record layer's receive loop without failing it (BouncyCastle passes an
 * {@link InterruptedIOException} up unchanged, unlike a {@code SocketTimeoutException}, which it would wait on).
 *
 * <p>Threads: one consumer at a time (the handshake thread, then the event loop); the event loop is the only
 * producer. The accounting of unauthenticated datagrams is used in non-blocking mode only, on the event loop.
 */
final class QueuedDatagramTransport implements DatagramTransport, DTLSRecordCallback {

    /** The queue is empty; the established record layer has processed everything that arrived. */
    static final class NothingQueued extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        NothingQueued() {
            super("no datagram queued");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // control flow, thrown once per burst of datagrams: no stack trace to fill
        }
    }

    private static final NothingQueued NOTHING_QUEUED = new NothingQueued();

    private final DatagramLink link;
    private final InetSocketAddress peer;
    private final ArrayBlockingQueue<byte[]> inbound;
    private volatile boolean nonBlocking;
    private volatile boolean closed;
    /** A datagram larger than the buffer BouncyCastle offered: handed over on the next call, which sizes for it. */
    private byte[] oversized;

    private boolean awaitingAcceptance;
    private int unaccepted;

    QueuedDatagramTransport(DatagramLink link, InetSocketAddress peer, int capacity) {
        this.link = link;
        this.peer = peer;
        this.inbound = new ArrayBlockingQueue<>(capacity);
    }

    /** Queues a datagram from the peer; false if the queue is full (the caller counts the drop). */
    boolean offer(byte[] datagram) {
        return !closed && inbound.offer(datagram);
    }

    /** Switches to event-loop mode; called on the event loop once the handshake has returned. */
    void nonBlocking() {
        nonBlocking = true;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Datagrams taken off the queue since the last call in which no record authenticated (garbage, forgeries,
     * replays), and resets the count. Event loop only.
     */
    int takeUnaccepted() {
        if (awaitingAcceptance) {
            unaccepted++;
            awaitingAcceptance = false;
        }
        int n = unaccepted;
        unaccepted = 0;
        return n;
    }

    @Override
    public void recordAccepted(int flags) {
        awaitingAcceptance = false;
    }

    @Override
    public int getReceiveLimit() {
        // BouncyCastle allocates a buffer of this size for every receive call; sizing it for the datagram at the
        // head of the queue keeps that small and still fits a peer whose datagrams are larger than ours.
        byte[] head = oversized != null ? oversized : inbound.peek();
        int base = link.maxDatagramSize();
        return head != null ? Math.max(head.length, base) : base;
    }

    @Override
    public int getSendLimit() {
        return link.maxDatagramSize();
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws InterruptedIOException {
        byte[] datagram = oversized;
        if (datagram != null) {
            oversized = null;
        } else if (nonBlocking) {
            datagram = inbound.poll();
            if (datagram == null) {
                throw NOTHING_QUEUED;
            }
        } else {
            try {
                // Zero means "no limit" to BouncyCastle; the handshake timeout still bounds the handshake.
                datagram = inbound.poll(waitMillis == 0 ? Long.MAX_VALUE : waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("DTLS handshake with " + peer + " interrupted (link closing)");
            }
            if (datagram == null) {
                return -1; // nothing within waitMillis: BouncyCastle retransmits or gives up
            }
        }
        if (datagram.length > len) {
            oversized = datagram;
            return -1;
        }
        if (nonBlocking) {
            if (awaitingAcceptance) {
                unaccepted++;
            }
            awaitingAcceptance = true;
        }
        System.arraycopy(datagram, 0, buf, off, datagram.length);
        return datagram.length;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (closed) {
            return;
        }
        link.send(peer, ByteBufAllocator.DEFAULT.buffer(len).writeBytes(buf, off, len));
    }

    /** Called by BouncyCastle after its close_notify, and by the link when it forgets the association. */
    @Override
    public void close() {
        closed = true;
        inbound.clear();
    }
}
