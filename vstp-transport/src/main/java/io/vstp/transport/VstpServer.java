package io.vstp.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v1.VstpFrameEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.transport.session.ServerSession;
import io.vstp.transport.tls.ServerTls;
import io.vstp.transport.tls.TlsServerOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A VSTP server over TCP: TLS 1.3 unless built with {@link Builder#plain()}, sessions per
 * docs/spec/session.md, requests answered by one {@link RequestHandler}, every limit of {@link TransportLimits}.
 *
 * <pre>{@code
 * VstpServer server = VstpServer.builder().port(4433).handler(RequestHandler.echo()).start();
 * ...
 * server.shutdown(Duration.ofSeconds(5)).join();
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * {@link Builder#start()} binds and returns a running server; {@link #shutdown(Duration)} stops accepting, says
 * BYE to every peer, lets in-flight requests finish until the deadline, then closes everything and stops the
 * server's threads. {@link #close()} is shutdown with a 5 s deadline, waiting for it.
 */
public final class VstpServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final ServerStats stats;
    private final ServerTls tls;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean shuttingDown;
    private final MemoryBudget budget;

    private VstpServer(Builder b) throws InterruptedException {
        this.tls = b.plain ? null : ServerTls.create(b.tlsOptions);
        this.stats = new ServerStats(tls != null ? tls::sessionTicketKeyRotations : () -> 0);
        this.boss = EventLoops.newGroup("vstp-accept", 1);
        this.workers = EventLoops.newGroup("vstp-io", b.threads);
        if (tls != null) {
            // On an I/O loop: the rotation is a few microseconds, and it stops when the workers shut down.
            tls.scheduleSessionTicketKeyRotation(workers.next());
        }
        this.channels = new DefaultChannelGroup("vstp-sessions", GlobalEventExecutor.INSTANCE);
        TransportLimits limits = b.limits;
        ConnectionLimiter limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerAddress());
        // Symmetric limits: the server sends no frame larger than it would accept (session.md §8).
        VstpFrameEncoder encoder =
                new VstpFrameEncoder(new FrameWriter(limits.frame().maxFrameSize()));
        boolean legacyAllowed = b.plain && b.legacyPeers;
        RequestHandler handler = b.handler;
        io.vstp.transport.auth.AccessControl access = b.access;
        MemoryBudget budget = this.budget = b.budget != null ? b.budget : MemoryBudget.defaults();
        ProtocolOptions protocol = b.protocol;
        protocol.loadCompressionLibraries();
        ServerStats.ByteCounter byteCounter = stats.new ByteCounter();

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(EventLoops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeBufferLowWaterMark(), limits.writeBufferHighWaterMark()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (shuttingDown) {
                            ch.close();
                            return;
                        }
                        InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
                        ErrorCode rejection = null;
                        if (limiter.tryAcquire(address)) {
                            stats.connectionOpened();
                            ch.closeFuture().addListener(f -> {
                                limiter.release(address);
                                stats.connectionClosed();
                            });
                        } else {
                            stats.connectionRejected();
                            stats.error(ErrorCode.TOO_MANY_CONNECTIONS);
                            if (tls != null) {
                                // Telling a TLS peer why would cost a full handshake per refused connection.
                                ch.close();
                                return;
                            }
                            rejection = ErrorCode.TOO_MANY_CONNECTIONS;
                        }
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("bytes", byteCounter);
                        if (tls != null) {
                            SslHandler ssl = tls.newHandler(ch.alloc());
                            ssl.setHandshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
                            ssl.handshakeFuture().addListener(f -> {
                                if (f.isSuccess()) {
                                    stats.tlsHandshake(io.vstp.transport.tls.TlsProtocols.namedGroup(
                                            ssl.engine().getSession()));
                                }
                            });
                            p.addLast("tls", ssl);
                        }
                        p.addLast("flush", new FlushConsolidationHandler(256, true));
                        p.addLast(
                                "idle",
                                new IdleStateHandler(limits.idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
                        p.addLast(VstpFrameDecoder.NAME, new VstpFrameDecoder(new FrameReader(limits.frame())));
                        p.addLast("encoder", encoder);
                        p.addLast(
                                "session",
                                new ServerSession(
                                        limits,
                                        protocol,
                                        handler,
                                        legacyAllowed,
                                        rejection,
                                        stats::error,
                                        access,
                                        budget));
                    }
                });
        try {
            ChannelFuture bound = bootstrap.bind(b.host, b.port).sync();
            this.serverChannel = bound.channel();
        } catch (Exception e) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public ServerStats stats() {
        return stats;
    }

    /** The bytes the server holds for its peers, and how many connections it closed to stay within them. */
    public MemoryBudget memoryBudget() {
        return budget;
    }

    /** True when the server speaks TLS (the default). */
    public boolean tls() {
        return tls != null;
    }

    /** The server certificate's SHA-256 fingerprint ({@code sha256:…}), or null in plaintext mode. */
    public String certificateFingerprint() {
        return tls != null ? tls.certificateFingerprint() : null;
    }

    /** "OpenSSL", "JDK" or (FIPS mode) "BCJSSE FIPS", or null in plaintext mode. */
    public String tlsProvider() {
        return tls != null ? tls.provider() : null;
    }

    /** Graceful shutdown (see the class comment). Completes when every thread of the server has stopped. */
    public CompletableFuture<Void> shutdown(Duration deadline) {
        if (shuttingDown) {
            return terminated;
        }
        shuttingDown = true;
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        serverChannel.close().addListener(closed -> {
            for (Channel ch : channels) {
                ServerSession s = ch.pipeline().get(ServerSession.class);
                if (s != null) {
                    s.shutdown();
                } else {
                    ch.close();
                }
            }
            Thread waiter = new Thread(
                    () -> {
                        try {
                            long left = deadlineNanos - System.nanoTime();
                            if (!channels.newCloseFuture().await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                                channels.close().await(1, TimeUnit.SECONDS);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                            terminated.complete(null);
                        }
                    },
                    "vstp-shutdown");
            waiter.setDaemon(true);
            waiter.start();
        });
        return terminated;
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5)).join();
    }

    /** Configures and starts a {@link VstpServer}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 4433;
        private RequestHandler handler = RequestHandler.echo();
        private TransportLimits limits = TransportLimits.DEFAULT;
        private ProtocolOptions protocol = ProtocolOptions.DEFAULT;
        private boolean plain;
        private boolean legacyPeers = true;
        private TlsServerOptions tlsOptions = TlsServerOptions.defaults();
        private int threads;
        private io.vstp.transport.auth.AccessControl access;
        private MemoryBudget budget;

        private Builder() {}

        /** The address to bind; default 127.0.0.1 (use "0.0.0.0" or "::" to listen on every interface). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; default 4433, 0 for any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder handler(RequestHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Which wire versions to accept and what to announce for v2; the default accepts v2 and v1. */
        public Builder protocol(ProtocolOptions options) {
            this.protocol = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder limits(TransportLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** TLS settings; the default is a self-signed certificate kept under the VSTP home directory. */
        public Builder tls(TlsServerOptions options) {
            this.tlsOptions = Objects.requireNonNull(options, "options");
            this.plain = false;
            return this;
        }

        /** No TLS: only for talking to peers that cannot do TLS, such as the Rust crate. */
        public Builder plain() {
            this.plain = true;
            return this;
        }

        /**
         * In plaintext mode, whether peers that send no HELLO (the Rust crate) are served (default true); see
         * docs/spec/session.md §6. TLS sessions always require HELLO.
         */
        public Builder legacyPeers(boolean allowed) {
            this.legacyPeers = allowed;
            return this;
        }

        /** I/O threads; default 0 = one per core. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * How many bytes the server may hold for its peers, in total and per remote address (session.md §8.1);
         * default {@link MemoryBudget#defaults()}.
         */
        public Builder memoryBudget(MemoryBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Authentication and authorisation (docs/spec/session.md §3.4, {@code vstp-security}): every HELLO's
         * credentials are checked before WELCOME, every request is authorised. Default none: every peer may do
         * everything, as on a server that trusts its network.
         */
        public Builder accessControl(io.vstp.transport.auth.AccessControl access) {
            this.access = access;
            return this;
        }

        /** Binds and starts the server. */
        public VstpServer start() throws InterruptedException {
            return new VstpServer(this);
        }
    }
}
