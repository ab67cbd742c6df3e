package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * A real socket link whose receive side a test can also feed with datagrams from forged source addresses
 * (spoofing needs no raw sockets this way). {@link #inject} must run on {@link #eventLoop()}.
 */
final class InjectingDatagramLink implements DatagramLink {
    private final NettyDatagramLink inner;
    private volatile Receiver receiver;

    InjectingDatagramLink(NettyDatagramLink inner) {
        this.inner = inner;
    }

    void inject(InetSocketAddress forgedSender, ByteBuf datagram) {
        receiver.receive(forgedSender, datagram);
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
    public void receiver(Receiver r) {
        this.receiver = r;
        inner.receiver(r);
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
