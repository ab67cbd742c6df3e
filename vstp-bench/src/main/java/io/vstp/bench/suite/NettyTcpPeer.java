package io.vstp.bench.suite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.ReferenceCountUtil;
import io.vstp.transport.EventLoops;
import io.vstp.transport.TransportLimits;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling: raw Netty with a 4-byte length prefix ({@link LengthFieldPrepender} / {@link
 * LengthFieldBasedFrameDecoder}) and nothing else — no headers, sessions, request ids or CRC. The same event-loop
 * kind, socket options, water marks and flush consolidation as VSTP's server and client, one I/O thread on each
 * side. The echo keeps order on a connection, so responses match requests first in, first out.
 */
final class NettyTcpPeer implements Peer {
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(
            TransportLimits.DEFAULT.writeBufferLowWaterMark(), TransportLimits.DEFAULT.writeBufferHighWaterMark());

    private final LongAdder received = new LongAdder();
    private final List<Client> clients = new ArrayList<>();
    private EventLoopGroup boss;
    private EventLoopGroup serverLoop;
    private EventLoopGroup clientLoop;
    private ByteBuf payload;

    @Override
    public void start(PeerSetup setup) throws Exception {
        payload = setup.directPayload();
        boss = EventLoops.newGroup("netty-peer-accept", 1);
        serverLoop = EventLoops.newGroup("netty-peer-server", 1);
        clientLoop = EventLoops.newGroup("netty-peer-client", 1);
        ChannelHandler serverHandler = setup.mode() == PeerSetup.Mode.ECHO ? new Echo() : new Sink(received);
        Channel listener = new ServerBootstrap()
                .group(boss, serverLoop)
                .channel(EventLoops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        framing(c.pipeline());
                        c.pipeline().addLast(serverHandler);
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
        for (int i = 0; i < setup.connections(); i++) {
            Client client = new Client();
            client.channel = new Bootstrap()
                    .group(clientLoop)
                    .channel(EventLoops.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            framing(c.pipeline());
                            c.pipeline().addLast(client);
                        }
                    })
                    .connect("127.0.0.1", port)
                    .sync()
                    .channel();
            clients.add(client);
        }
    }

    private static void framing(ChannelPipeline p) {
        p.addLast(new FlushConsolidationHandler(256, true));
        p.addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4));
        p.addLast(new LengthFieldPrepender(4));
    }

    @Override
    public void send(int connection) throws Exception {
        Client c = clients.get(connection);
        c.awaitWritable();
        c.channel.writeAndFlush(payload.retainedDuplicate(), c.channel.voidPromise());
    }

    @Override
    public long received() {
        return received.sum();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        Client c = clients.get(connection);
        CompletableFuture<Void> f = new CompletableFuture<>();
        ByteBuf p = payload.retainedDuplicate();
        c.channel.eventLoop().execute(() -> c.write(p, f));
        return f;
    }

    @Override
    public String detail() {
        return "raw Netty "
                + io.netty.util.Version.identify().values().iterator().next().artifactVersion()
                + ", 4-byte length prefix, " + EventLoops.mechanism() + ", plaintext";
    }

    @Override
    public void close() throws Exception {
        for (Client c : clients) {
            c.channel.close().await(2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : new EventLoopGroup[] {clientLoop, serverLoop, boss}) {
            if (g != null) {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
            }
        }
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }
    }

    @ChannelHandler.Sharable
    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final LongAdder received;

        Sink(LongAdder received) {
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            received.increment();
        }
    }

    /** One client connection: FIFO of outstanding requests (event loop only) and a writability gate. */
    private static final class Client extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        private final Object gate = new Object();
        private volatile Channel channel;

        void write(ByteBuf p, CompletableFuture<Void> f) {
            if (!channel.isActive()) {
                p.release();
                f.completeExceptionally(new ClosedChannelException());
                return;
            }
            pending.add(f);
            channel.writeAndFlush(p, channel.voidPromise());
        }

        void awaitWritable() throws InterruptedException {
            synchronized (gate) {
                while (!channel.isWritable() && channel.isActive()) {
                    gate.wait(100);
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                synchronized (gate) {
                    gate.notifyAll();
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            CompletableFuture<Void> f = pending.poll();
            if (f != null) {
                f.complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            CompletableFuture<Void> f;
            while ((f = pending.poll()) != null) {
                f.completeExceptionally(new ClosedChannelException());
            }
        }
    }
}
