package io.vstp.cli;

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
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.frame.Frame;
import io.vstp.transport.EventLoops;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The baseline of {@code vstp bench}: raw Netty, no VSTP. An echo server and a client on 127.0.0.1 that exchange
 * payloads framed by a 4-byte length prefix ({@link LengthFieldPrepender} / {@link LengthFieldBasedFrameDecoder}),
 * with the same event loops ({@link EventLoops}), socket options, write-buffer water marks and write batching
 * ({@link FlushConsolidationHandler}) as the VSTP server and client, and one I/O thread on each side, as
 * {@code --local} gives VSTP. There are no headers, sessions, request ids or services: the echo preserves order on
 * the one connection, so the client matches responses to requests first in, first out.
 */
final class BenchNetty {
    /** The largest frame either side accepts: any --size fits. */
    private static final int MAX_FRAME = BenchCommand.MAX_SIZE;
    /** As {@code TransportLimits.DEFAULT} gives the VSTP server and client. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Flushes consolidated as the VSTP pipelines do. */
    private static final int FLUSHES = 256;

    private BenchNetty() {}

    private static void framing(ChannelPipeline p) {
        p.addLast("flush", new FlushConsolidationHandler(FLUSHES, true));
        p.addLast("decoder", new LengthFieldBasedFrameDecoder(MAX_FRAME + 4, 0, 4, 0, 4));
        p.addLast("encoder", new LengthFieldPrepender(4));
    }

    /** The echo server: one accept thread, one I/O thread; writes back every payload it reads. */
    static final class Server implements AutoCloseable {
        private final EventLoopGroup boss;
        private final EventLoopGroup workers;
        private final Channel channel;

        private Server(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
            this.boss = boss;
            this.workers = workers;
            this.channel = channel;
        }

        static Server start(String host) throws InterruptedException {
            EventLoopGroup boss = EventLoops.newGroup("bench-netty-accept", 1);
            EventLoopGroup workers = EventLoops.newGroup("bench-netty-io", 1);
            ChannelHandler echo = new Echo();
            try {
                Channel ch = new ServerBootstrap()
                        .group(boss, workers)
                        .channel(EventLoops.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                        .childHandler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel c) {
                                framing(c.pipeline());
                                c.pipeline().addLast("echo", echo);
                            }
                        })
                        .bind(host, 0)
                        .sync()
                        .channel();
                return new Server(boss, workers, ch);
            } catch (InterruptedException | RuntimeException e) {
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
        }

        int port() {
            return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /** Writes each frame back, flushing per frame as VSTP's echo does; the flush handler batches. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg, ctx.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client: one connection, one I/O thread; exchanges complete in the order they were written. */
    static final class Link extends ChannelInboundHandlerAdapter implements BenchLink {
        private final EventLoopGroup group;
        private final long timeoutNanos;
        // Only on the channel's event loop.
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        private Channel channel;
        private ScheduledFuture<?> watchdog;
        /** Set on the event loop once the connection failed: no more frames are written. */
        private volatile boolean failed;

        private record Pending(CompletableFuture<Void> future, long sentNanos) {}

        private Link(EventLoopGroup group, Duration timeout) {
            this.group = group;
            this.timeoutNanos = timeout.toNanos();
        }

        static Link open(Target target, Duration timeout) throws InterruptedException {
            EventLoopGroup group = EventLoops.newGroup("bench-netty-client", 1);
            Link link = new Link(group, timeout);
            try {
                var connect = new Bootstrap()
                        .group(group)
                        .channel(EventLoops.clientChannel())
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                                Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                        .handler(new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel c) {
                                framing(c.pipeline());
                                c.pipeline().addLast("client", link);
                            }
                        })
                        .connect(target.host(), target.port())
                        .await();
                if (!connect.isSuccess()) {
                    throw new CliException(
                            ExitCodes.UNREACHABLE,
                            "cannot connect to " + target + ": "
                                    + connect.cause().getMessage(),
                            connect.cause());
                }
                link.channel = connect.channel();
                // One cheap periodic check instead of a timer per frame: the oldest frame unanswered for too long
                // ends the run.
                long period = Math.max(
                        TimeUnit.MILLISECONDS.toNanos(10),
                        Math.min(link.timeoutNanos / 4, TimeUnit.SECONDS.toNanos(1)));
                link.watchdog = link.channel
                        .eventLoop()
                        .scheduleAtFixedRate(link::checkTimeout, period, period, TimeUnit.NANOSECONDS);
                return link;
            } catch (InterruptedException | RuntimeException e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw e;
            }
        }

        @Override
        public CompletableFuture<Void> exchange(Frame frame) {
            ByteBuf payload = frame.payload().retain();
            frame.release();
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (channel.eventLoop().inEventLoop()) {
                write(payload, f);
            } else {
                channel.eventLoop().execute(() -> write(payload, f));
            }
            return f;
        }

        private void write(ByteBuf payload, CompletableFuture<Void> f) {
            if (failed || !channel.isActive()) {
                payload.release();
                f.completeExceptionally(new ClosedChannelException());
                return;
            }
            pending.add(new Pending(f, System.nanoTime()));
            channel.writeAndFlush(payload, channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            Pending p = pending.poll();
            if (p != null) {
                p.future().complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll(new ClosedChannelException());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAll(cause);
            ctx.close();
        }

        private void checkTimeout() {
            Pending oldest = pending.peek();
            if (oldest != null && System.nanoTime() - oldest.sentNanos() > timeoutNanos) {
                failAll(new TimeoutException("no echo within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
                channel.close();
            }
        }

        private void failAll(Throwable cause) {
            failed = true;
            Pending p;
            while ((p = pending.poll()) != null) {
                p.future().completeExceptionally(cause);
            }
        }

        @Override
        public boolean broken() {
            return failed || !channel.isActive();
        }

        @Override
        public int maxInFlight() {
            return Integer.MAX_VALUE;
        }

        @Override
        public String tlsProtocol() {
            return null;
        }

        @Override
        public String tlsCipher() {
            return null;
        }

        @Override
        public void close() {
            try {
                if (watchdog != null) {
                    watchdog.cancel(false);
                }
                if (channel != null) {
                    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            }
        }
    }
}
