package io.vstp.bench.suite;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.Grpc;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.TlsServerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLSession;

/**
 * grpc-java over HTTP/2 ({@code grpc-netty-shaded}, its own relocated Netty), plaintext ({@code grpc}) or TLS
 * 1.3 ({@code grpc-tls}): what a Java team would pick for RPC. No protoc: the methods are built by hand with a
 * byte-array marshaller, so a message is the suite's payload and nothing else (no protobuf encoding, no headers of
 * ours); gRPC adds its own per-call HTTP/2 HEADERS (method path, content-type, te, grpc-status trailers) and a
 * 5-byte length prefix per message.
 *
 * <p>Measured:
 * <ul>
 *   <li>{@code request}, variant {@code unary} (default): one unary call {@code Echo} per request, a new HTTP/2
 *       stream each (HEADERS + DATA out, HEADERS + DATA + trailers back): gRPC's normal request/response.
 *   <li>{@code request}, variant {@code streaming}: one bidi call {@code EchoStream} per connection, opened at
 *       start; the server answers every message on it in order and the client matches responses first in, first
 *       out (what VSTP does with request ids, minus the ids). Per message, only DATA frames.
 *   <li>{@code send}: one client-streaming call {@code Sink} per connection, opened at start; the server counts the
 *       messages. Backpressure is gRPC's: the sender blocks until {@link ClientCallStreamObserver#isReady()} (its
 *       outbound buffer under gRPC's 32 KiB threshold, which HTTP/2 flow control holds back when the server stops
 *       reading), woken by the on-ready handler.
 * </ul>
 *
 * <p>Threads: one Netty event loop for the server (plus one acceptor) and one for all client channels, epoll when
 * available, as VSTP runs. Both sides use a direct executor: every callback here (echo, count, completing a
 * future, waking a sender) is short and never blocks, which is the case gRPC documents direct executors for; so no
 * hand-off to gRPC's default cached pool. One {@link ManagedChannel} per connection: one TCP connection each.
 *
 * <p>TLS: the server presents the same kind of self-signed EC P-256 certificate as VSTP (made by {@link
 * CertifiedKey#forServer} in a temporary home, deleted on close); the client trusts exactly that certificate.
 * Protocol TLS 1.3 only; provider as {@link GrpcSslContexts} picks it (its shaded BoringSSL when it loads, as
 * VSTP's default), reported in {@link #detail()}.
 *
 * <p>Costs VSTP does not have here: a message is copied out of gRPC's buffers into a new {@code byte[]} on every
 * receive, and a call allocates several kilobytes (metadata, stream state). And warm-up: grpc-java has much more
 * code on its call path than the other peers, and in a fresh JVM on 2 cores its unary calls only reach their
 * steady rate after about 4 s of load (JIT), longer than the suite's warm-up (a tenth of the window, at most 1 s),
 * so short runs understate it.
 */
