package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A link without a socket: it records what is sent (the test releases it) and never receives anything. */
final class RecordingDatagramLink implements DatagramLink {
    final List<ByteBuf> sent = new ArrayList<>();
    private final EventLoop loop;

    RecordingDatagramLink(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        sent.add(datagram);
    }

    @Override
    public void receiver(Receiver receiver) {}

    @Override
    public int maxDatagramSize() {
        return NettyDatagramLink.MAX_UDP_PAYLOAD;
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public void close() {}
}
