package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/** A test link that passes everything to a real link; subclasses change only what they test. */
abstract class ForwardingDatagramLink implements DatagramLink {
    protected final DatagramLink inner;

    ForwardingDatagramLink(DatagramLink inner) {
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
