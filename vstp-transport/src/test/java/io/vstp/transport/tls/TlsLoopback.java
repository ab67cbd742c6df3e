package io.vstp.transport.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Real TCP on 127.0.0.1 for TLS tests: an echo server whose TLS handler comes from a function (so tests can swap
 * certificates between connections), and a client that does the handshake, sends {@code ping} and waits for the
 * echo. Each side reports what it negotiated or why it failed. One NIO event loop group for everything.
 */
final class TlsLoopback implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 5;
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    /**
     * What one side saw: success with the negotiated parameters, or the failure. {@code resumed} says whether the
     * handshake resumed an earlier session; null when the provider does not tell (the JDK's).
     * {@code peerCertificate} is the peer's leaf, null if it sent none.
     */
    record Outcome(
            Throwable failure,
            String protocol,
            String cipherSuite,
            String applicationProtocol,
            String peerFingerprint,
            Boolean resumed,
            X509Certificate peerCertificate) {
        boolean succeeded() {
            return failure == null;
        }

        static Outcome failed(Throwable failure) {
            return new Outcome(failure, null, null, null, null, null, null);
        }

        static Outcome of(SslHandler ssl) {
            SSLSession session = ssl.engine().getSession();
            String peer = null;
            X509Certificate leaf = null;
            try {
                Certificate[] certificates = session.getPeerCertificates();
                leaf = (X509Certificate) certificates[0];
                peer = CertificateFingerprints.sha256(leaf);
            } catch (SSLPeerUnverifiedException e) {
                // no peer certificate: a server without client authentication
            }
            return new Outcome(
                    null,
                    session.getProtocol(),
                    session.getCipherSuite(),
                    ssl.applicationProtocol(),
                    peer,
                    resumed(ssl.engine()),
                    leaf);
        }

        /**
         * Netty keeps its own answer package-private, and SSLSession has none; BoringSSL's SSL_session_reused,
         * through tcnative, is the handshake's own word. tcnative takes the raw pointer, which the engine frees when
         * it shuts down (a server that refuses the client's certificate closes right after the client's handshake):
         * read it under the engine's lock, which its shutdown takes too, as Netty's own session getters do, and
         * answer "unknown" for a freed engine. Production code reads only SSLSession, which Netty guards this way.
         */
        static Boolean resumed(javax.net.ssl.SSLEngine engine) {
            if (engine instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openSsl) {
                synchronized (openSsl) {
                    long ssl = openSsl.sslPointer();
                    return ssl == 0 ? null : io.netty.internal.tcnative.SSL.isSessionReused(ssl);
                }
            }
            return null;
        }
    }

    final class EchoServer implements AutoCloseable {
        private final Channel channel;
        private final BlockingQueue<Outcome> handshakes = new LinkedBlockingQueue<>();

        private EchoServer(Function<ByteBufAllocator, SslHandler> tls) {
            this.channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(tls.apply(ch.alloc()), new EchoHandler(handshakes));
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .syncUninterruptibly()
                    .channel();
        }

        int port() {
            return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
        }

        /** The server's view of the next handshake. */
        Outcome nextHandshake() throws InterruptedException {
            Outcome outcome = handshakes.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (outcome == null) {
                throw new AssertionError("the server saw no handshake finish within " + TIMEOUT_SECONDS + " s");
            }
            return outcome;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    EchoServer server(Function<ByteBufAllocator, SslHandler> tls) {
        return new EchoServer(tls);
    }

    EchoServer server(ServerTls tls) {
        return new EchoServer(tls::newHandler);
    }

    /** Connects, handshakes, and round-trips {@code ping}; the outcome fails if any step does. */
    Outcome connect(int port, Function<ByteBufAllocator, SslHandler> tls) throws InterruptedException {
        CompletableFuture<byte[]> echo = new CompletableFuture<>();
        // Kept here, not looked up later: a refused handshake may close the channel and empty the pipeline first.
        AtomicReference<SslHandler> handler = new AtomicReference<>();
        Channel channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        handler.set(tls.apply(ch.alloc()));
                        ch.pipeline().addLast(handler.get(), new EchoReader(echo));
                    }
                })
                .connect("127.0.0.1", port)
                .syncUninterruptibly()
                .channel();
        try {
            SslHandler ssl = handler.get();
            Future<Channel> handshake = ssl.handshakeFuture();
            if (!handshake.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return Outcome.failed(new TimeoutException("client handshake did not finish"));
            }
            if (!handshake.isSuccess()) {
                return Outcome.failed(handshake.cause());
            }
            // On the event loop, which alone frees the engine: it cannot be freed while it is read.
            Outcome negotiated;
            try {
                negotiated = channel.eventLoop().submit(() -> Outcome.of(ssl)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return Outcome.failed(e);
            }
            channel.writeAndFlush(channel.alloc().buffer().writeBytes(PING));
            try {
                echo.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                return Outcome.failed(e.getCause());
            } catch (TimeoutException e) {
                return Outcome.failed(e);
            }
            return negotiated;
        } finally {
            channel.close().syncUninterruptibly();
        }
    }

    Outcome connect(int port, ClientTls tls) throws InterruptedException {
        return connect(port, alloc -> tls.newHandler(alloc, "127.0.0.1", port));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Records the handshake outcome, then echoes every buffer back (the write releases it). */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Outcome> handshakes;

        EchoHandler(BlockingQueue<Outcome> handshakes) {
            this.handshakes = handshakes;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent completion = (SslHandshakeCompletionEvent) event;
                handshakes.add(
                        completion.isSuccess()
                                ? Outcome.of(ctx.pipeline().get(SslHandler.class))
                                : Outcome.failed(completion.cause()));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the handshake outcome already holds the reason
        }
    }

    /** Collects the echo; completes when {@code ping} is back, fails if the connection breaks first. */
    private static final class EchoReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<byte[]> echo;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();

        EchoReader(CompletableFuture<byte[]> echo) {
            this.echo = echo;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                received.writeBytes(bytes);
            } finally {
                buf.release();
            }
            if (received.size() >= PING.length) {
                echo.complete(received.toByteArray());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            echo.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            echo.completeExceptionally(new java.io.IOException("connection closed before the echo arrived"));
            ctx.fireChannelInactive();
        }
    }
}
