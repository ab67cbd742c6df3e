package io.vstp.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v1.VstpFrameEncoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.transport.session.ClientSession;
import io.vstp.transport.tls.ClientTls;
import io.vstp.transport.tls.TlsClientOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens VSTP connections: TLS 1.3 unless built with {@link Builder#plain()}. One client owns a set of I/O threads
 * shared by all its connections; close it when done.
 *
 * <pre>{@code
 * try (VstpClient client = VstpClient.builder().build();
 *      VstpConnection conn = client.connect("127.0.0.1", 4433).join()) {
 *     Frame reply = conn.request(Frame.builder(FrameType.DATA).payload("hi").build()).join();
 *     ...
 *     reply.release();
 * }
 * }</pre>
 */
public final class VstpClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final ClientTls tls;
    private final TransportLimits limits;
    private final ProtocolOptions protocol;
    private final boolean legacyPeer;
    /** Plaintext: HELLO unanswered this long means a legacy peer (null: never assume one). */
    private final Duration legacyProbe;

    private final Duration requestTimeout;
    private final java.util.function.Supplier<String> tokens;

    private VstpClient(Builder b) {
        this.tls = b.plain ? null : ClientTls.create(b.tlsOptions);
        this.limits = b.limits;
        this.protocol = b.protocol;
        protocol.loadCompressionLibraries();
        this.legacyPeer = b.plain && b.legacyPeer;
        // Credentials travel in HELLO: a client with a token never drops them to reach a peer without sessions.
        this.legacyProbe = b.plain && b.tokens == null ? b.legacyProbe : null;
        this.requestTimeout = b.requestTimeout;
        this.tokens = b.tokens;
        this.group = EventLoops.newGroup("vstp-client", b.threads);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects and establishes a session (TLS handshake, HELLO/WELCOME). Fails with a {@link SessionException}:
     * {@code TLS_FAILED} for an untrusted certificate or a changed pin, {@code CONNECTION_CLOSED} when the server
     * cannot be reached, or the code of the server's ERR (e.g. {@code TOO_MANY_CONNECTIONS}).
     */
    public CompletableFuture<VstpConnection> connect(String host, int port) {
        if (legacyPeer || legacyProbe == null) {
            return connect(host, port, legacyPeer);
        }
        CompletableFuture<VstpConnection> result = new CompletableFuture<>();
        ClientSession probe =
                new ClientSession(limits, protocol, false, code -> {}, tokens).detectPeerWithoutSessions(legacyProbe);
        connect(host, port, probe).whenComplete((c, e) -> {
            if (e == null) {
                result.complete(c);
            } else if (probe.peerWithoutSessions()) {
                // HELLO went unanswered: a peer without sessions (session.md §6), reached again the way it speaks.
                connect(host, port, true).whenComplete((legacy, e2) -> {
                    if (e2 == null) {
                        result.complete(legacy);
                    } else {
                        result.completeExceptionally(e2);
                    }
                });
            } else {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private CompletableFuture<VstpConnection> connect(String host, int port, boolean legacy) {
        return connect(host, port, new ClientSession(limits, protocol, legacy, code -> {}, tokens));
    }

    private CompletableFuture<VstpConnection> connect(String host, int port, ClientSession session) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(EventLoops.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        limits.handshakeTimeout().toMillis())
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeBufferLowWaterMark(), limits.writeBufferHighWaterMark()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (tls != null) {
                            SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
                            ssl.setHandshakeTimeout(limits.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
                            p.addLast("tls", ssl);
                        }
                        p.addLast("flush", new FlushConsolidationHandler(256, true));
                        p.addLast(
                                "idle",
                                new IdleStateHandler(
                                        limits.idleTimeout().toNanos(),
                                        0,
                                        limits.keepaliveInterval().toNanos(),
                                        TimeUnit.NANOSECONDS));
                        p.addLast(VstpFrameDecoder.NAME, new VstpFrameDecoder(new FrameReader(limits.frame())));
                        p.addLast(
                                "encoder",
                                new VstpFrameEncoder(
                                        new FrameWriter(limits.frame().maxFrameSize())));
                        p.addLast("session", session);
                    }
                });
        CompletableFuture<VstpConnection> result = new CompletableFuture<>();
        bootstrap.connect(host, port).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new SessionException(
                        ErrorCode.CONNECTION_CLOSED,
                        VstpException.Scope.CONNECTION,
                        connectFailure(f.cause(), host, port),
                        f.cause()));
                return;
            }
            session.whenEstablished().whenComplete((ok, error) -> {
                if (error == null) {
                    result.complete(new VstpConnection(session, requestTimeout));
                } else {
                    result.completeExceptionally(error);
                }
            });
        });
        return result;
    }

    /** Why a connect failed, in the words of the socket API rather than of Netty's native transport. */
    static String connectFailure(Throwable cause, String host, int port) {
        String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        if (cause instanceof java.net.UnknownHostException) {
            return "unknown host " + host;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "no answer from " + where + " (connect timed out)";
        }
        if (cause instanceof java.net.NoRouteToHostException) {
            return "no route to " + where;
        }
        String m = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (cause instanceof java.net.ConnectException && m.contains("refused")) {
            return "connection refused by " + where;
        }
        if (m.contains("network is unreachable")) {
            return "network unreachable for " + where;
        }
        return "cannot connect to " + where + ": " + cause.getMessage();
    }

    /** A pool of connections to {@code host:port} (see {@link VstpConnectionPool}); close it before the client. */
    public VstpConnectionPool pool(String host, int port, PoolOptions options) {
        return new VstpConnectionPool(this, host, port, options, requestTimeout, group.next());
    }

    /** Stops the client's threads; its connections close. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Configures a {@link VstpClient}. */
    public static final class Builder {
        private TransportLimits limits = TransportLimits.DEFAULT;
        private ProtocolOptions protocol = ProtocolOptions.DEFAULT;
        private boolean plain;
        private boolean legacyPeer;
        private Duration legacyProbe;
        private TlsClientOptions tlsOptions = TlsClientOptions.defaults();
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int threads;
        private java.util.function.Supplier<String> tokens;

        private Builder() {}

        /** Which wire versions to offer and what to announce for v2; the default offers v2, then v1. */
        public Builder protocol(ProtocolOptions options) {
            this.protocol = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder limits(TransportLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** TLS settings; the default trusts the system store and pins unknown servers on first use. */
        public Builder tls(TlsClientOptions options) {
            this.tlsOptions = Objects.requireNonNull(options, "options");
            this.plain = false;
            return this;
        }

        /** No TLS: only for servers that cannot do TLS, such as the Rust crate. */
        public Builder plain() {
            this.plain = true;
            return this;
        }

        /**
         * Plaintext only: the server is a legacy peer (the Rust crate) that knows no sessions, so send no HELLO,
         * PING or BYE (docs/spec/session.md §6). Requests still carry {@code req-id}; the server must echo it.
         */
        public Builder legacyPeer(boolean legacy) {
            this.legacyPeer = legacy;
            return this;
        }

        /**
         * Plaintext only: when the server answers HELLO neither with WELCOME nor with ERR within {@code wait} (or
         * answers it with any other frame), take it for a legacy peer (the Rust crate's server, which never answers
         * HELLO) and connect again as {@link #legacyPeer(boolean) legacyPeer(true)} does. A VSTP server answers at
         * once, so {@code wait} only has to cover the round trip and, on a server that authenticates, its check
         * of the credentials. A client with a {@link #bearerToken bearer token} never falls back: its credentials
         * travel in HELLO. Default: never (null).
         */
        public Builder detectLegacyPeer(Duration wait) {
            if (wait != null && (wait.isNegative() || wait.isZero())) {
                throw new IllegalArgumentException("wait must be positive, was " + wait);
            }
            this.legacyProbe = wait;
            return this;
        }

        /** Default timeout of {@link VstpConnection#request}; default 30 s. */
        /**
         * A bearer token sent in HELLO (docs/spec/session.md §3.4), asked for on every connect and, on wire v2,
         * again to refresh the session's credentials before they expire (§3.5). Called on an event loop: it must
         * return at once (read a field or a small file). Default none.
         */
        public Builder bearerToken(java.util.function.Supplier<String> tokens) {
            this.tokens = tokens;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** I/O threads; default 0 = one per core. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public VstpClient build() {
            if (legacyPeer && !plain) {
                throw new IllegalStateException("legacyPeer requires plain(): legacy peers have no TLS");
            }
            if (legacyPeer && tokens != null) {
                throw new IllegalStateException(
                        "legacyPeer sends no HELLO, so no bearer token: legacy peers do not " + "authenticate");
            }
            return new VstpClient(this);
        }
    }
}
