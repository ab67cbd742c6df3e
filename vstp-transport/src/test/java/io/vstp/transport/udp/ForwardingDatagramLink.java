package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * A link that passes everything to another link; subclasses change only what they study, such as
 * {@link LossyDatagramLink}'s faults.
 */
public abstract class ForwardingDatagramLink implements DatagramLink {
    protected final DatagramLink inner;

    protected ForwardingDatagramLink(DatagramLink inner) {
        this.inner = inner;
    }

    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        inner.send(peer, datagram);
    }

    @Override
    public boolean isWritable() {
        return inner.isWritable();
    }

    @Override
    public void receiver(Receiver receiver) {
        inner.receiver(receiver);
    }

    @Override
    public int maxDatagramSize() {
        return inner.maxDatagramSize();
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public EventLoop eventLoop() {
        return inner.eventLoop();
    }

    @Override
    public void close() {
        inner.close();
    }
}
