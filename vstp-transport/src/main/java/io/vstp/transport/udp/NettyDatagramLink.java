package io.vstp.transport.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.vstp.transport.EventLoops;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link DatagramLink} over a real UDP socket. With epoll it reads many datagrams per system call (recvmmsg,
 * {@code EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE}) and asks for UDP GRO; with NIO it reads one at a time.
 * Writes are flushed once per event-loop turn, so bursts of fragments leave in few system calls (Netty uses
 * sendmmsg for them). UDP GSO is not used: it needs equal-sized segments, and fragments differ by their headers.
 */
public final class NettyDatagramLink implements DatagramLink {
    /** Largest UDP payload over IPv4; receive buffers are sized for it so no datagram is ever truncated. */
    static final int MAX_UDP_PAYLOAD = 65_507;

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Channel channel;
    private final int maxDatagramSize;
    private final LongAdder sendDrops = new LongAdder();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Receiver receiver = (sender, datagram) -> datagram.release();
    private boolean flushScheduled;

    private NettyDatagramLink(EventLoopGroup group, boolean ownsGroup, InetSocketAddress bind, int maxDatagramSize)
            throws InterruptedException {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.maxDatagramSize = maxDatagramSize;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(EventLoops.datagramChannel())
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new io.netty.channel.WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>(false) {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        receiver.receive(packet.sender(), packet.content());
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // ICMP port unreachable and similar surface here; UDP has no connection to lose.
                    }
                });
        if (EventLoops.datagramChannel() == EpollDatagramChannel.class) {
            // recvmmsg: up to 16 datagrams per system call. GRO lets the kernel hand over a train of datagrams
            // at once where it supports it (Linux 5.0+); Netty splits it back into datagrams.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_UDP_PAYLOAD);
            b.option(EpollChannelOption.UDP_GRO, true);
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_PAYLOAD * 16));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_PAYLOAD));
        }
        this.channel = b.bind(bind).sync().channel();
    }

    /**
     * Binds a UDP socket.
     *
     * @param group           event loops to use, or null for a private single-thread group closed with the link
     * @param maxDatagramSize the largest datagram this endpoint sends (1200 by default, like the crate)
     */
    public static NettyDatagramLink bind(InetSocketAddress address, EventLoopGroup group, int maxDatagramSize)
            throws InterruptedException {
        if (maxDatagramSize < 64 || maxDatagramSize > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("maxDatagramSize must be 64.." + MAX_UDP_PAYLOAD);
        }
        boolean own = group == null;
        return new NettyDatagramLink(own ? EventLoops.newGroup("vstp-udp", 1) : group, own, address, maxDatagramSize);
    }

    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        if (!channel.isActive()) {
            datagram.release();
            return;
        }
        if (!channel.isWritable()) {
            // The socket cannot keep up; UDP senders above us retransmit, so dropping beats queueing.
            sendDrops.increment();
            datagram.release();
            return;
        }
        channel.write(new DatagramPacket(datagram, peer), channel.voidPromise());
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            scheduleFlush();
        } else {
            loop.execute(this::scheduleFlush);
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                channel.flush();
            });
        }
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void receiver(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Datagrams dropped because the socket's send buffer was full. */
    public long sendDrops() {
        return sendDrops.sum();
    }

    /** Closes the socket (and the event loop, if this link made it). Closing again does nothing. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        channel.close().syncUninterruptibly();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .syncUninterruptibly();
        }
    }
}
