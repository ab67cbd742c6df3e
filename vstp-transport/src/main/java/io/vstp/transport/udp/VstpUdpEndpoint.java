package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.transport.SessionException;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsSessionInfo;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A VSTP endpoint over UDP (docs/spec/udp.md). UDP has no connections, so one endpoint both sends to and receives
 * from any number of peers. Datagrams are protected by DTLS unless the endpoint is built {@code plain()}: by
 * default it is a DTLS server; {@code dtlsClient(...)} makes it the client of the peers it sends to. A frame that
 * fits one datagram is sent as one datagram (what the Rust crate speaks); a larger one is split into fragments,
 * which only VSTP-Java peers reassemble. {@link #sendReliable} delivers a
 * frame exactly once or fails with a clear error: acknowledgements, selective retransmission, an adaptive
 * timeout and congestion control. {@link #send} is best effort.
 *
 * <pre>{@code
 * VstpUdpEndpoint server = VstpUdpEndpoint.builder().port(4434)              // DTLS server, self-signed
 *         .handler((peer, frame) -> { System.out.println(frame.payloadAsString()); frame.release(); })
 *         .start();
 * VstpUdpEndpoint client = VstpUdpEndpoint.builder().dtlsClient(DtlsClientOptions.defaults()).start();
 * client.sendReliable(server.localAddress(), Frame.builder(FrameType.DATA).payload("hi").build()).join();
 * }</pre>
 *
 * <h2>Parts</h2>
 * This class is the facade: it takes sends from any thread onto the event loop and runs the 5 ms tick. The wire
 * is {@link UdpFrames}; what is kept per peer is a {@link UdpPeer} in a bounded {@link PeerTable}; received
 * datagrams go through {@link DatagramInput} (decoding, acknowledgement, {@link FragmentReassembler}, duplicate
 * filtering), and every datagram leaves through {@link DatagramOutput}, which batches v2 frames per peer.
 *
 * <h2>Limits</h2>
 * {@link UdpLimits}, given to the builder, bounds everything a peer can make this endpoint hold (udp.md §7).
 *
 * <h2>Errors</h2>
 * A datagram that does not decode is dropped and counted in {@link #stats()}, never answered. A send that fails
 * completes its future exceptionally with a {@link VstpException}.
 *
 * <h2>Threads</h2>
 * All state lives on the link's event loop; the public methods may be called from any thread. The handler runs
 * on the event loop and must not block.
 */
public final class VstpUdpEndpoint implements AutoCloseable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * The largest datagram the Rust crate reads (its 2 400-byte receive buffer, udp.md §2): over plain UDP, a peer not
     * known to speak v2 gets frames up to this size as one datagram, the only form a crate peer can read (udp.md §4).
     */
    public static final int CRATE_MAX_DATAGRAM = UdpFrames.CRATE_MAX_DATAGRAM;

    /** Receives the frames peers send; owns each frame. */
    @FunctionalInterface
    public interface Handler {
        void onFrame(InetSocketAddress peer, Frame frame);
    }

    private final DatagramLink link;
    private final EventLoop loop;
    private final UdpStats stats = new UdpStats();
    private final UdpFrames frames;
    /** Wire v2 (docs/spec/wire-v2.md §10-§11): offered to every peer, used towards those that speak it. */
    private final boolean wireV2;

    private final DatagramOutput output;
    private final FragmentReassembler reassembler;
    private final PeerTable peers;
    private final DatagramInput input;
    private final ScheduledFuture<?> ticker;
    /** Bytes of reliable messages queued towards all peers. */
    private final AtomicLong queued = new AtomicLong();

    private volatile boolean closed;

    private VstpUdpEndpoint(DatagramLink link, UdpLimits limits, Handler handler, boolean wireV2) {
        this.link = link;
        this.loop = link.eventLoop();
        this.wireV2 = wireV2;
        // Over DTLS the handshake's cookie exchange has proven every peer's address (udp.md §7).
        boolean dtls = dtls();
        this.frames = new UdpFrames(limits, link.maxDatagramSize(), dtls);
        this.reassembler = new FragmentReassembler(limits, frames.chunkSize());
        this.output = new DatagramOutput(link, frames, stats, wireV2, this::speaksV2);
        this.peers = new PeerTable(
                limits, stats, address -> new ReliableSender(address, limits, output, stats, queued, dtls));
        this.input = new DatagramInput(frames, peers, reassembler, output, stats, handler, wireV2);
        link.receiver(input);
        this.ticker = loop.scheduleAtFixedRate(this::tick, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    public InetSocketAddress localAddress() {
        return link.localAddress();
    }

    public UdpStats stats() {
        return stats;
    }

    /** Whether this endpoint runs DTLS (false: plaintext UDP). */
    public boolean dtls() {
        return link instanceof DtlsDatagramLink;
    }

    /** The DTLS session with {@code peer}, if this endpoint runs DTLS and one is established. */
    public Optional<DtlsSessionInfo> dtlsSession(InetSocketAddress peer) {
        return link instanceof DtlsDatagramLink dtls ? dtls.session(peer) : Optional.empty();
    }

    /**
     * Sends {@code frame} once, best effort: one datagram, or unacknowledged fragments when it is larger. Completes
     * when handed to the socket. Takes over {@code frame}.
     */
    public CompletableFuture<Void> send(InetSocketAddress peer, Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(
                () -> {
                    if (closed) {
                        frame.release();
                        done.completeExceptionally(closedError());
                        return;
                    }
                    boolean v2 = speaksV2(peer);
                    ByteBuf encoded;
                    try {
                        encoded = frames.encodeMessage(frame, v2);
                    } catch (FrameException e) {
                        done.completeExceptionally(e);
                        return;
                    } finally {
                        frame.release();
                    }
                    if (encoded.readableBytes() <= frames.oneDatagramLimit(v2)) {
                        output.sendEncoded(peer, encoded);
                    } else {
                        UdpPeer p = peers.getOrCreate(peer);
                        long id = p != null ? p.takeMessageId() : UdpPeer.randomFirstId();
                        int chunkSize = frames.chunkSize();
                        int count = (encoded.readableBytes() + chunkSize - 1) / chunkSize;
                        UdpFrames.MessageHeaders headers =
                                UdpFrames.MessageHeaders.of(id, count, encoded.readableBytes());
                        for (int i = 0; i < count; i++) {
                            int offset = i * chunkSize;
                            int length = Math.min(chunkSize, encoded.readableBytes() - offset);
                            Frame fragment =
                                    UdpFrames.fragment(headers, i, false, encoded.retainedSlice(offset, length));
                            output.sendV1(peer, fragment);
                        }
                        encoded.release();
                    }
                    done.complete(null);
                },
                () -> {
                    frame.release();
                    done.completeExceptionally(closedError());
                });
        return done;
    }

    /**
     * Delivers {@code frame} to {@code peer} exactly once: completes when the peer has acknowledged all of it, or
     * fails with {@code REQUEST_TIMEOUT} after {@code maxRetransmissions} retransmissions of one fragment, or
     * {@code TOO_MANY_IN_FLIGHT} when the peer's send queue is full. A frame that fits one datagram goes the
     * crate's way (REQ_ACK and {@code msg-id}), so this also works towards a crate peer; a larger one is
     * fragmented, which only VSTP-Java peers understand. Takes over {@code frame}.
     */
    public CompletableFuture<Void> sendReliable(InetSocketAddress peer, Frame frame) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(
                () -> {
                    if (closed) {
                        frame.release();
                        result.completeExceptionally(closedError());
                        return;
                    }
                    UdpPeer p = peers.getOrCreate(peer);
                    if (p == null) {
                        frame.release();
                        result.completeExceptionally(new SessionException(
                                ErrorCode.TOO_MANY_IN_FLIGHT, VstpException.Scope.REQUEST, "peer table full"));
                        return;
                    }
                    long id = p.takeMessageId();
                    Frame tagged = UdpFrames.withMessageId(frame, id);
                    ByteBuf encoded;
                    boolean single;
                    try {
                        if (speaksV2(peer)) {
                            // Size known only by encoding: the tagged form first, the plain one if it must be
                            // fragmented.
                            ByteBuf t = frames.encodeV2(tagged);
                            single = t.readableBytes() <= frames.datagramSize();
                            if (single) {
                                encoded = t;
                            } else {
                                t.release();
                                encoded = frames.encodeV2(frame);
                            }
                        } else {
                            // Decide by size first, so a large message is encoded once: fragments carry the frame as
                            // given and are acknowledged by SACK; only a single datagram carries the crate's msg-id and
                            // REQ_ACK.
                            single = frames.encodedSize(tagged) <= frames.v1DatagramSize();
                            encoded = frames.encodeV1(single ? tagged : frame);
                        }
                    } catch (FrameException e) {
                        result.completeExceptionally(e);
                        return;
                    } finally {
                        tagged.release();
                        frame.release();
                    }
                    if (!p.sender.busy()) {
                        // Silence is counted from when it has something to acknowledge, not from its last datagram.
                        p.lastActivityNanos = System.nanoTime();
                    }
                    p.sender.enqueue(id, encoded, frames.chunkSize(), single).whenComplete((v, e) -> {
                        if (e == null) {
                            result.complete(null);
                        } else {
                            result.completeExceptionally(e);
                        }
                    });
                },
                () -> {
                    frame.release();
                    result.completeExceptionally(closedError());
                });
        return result;
    }

    /**
     * Sends {@code frame} once, best effort, in a form even a Rust crate peer reads (udp.md §4): to a peer not known
     * to speak v2, one v1 datagram of at most {@link #CRATE_MAX_DATAGRAM} bytes (or {@code maxDatagramSize} if
     * larger), never fragments, which a crate peer cannot reassemble; a larger frame fails with
     * {@code FRAME_TOO_LARGE} and nothing is sent. A v2 peer, which reassembles, gets it as from {@link #send}.
     * Takes over {@code frame}.
     */
    public CompletableFuture<Void> sendCrateReadable(InetSocketAddress peer, Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(
                () -> {
                    if (closed) {
                        frame.release();
                        done.completeExceptionally(closedError());
                        return;
                    }
                    if (speaksV2(peer)) {
                        send(peer, frame).whenComplete((v, e) -> {
                            if (e == null) {
                                done.complete(null);
                            } else {
                                done.completeExceptionally(e);
                            }
                        });
                        return;
                    }
                    int size;
                    try {
                        size = frames.encodedSize(frame);
                    } catch (RuntimeException e) {
                        frame.release();
                        done.completeExceptionally(e);
                        return;
                    }
                    if (size > frames.v1DatagramSize()) {
                        frame.release();
                        done.completeExceptionally(new FrameException(
                                ErrorCode.FRAME_TOO_LARGE,
                                "a frame of " + size
                                        + " bytes does not fit the " + frames.v1DatagramSize()
                                        + "-byte datagram a peer without "
                                        + "fragments (the Rust crate) reads"));
                        return;
                    }
                    ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(size);
                    try {
                        frames.writeV1(frame, out);
                    } finally {
                        frame.release();
                    }
                    link.send(peer, out);
                    done.complete(null);
                },
                () -> {
                    frame.release();
                    done.completeExceptionally(closedError());
                });
        return done;
    }

    /** True when frames to {@code peer} go as wire v2: it sent us v2, or announced it. */
    private boolean speaksV2(InetSocketAddress peer) {
        if (!wireV2) {
            return false;
        }
        UdpPeer p = peers.get(peer);
        return p != null && p.v2;
    }

    // ---- housekeeping ---------------------------------------------------------------------------------------

    private void tick() {
        long now = System.nanoTime();
        input.sendDelayedAcks();
        reassembler.expire(now);
        peers.sweep(now);
    }

    /** Runs {@code task} on the event loop, or {@code ifClosed} if the endpoint closed and the loop is gone. */
    private void onLoop(Runnable task, Runnable ifClosed) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            ifClosed.run();
        }
    }

    private static SessionException closedError() {
        return new SessionException(ErrorCode.CONNECTION_CLOSED, VstpException.Scope.REQUEST, "endpoint closed");
    }

    /** Bytes of reliable messages queued towards all peers right now (for tests and metrics). */
    public long queuedBytes() {
        return queued.get();
    }

    /** Bytes held by reassembly right now (for tests and metrics). */
    public long reassemblyBytes() {
        return onLoopGet(reassembler::bufferedBytes);
    }

    /** Messages being reassembled right now. */
    public int reassemblies() {
        return onLoopGet(reassembler::activeCount);
    }

    private <T> T onLoopGet(Supplier<T> getter) {
        if (loop.inEventLoop()) {
            return getter.get();
        }
        return CompletableFuture.supplyAsync(getter, loop).join();
    }

    /** Stops the endpoint: pending reliable sends fail, reassembly state is released, the link closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture.runAsync(
                        () -> {
                            ticker.cancel(false);
                            peers.clear("endpoint closed");
                            output.discard();
                            input.close();
                            reassembler.clear();
                        },
                        loop)
                .join();
        link.close();
    }

    /** Configures a {@link VstpUdpEndpoint}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private UdpLimits limits = UdpLimits.DEFAULT;
        private Handler handler = (peer, frame) -> frame.release();
        private DatagramLink link;
        private DtlsServerOptions dtlsServer = DtlsServerOptions.defaults();
        private DtlsClientOptions dtlsClient;
        private boolean plain;
        private boolean wireV2 = true;

        private Builder() {}

        /**
         * Whether to speak wire v2 with peers that speak it (the default): v2 datagrams, several frames per
         * datagram (docs/spec/wire-v2.md §11). False keeps every datagram v1.
         */
        public Builder wireV2(boolean value) {
            this.wireV2 = value;
            return this;
        }

        /** Address to bind (default 127.0.0.1). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** Port to bind (default 0: any free port). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder limits(UdpLimits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        public Builder handler(Handler handler) {
            this.handler = Objects.requireNonNull(handler);
            return this;
        }

        /**
         * Runs over this link as given instead of binding a socket (a fault-injecting link in tests, a link shared
         * with other code). The link's own security applies; {@link #plain()} and the DTLS settings do not.
         */
        public Builder link(DatagramLink link) {
            this.link = Objects.requireNonNull(link);
            return this;
        }

        /**
         * DTLS server role (the default, with a self-signed certificate kept under the VSTP home directory):
         * peers handshake with this endpoint before any frame flows. See docs/guide/dtls.md.
         */
        public Builder dtlsServer(DtlsServerOptions options) {
            this.dtlsServer = Objects.requireNonNull(options);
            this.dtlsClient = null;
            this.plain = false;
            return this;
        }

        /**
         * DTLS client role: the first datagram to a peer starts a handshake with it (certificates verified like
         * TCP: system CAs, CA file, pins, trust on first use).
         */
        public Builder dtlsClient(DtlsClientOptions options) {
            this.dtlsClient = Objects.requireNonNull(options);
            this.plain = false;
            return this;
        }

        /** No DTLS: plaintext datagrams, e.g. to talk to the Rust crate, which has no DTLS. */
        public Builder plain() {
            this.plain = true;
            return this;
        }

        public VstpUdpEndpoint start() throws InterruptedException {
            DatagramLink l = link;
            if (l == null) {
                NettyDatagramLink socket =
                        NettyDatagramLink.bind(new InetSocketAddress(host, port), null, limits.maxDatagramSize());
                try {
                    l = plain
                            ? socket
                            : dtlsClient != null
                                    ? DtlsDatagramLink.client(socket, dtlsClient)
                                    : DtlsDatagramLink.server(socket, dtlsServer);
                } catch (RuntimeException e) {
                    socket.close();
                    throw e;
                }
            }
            return new VstpUdpEndpoint(l, limits, handler, wireV2);
        }
    }
}
