package io.vstp.bench.suite;

import io.netty.buffer.ByteBuf;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * rsocket-java 1.1 over TCP (rsocket-transport-netty on reactor-netty 1.3, on the Netty 4.2 this build pins): what
 * a Java team would pick for reactive messaging. A frame is RSocket's (3-byte length, stream id, type, flags) with
 * the suite's payload as data and no metadata; no headers of ours.
 *
 * <p>Measured:
 * <ul>
 *   <li>{@code request}: one {@code requestResponse} per request, a new RSocket stream each; the server echoes the
 *       payload ({@code Mono.just(payload)}).
 *   <li>{@code send}: one {@code requestChannel} per connection, opened at start, whose messages the server counts.
 *       Not {@code fireAndForget}: in rsocket-java a fire-and-forget completes once its frame is queued in the
 *       connection's unbounded send queue, so a sender calling it in a loop is never held back and the queue grows
 *       without limit. A channel has RSocket's own flow control instead: the server asks for messages with
 *       REQUEST_N frames ({@code limitRate}, a window of about 1 MiB of payload, at least 2 and at most 1024
 *       messages), the client emits only against that credit, and {@link #send} blocks while it has none. So a
 *       sender is held back end to end, by what the server has consumed, which is the real backpressure the suite
 *       asks for (as gRPC's HTTP/2 flow control and VSTP's water marks do).
 * </ul>
 *
 * <p>Payloads are zero-copy on both sides ({@link PayloadDecoder#ZERO_COPY}, as rsocket-java advises for
 * throughput; the default decoder copies every payload to the heap). Threads: the server runs on one reactor-netty
 * event loop (plus one acceptor), all client connections on another, epoll when available, as VSTP runs.
 * Keep-alive and everything else at rsocket-java's defaults.
 */
final class RsocketPeer implements Peer {
    private static final int CHANNEL_WINDOW_BYTES = 1024 * 1024;

    private final LongAdder received = new LongAdder();
    private final List<Connection> connections = new ArrayList<>();
    private LoopResources serverLoops;
    private LoopResources clientLoops;
    private CloseableChannel server;
    private ByteBuf payload;
    private int window;

    @Override
    public void start(PeerSetup setup) throws Exception {
        if (!setup.variant().isEmpty()) {
            throw new IllegalArgumentException("rsocket has no variants");
        }
        payload = setup.directPayload();
        window = Math.max(2, Math.min(1024, CHANNEL_WINDOW_BYTES / Math.max(1, setup.size())));
        serverLoops = LoopResources.create("rsocket-peer-server", 1, 1, true);
        clientLoops = LoopResources.create("rsocket-peer-client", 1, true);
        RSocket responder = new Responder(received, window);
        server = RSocketServer.create(SocketAcceptor.with(responder))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create(
                        TcpServer.create().host("127.0.0.1").port(0).runOn(serverLoops)))
                .block(Duration.ofSeconds(10));
        int port = server.address().getPort();
        for (int i = 0; i < setup.connections(); i++) {
            RSocket rsocket = RSocketConnector.create()
                    .payloadDecoder(PayloadDecoder.ZERO_COPY)
                    .connect(TcpClientTransport.create(
                            TcpClient.create().host("127.0.0.1").port(port).runOn(clientLoops)))
                    .block(Duration.ofSeconds(10));
            Connection c = new Connection(rsocket);
            connections.add(c);
            if (setup.mode() == PeerSetup.Mode.SINK) {
                c.openChannel();
            }
        }
    }

    @Override
    public void send(int connection) throws Exception {
        connections.get(connection).send(payload.retainedDuplicate());
    }

    @Override
    public long received() {
        return received.sum();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        return connections
                .get(connection)
                .rsocket
                .requestResponse(ByteBufPayload.create(payload.retainedDuplicate()))
                .doOnNext(Payload::release)
                .then()
                .toFuture();
    }

    @Override
    public String detail() {
        return "rsocket-java " + Versions.get("rsocket") + " over TCP (reactor " + Versions.get("reactor-bom")
                + " BOM, Netty "
                + io.netty.util.Version.identify().values().iterator().next().artifactVersion()
                + ", " + (LoopResources.hasNativeSupport() ? "native" : "nio") + "), plaintext, zero-copy payloads"
                + ", rr as requestResponse, one-way as a requestChannel per connection (REQUEST_N window "
                + window + " messages)";
    }

    @Override
    public void close() throws Exception {
        for (Connection c : connections) {
            c.close();
        }
        if (server != null) {
            server.dispose();
            server.onClose().onErrorComplete().block(Duration.ofSeconds(2));
        }
        for (LoopResources l : new LoopResources[] {clientLoops, serverLoops}) {
            if (l != null) {
                l.disposeLater(Duration.ZERO, Duration.ofSeconds(1)).block(Duration.ofSeconds(3));
            }
        }
    }

    /** The server: echo for requestResponse, count for the channel; release what it does not send back. */
    private static final class Responder implements RSocket {
        private final LongAdder received;
        private final int window;

        Responder(LongAdder received, int window) {
            this.received = received;
            this.window = window;
        }

        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            return Mono.just(payload);
        }

        @Override
        public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
            // limitRate: ask for `window` messages, then for 75 % more each time 75 % were consumed. That demand is
            // what the requester may send (REQUEST_N frames); nothing asks for more than was consumed.
            return Flux.from(payloads).limitRate(window).handle((p, sink) -> {
                p.release();
                received.increment();
            });
        }
    }

    /** One client connection; for one-way, a channel whose sender blocks while it has no credit. */
    private static final class Connection {
        private final RSocket rsocket;
        private final AtomicLong credit = new AtomicLong();
        private final Object gate = new Object();
        private volatile FluxSink<Payload> sink;
        private volatile Throwable failure;

        Connection(RSocket rsocket) {
            this.rsocket = rsocket;
        }

        void openChannel() {
            // create, not push: a push sink reports unbounded demand to onRequest. ERROR if we ever emitted beyond
            // the demand, which the credit count below rules out.
            Flux<Payload> outbound = Flux.create(
                    s -> {
                        sink = s; // before onRequest, which may run at once with demand already there
                        s.onRequest(n -> {
                            credit.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                            synchronized (gate) {
                                gate.notifyAll();
                            }
                        });
                    },
                    FluxSink.OverflowStrategy.ERROR);
            rsocket.requestChannel(outbound).subscribe(Payload::release, e -> {
                failure = e;
                synchronized (gate) {
                    gate.notifyAll();
                }
            });
        }

        /** Called by this connection's one sender thread: waits for credit, then emits. */
        void send(ByteBuf data) throws InterruptedException {
            if (credit.get() == 0) {
                synchronized (gate) {
                    while (credit.get() == 0) {
                        if (failure != null) {
                            data.release();
                            throw new IllegalStateException("channel failed: " + failure, failure);
                        }
                        gate.wait(100);
                    }
                }
            }
            credit.decrementAndGet();
            FluxSink<Payload> s = sink;
            if (s.isCancelled()) {
                data.release();
                throw new IllegalStateException("channel cancelled", failure);
            }
            s.next(ByteBufPayload.create(data));
        }

        void close() {
            FluxSink<Payload> s = sink;
            if (s != null) {
                s.complete();
            }
            rsocket.dispose();
            rsocket.onClose().onErrorComplete().block(Duration.ofSeconds(2));
        }
    }
}