final class GrpcPeer implements Peer {
    private static final String SERVICE = "vstp.bench.Bench";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new BytesMarshaller();
    private static final MethodDescriptor<byte[], byte[]> ECHO = method("Echo", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<byte[], byte[]> ECHO_STREAM =
            method("EchoStream", MethodDescriptor.MethodType.BIDI_STREAMING);
    private static final MethodDescriptor<byte[], byte[]> SINK =
            method("Sink", MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final byte[] EMPTY = new byte[0];

    private final boolean tls;
    private final LongAdder received = new LongAdder();
    private final List<Connection> connections = new ArrayList<>();
    private boolean streaming;
    private byte[] payload;
    private Server server;
    private EventLoopGroup boss;
    private EventLoopGroup serverLoop;
    private EventLoopGroup clientLoop;
    private Path home;
    private String tlsDetail = "";

    GrpcPeer(boolean tls) {
        this.tls = tls;
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        switch (setup.variant()) {
            case "", "unary" -> streaming = false;
            case "streaming" -> streaming = true;
            default ->
                throw new IllegalArgumentException("unknown gRPC variant " + setup.variant() + " (unary, streaming)");
        }
        payload = setup.payload();
        boolean epoll = Epoll.isAvailable();
        boss = group(epoll, "grpc-peer-accept");
        serverLoop = group(epoll, "grpc-peer-server");
        clientLoop = group(epoll, "grpc-peer-client");
        Class<? extends ServerChannel> serverChannel =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Class<? extends Channel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;

        NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(serverLoop)
                .channelType(serverChannel)
                .directExecutor()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .addService(service());
        SslContext clientSsl = null;
        if (tls) {
            home = Files.createTempDirectory("vstp-suite-grpc-");
            CertifiedKey key =
                    CertifiedKey.forServer(TlsServerOptions.builder().home(home).build());
            SslContext serverSsl = GrpcSslContexts.configure(
                            SslContextBuilder.forServer(key.key(), key.chain().toArray(X509Certificate[]::new)))
                    .protocols("TLSv1.3")
                    .build();
            sb.sslContext(serverSsl);
            clientSsl = GrpcSslContexts.forClient()
                    .trustManager(key.leaf())
                    .protocols("TLSv1.3")
                    .build();
            tlsDetail = ", provider " + provider(serverSsl) + " server, " + provider(clientSsl) + " client";
        }
        server = sb.build().start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getPort());
        for (int i = 0; i < setup.connections(); i++) {
            NettyChannelBuilder cb = NettyChannelBuilder.forAddress(address)
                    .eventLoopGroup(clientLoop)
                    .channelType(clientChannel)
                    .directExecutor()
                    .maxInboundMessageSize(Integer.MAX_VALUE);
            if (tls) {
                cb.sslContext(clientSsl);
            } else {
                cb.usePlaintext();
            }
            Connection c = new Connection(cb.build());
            connections.add(c);
            Attributes attributes = c.probe(payload).get(10, TimeUnit.SECONDS); // connects; one round trip
            if (tls && i == 0) {
                SSLSession s = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                tlsDetail = (s == null ? " (no TLS session seen)" : " " + s.getProtocol() + " " + s.getCipherSuite())
                        + tlsDetail;
            }
            if (setup.mode() == PeerSetup.Mode.SINK) {
                c.openSink();
            } else if (streaming) {
                c.openEchoStream();
            }
        }
    }

    /** What GrpcSslContexts chose: its shaded BoringSSL when that loads, else the JDK's TLS. */
    private static String provider(SslContext context) {
        return context instanceof ReferenceCountedOpenSslContext ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    private static EventLoopGroup group(boolean epoll, String name) {
        DefaultThreadFactory threads = new DefaultThreadFactory(name, true);
        return epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(
                        ECHO_STREAM,
                        ServerCalls.asyncBidiStreamingCall(
                                (StreamObserver<byte[]> response) -> new StreamObserver<byte[]>() {
                                    @Override
                                    public void onNext(byte[] m) {
                                        // Unbounded on the server's side, but the client keeps at most its concurrency
                                        // in flight.
                                        response.onNext(m);
                                    }

                                    @Override
                                    public void onError(Throwable t) {}

                                    @Override
                                    public void onCompleted() {
                                        response.onCompleted();
                                    }
                                }))
                .addMethod(
                        SINK,
                        ServerCalls.asyncClientStreamingCall(
                                (StreamObserver<byte[]> response) -> new StreamObserver<byte[]>() {
                                    @Override
                                    public void onNext(byte[] m) {
                                        received.increment();
                                    }

                                    @Override
                                    public void onError(Throwable t) {}

                                    @Override
                                    public void onCompleted() {
                                        response.onNext(EMPTY);
                                        response.onCompleted();
                                    }
                                }))
                .build();
    }

    @Override
    public void send(int connection) throws Exception {
        connections.get(connection).send(payload);
    }

    @Override
    public long received() {
        return received.sum();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        Connection c = connections.get(connection);
        return streaming ? c.streamRequest(payload) : c.unary(payload);
    }

    @Override
    public String detail() {
        String versions = "grpc-java " + grpcVersion() + " (grpc-netty-shaded, Netty " + shadedNettyVersion() + ", "
                + (Epoll.isAvailable() ? "epoll" : "nio") + "), byte[] marshaller, direct executors";
        return versions + ", rr as " + (streaming ? "one bidi stream per connection (FIFO)" : "unary calls")
                + ", one-way as a client-streaming call (isReady backpressure), "
                + (tls ? "TLS" + tlsDetail : "plaintext (h2c)");
    }

    /** The version of gRPC's relocated Netty, from its relocated versions file (not our Netty's). */
    private static String shadedNettyVersion() {
        java.util.Properties p = new java.util.Properties();
        try (InputStream in = GrpcPeer.class
                .getClassLoader()
                .getResourceAsStream("META-INF/io.grpc.netty.shaded.io.netty.versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "?";
        }
        return p.getProperty("netty-common.version", "?");
    }

    private static String grpcVersion() {
        return io.grpc.internal.GrpcUtil.IMPLEMENTATION_VERSION;
    }

    @Override
    public void close() throws Exception {
        for (Connection c : connections) {
            c.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : new EventLoopGroup[] {clientLoop, serverLoop, boss}) {
            if (g != null) {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
            }
        }
        PeerSetup.deleteTree(home);
    }

    /** One channel (one TCP connection) and the long-lived calls on it. */
    private static final class Connection {
        private final ManagedChannel channel;
        private final Object readyGate = new Object();
        private volatile ClientCallStreamObserver<byte[]> sink;
        private volatile Throwable sinkFailure;
        // Bidi echo: requests written and futures queued together under this lock, so responses match FIFO.
        private final ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        private StreamObserver<byte[]> echoStream;
        private Throwable echoFailure;

        Connection(ManagedChannel channel) {
            this.channel = channel;
        }

        /** One unary call through the raw ClientCall, to connect and read the transport's attributes. */
        CompletableFuture<Attributes> probe(byte[] payload) {
            CompletableFuture<Attributes> f = new CompletableFuture<>();
            ClientCall<byte[], byte[]> call = channel.newCall(ECHO, CallOptions.DEFAULT.withWaitForReady());
            call.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            if (status.isOk()) {
                                f.complete(call.getAttributes());
                            } else {
                                f.completeExceptionally(status.asRuntimeException(trailers));
                            }
                        }
                    },
                    new Metadata());
            call.request(1);
            call.sendMessage(payload);
            call.halfClose();
            return f;
        }

        CompletableFuture<Void> unary(byte[] payload) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            ClientCalls.asyncUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT), payload, new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {}

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    f.complete(null);
                }
            });
            return f;
        }

        void openEchoStream() {
            echoStream = ClientCalls.asyncBidiStreamingCall(
                    channel.newCall(ECHO_STREAM, CallOptions.DEFAULT), new StreamObserver<byte[]>() {
                        @Override
                        public void onNext(byte[] value) {
                            CompletableFuture<Void> f;
                            synchronized (pending) {
                                f = pending.poll();
                            }
                            if (f != null) {
                                f.complete(null);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            failAll(t);
                        }

                        @Override
                        public void onCompleted() {
                            failAll(new IllegalStateException("echo stream completed by the server"));
                        }
                    });
        }

        private void failAll(Throwable t) {
            List<CompletableFuture<Void>> failed;
            synchronized (pending) {
                echoFailure = t;
                failed = new ArrayList<>(pending);
                pending.clear();
            }
            failed.forEach(f -> f.completeExceptionally(t));
        }

        CompletableFuture<Void> streamRequest(byte[] payload) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            synchronized (pending) {
                if (echoFailure != null) {
                    f.completeExceptionally(echoFailure);
                    return f;
                }
                pending.add(f);
                echoStream.onNext(payload); // StreamObserver is not thread-safe: written under the same lock
            }
            return f;
        }

        void openSink() {
            ClientCalls.asyncClientStreamingCall(
                    channel.newCall(SINK, CallOptions.DEFAULT), new ClientResponseObserver<byte[], byte[]>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
                            sink = requestStream;
                            requestStream.setOnReadyHandler(() -> {
                                synchronized (readyGate) {
                                    readyGate.notifyAll();
                                }
                            });
                        }

                        @Override
                        public void onNext(byte[] value) {}

                        @Override
                        public void onError(Throwable t) {
                            sinkFailure = t;
                            synchronized (readyGate) {
                                readyGate.notifyAll();
                            }
                        }

                        @Override
                        public void onCompleted() {}
                    });
        }

        /** Called by this connection's one sender thread: waits until gRPC is ready for more, then writes. */
        void send(byte[] payload) throws InterruptedException {
            ClientCallStreamObserver<byte[]> s = sink;
            if (!s.isReady()) {
                synchronized (readyGate) {
                    while (!s.isReady()) {
                        if (sinkFailure != null) {
                            throw new IllegalStateException("Sink call failed: " + sinkFailure, sinkFailure);
                        }
                        readyGate.wait(100);
                    }
                }
            }
            s.onNext(payload);
        }

        void close() throws InterruptedException {
            ClientCallStreamObserver<byte[]> s = sink;
            if (s != null && sinkFailure == null) {
                try {
                    s.onCompleted();
                } catch (RuntimeException e) {
                    // already cancelled
                }
            }
            channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        }
    }

    /**
     * The payload as the message, nothing added. Its stream tells gRPC the length ({@link KnownLength}) and
     * drains straight into gRPC's buffer ({@link Drainable}), as protobuf's marshaller does.
     */
    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new BytesStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    // gRPC's message streams know their length: one array of exactly that size, no 8 KiB chunks
                    // as readAllBytes would allocate.
                    byte[] message = new byte[stream.available()];
                    int n = stream.readNBytes(message, 0, message.length);
                    if (n == message.length && stream.read() == -1) {
                        return message;
                    }
                    throw new IOException("message length differs from what its stream announced");
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL
                        .withDescription("cannot read message")
                        .withCause(e)
                        .asRuntimeException();
            }
        }
    }

    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
