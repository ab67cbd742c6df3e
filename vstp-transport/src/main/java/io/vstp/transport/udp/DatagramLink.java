package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * Moves whole datagrams between this endpoint and its peers. The UDP endpoint is written against this interface
 * so the same code runs over a plain socket ({@link NettyDatagramLink}), over DTLS (a link wrapping another
 * link) and, in tests, over a link that drops, duplicates, reorders and delays datagrams.
 *
 * <h2>Threads and ownership</h2>
 * Every callback runs on {@link #eventLoop()}, and the endpoint touches its state only there. {@link #send} may be
 * called from any thread. Both directions hand over the buffer: {@code send} releases the datagram once written
 * (or dropped), and the receiver must release what it receives.
 */
public interface DatagramLink extends AutoCloseable {

    /** Receives datagrams from a link. */
    @FunctionalInterface
    interface Receiver {
        /** One datagram from {@code sender}; the receiver owns {@code datagram} and must release it. */
        void receive(InetSocketAddress sender, ByteBuf datagram);
    }

    /** Sends one datagram to {@code peer}; takes over {@code datagram}. Never blocks; may drop under pressure. */
    void send(InetSocketAddress peer, ByteBuf datagram);

    /**
     * False while the socket's send queue is full: a sender should pause (it is retried on the next timer tick)
     * rather than have its datagrams dropped.
     */
    default boolean isWritable() {
        return true;
    }

    /** Sets who receives datagrams. Must be called before the first datagram can arrive to be seen. */
    void receiver(Receiver receiver);

    /** The largest datagram payload this link can carry (after any DTLS overhead). */
    int maxDatagramSize();

    InetSocketAddress localAddress();

    /** The event loop that runs the receiver and the endpoint's timers. */
    EventLoop eventLoop();

    /** Closes the link (and its socket, if it owns one). */
    @Override
    void close();
}
