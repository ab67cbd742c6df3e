package io.vstp.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The one place that chooses the I/O mechanism: epoll when its native library loads (Linux), NIO otherwise.
 * The system property {@code vstp.transport.nio=true} forces NIO, e.g. to compare the two.
 */
public final class EventLoops {
    private static final boolean EPOLL = !Boolean.getBoolean("vstp.transport.nio") && Epoll.isAvailable();

    private EventLoops() {}

    /** {@code "epoll"} or {@code "nio"}. */
    public static String mechanism() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A group of {@code threads} event loops; 0 means one per core (at least one). */
    public static EventLoopGroup newGroup(String name, int threads) {
        int n = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), io);
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends io.netty.channel.socket.DatagramChannel> datagramChannel() {
        return EPOLL
                ? io.netty.channel.epoll.EpollDatagramChannel.class
                : io.netty.channel.socket.nio.NioDatagramChannel.class;
    }

    public static Class<? extends Channel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
