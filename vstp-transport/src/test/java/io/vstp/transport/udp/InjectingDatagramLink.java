package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * A real socket link whose receive side a test can also feed with datagrams from forged source addresses
 * (spoofing needs no raw sockets this way). {@link #inject} must run on {@link #eventLoop()}.
 */
final class InjectingDatagramLink extends ForwardingDatagramLink {
    private volatile Receiver receiver;

    InjectingDatagramLink(NettyDatagramLink inner) {
        super(inner);
    }

    void inject(InetSocketAddress forgedSender, ByteBuf datagram) {
        receiver.receive(forgedSender, datagram);
    }

    @Override
    public void receiver(Receiver r) {
        this.receiver = r;
        super.receiver(r);
    }
}
