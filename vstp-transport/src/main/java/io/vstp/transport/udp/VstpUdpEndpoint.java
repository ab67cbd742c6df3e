package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.FrameReader;
import io.vstp.core.codec.FrameWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.v2.HeaderBlockDecoder;
import io.vstp.core.v2.Integrity;
import io.vstp.core.v2.V2Datagrams;
import io.vstp.core.v2.V2FrameReader;
import io.vstp.core.v2.V2FrameWriter;
import io.vstp.core.v2.V2Limits;
import io.vstp.transport.SessionException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A VSTP endpoint over UDP (docs/spec/udp.md). UDP has no connections, so one endpoint both sends to and receives
 * from any number of peers. Datagrams are protected by DTLS unless the endpoint is built {@code plain()}: by
 * default it is a DTLS server; {@code dtlsClient(...)} makes it the client of the peers it sends to. A frame that fits one datagram is sent as one datagram (what the Rust crate speaks);
 * a larger one is split into fragments, which only VSTP-Java peers reassemble. {@link #sendReliable} delivers a
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
 * <h2>Threads</h2>
 * All state lives on the link's event loop; the public methods may be called from any thread. The handler runs
 * on the event loop and must not block.
 */
public final class VstpUdpEndpoint implements AutoCloseable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** The header that announces wire versions (wire-v2.md §10, UDP). */
    private static final String VERSIONS = "versions";
    /** A receiver acknowledges at least every this many fragments of a message. */
    private static final int ACK_EVERY = 4;
    /**
     * The largest datagram the Rust crate reads (its 2 400-byte receive buffer, udp.md §2): over plain UDP, a peer not
     * known to speak v2 gets frames up to this size as one datagram, the only form a crate peer can read (udp.md §4).
     */
    public static final int CRATE_MAX_DATAGRAM = 2400;

    /** Receives the frames peers send; owns each frame. */
    @FunctionalInterface
    public interface Handler {
        void onFrame(InetSocketAddress peer, Frame frame);
    }

    private final DatagramLink link;
    private final EventLoop loop;
    private final UdpLimits limits;
    private final Handler handler;
    private final UdpStats stats = new UdpStats();
    private final FrameReader datagramReader;
    private final FrameReader messageReader;
    private final FrameWriter datagramWriter;
    private final FrameWriter messageWriter;
    private final int chunkSize;
    /** Wire v2 (docs/spec/wire-v2.md §10-§11): offered to every peer, used towards those that speak it. */
    private final boolean wireV2;
    private final V2FrameReader v2DatagramReader;
    private final V2FrameReader v2MessageReader;
    private final V2FrameWriter v2DatagramWriter;
    private final V2FrameWriter v2MessageWriter;
    /** v2 frames ready at the same time for one peer share datagrams; sent at the end of the event-loop task. */
    private final Map<InetSocketAddress, V2Datagrams.Batch> batches = new HashMap<>();
    private boolean flushScheduled;
    private final int datagramSize;
    /** The largest v1 frame sent as one datagram to a peer not known to speak v2 (udp.md §4). */
    private final int v1DatagramSize;
    private final FragmentReassembler reassembler;
    /** Access-ordered, so the least recently active peer is evicted first. */
    private final LinkedHashMap<InetSocketAddress, Peer> peers = new LinkedHashMap<>(64, 0.75f, true);
    /** Reassemblies with fragments received since their last SACK (delayed acknowledgement). */
    private final Set<FragmentReassembler.Reassembly> unacknowledged = new HashSet<>();
    private final ScheduledFuture<?> ticker;
    /** Ids start at random per peer (udp.md §5.4): nobody can guess the ids of messages sent to another peer. */
    private static final SecureRandom IDS = new SecureRandom();
    /** Over DTLS the handshake's cookie exchange has proven every peer's address. */
    private final boolean dtls;
    /** Bytes of reliable messages queued towards all peers. */
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    /** Per-peer reliability state. */
    private static final class Peer {
        final DuplicateFilter seen = new DuplicateFilter();
        final ReliableSender sender;
        /**
         * The next message id towards this peer: random at first (a restarted endpoint is not taken for
         * retransmissions of its predecessor), then in order, which the peer's duplicate filter needs.
         */
        long nextMessageId = 1 + (IDS.nextLong() >>> 2);
        long lastActivityNanos = System.nanoTime();
        /** The peer sent a v2 datagram or announced version 2: frames to it are v2. */
        boolean v2;

        Peer(ReliableSender sender) {
            this.sender = sender;
        }
    }

    private VstpUdpEndpoint(DatagramLink link, UdpLimits limits, Handler handler, boolean wireV2) {
        this.link = link;
        this.loop = link.eventLoop();
        this.limits = limits;
        this.handler = handler;
        int datagram = Math.min(limits.maxDatagramSize(), link.maxDatagramSize());
        this.chunkSize = UdpFrames.chunkSize(datagram);
        this.datagramReader = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(NettyDatagramLink.MAX_UDP_PAYLOAD));
        this.messageReader = new FrameReader(FrameLimits.DEFAULT.withMaxFrameSize(limits.maxMessageSize()));
        this.datagramWriter = new FrameWriter(datagram);
        this.messageWriter = new FrameWriter(limits.maxMessageSize());
        this.reassembler = new FragmentReassembler(limits, chunkSize);
        this.wireV2 = wireV2;
        this.datagramSize = datagram;
        // Over DTLS every record is authenticated: no CRC (wire-v2.md §6); plain UDP keeps CRC32C.
        boolean dtls = link instanceof io.vstp.transport.udp.dtls.DtlsDatagramLink;
        Integrity integrity = dtls ? Integrity.NONE : Integrity.CRC32C;
        // Only plain UDP can have a crate peer (the crate has no DTLS); DTLS records keep the link's size.
        this.v1DatagramSize = dtls ? datagram : Math.max(datagram, CRATE_MAX_DATAGRAM);
        HeaderBlockDecoder headers = HpackHeaderBlocks.decoderForDatagrams(
                HpackHeaderBlocks.DEFAULT_MAX_HEADER_LIST_SIZE, FrameLimits.DEFAULT.maxHeaderCount());
        this.v2DatagramReader = new V2FrameReader(headers, integrity,
                V2Limits.DEFAULT.withMaxFrameSize(NettyDatagramLink.MAX_UDP_PAYLOAD), FrameTypeRegistry.V2);
        this.v2MessageReader = new V2FrameReader(headers, integrity,
                V2Limits.DEFAULT.withMaxFrameSize(limits.maxMessageSize()), FrameTypeRegistry.V2);
        this.v2DatagramWriter = V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), integrity,
                datagram - V2Datagrams.MARKER.length);
        this.v2MessageWriter = V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), integrity,
                limits.maxMessageSize());
        this.dtls = dtls;
        link.receiver(this::receive);
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
        return link instanceof io.vstp.transport.udp.dtls.DtlsDatagramLink;
    }

    /** The DTLS session with {@code peer}, if this endpoint runs DTLS and one is established. */
    public java.util.Optional<io.vstp.transport.udp.dtls.DtlsSessionInfo> dtlsSession(InetSocketAddress peer) {
        return link instanceof io.vstp.transport.udp.dtls.DtlsDatagramLink dtls ? dtls.session(peer)
                : java.util.Optional.empty();
    }

    /**
     * Sends {@code frame} once, best effort: one datagram, or unacknowledged fragments when it is larger. Completes
     * when handed to the socket. Takes over {@code frame}.
     */
    public CompletableFuture<Void> send(InetSocketAddress peer, Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (closed) {
                frame.release();
                done.completeExceptionally(closedError());
                return;
            }
            ByteBuf encoded;
            try {
                encoded = encode(peer, frame);
            } catch (FrameException e) {
                done.completeExceptionally(e);
                return;
            }
            if (encoded.readableBytes() <= oneDatagramLimit(peer)) {
                output.sendEncoded(peer, encoded);
            } else {
                Peer p = peer(peer, true);
                long id = p != null ? p.nextMessageId++ : 1 + (IDS.nextLong() >>> 2);
                int count = (encoded.readableBytes() + chunkSize - 1) / chunkSize;
                UdpFrames.MessageHeaders headers = UdpFrames.MessageHeaders.of(id, count, encoded.readableBytes());
                for (int i = 0; i < count; i++) {
                    int offset = i * chunkSize;
                    int length = Math.min(chunkSize, encoded.readableBytes() - offset);
                    sendV1(peer, UdpFrames.fragment(headers, i, false, encoded.retainedSlice(offset, length)));
                }
                encoded.release();
            }
            done.complete(null);
        }, () -> {
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
        onLoop(() -> {
            if (closed) {
                frame.release();
                result.completeExceptionally(closedError());
                return;
            }
            Peer p = peer(peer, true);
            if (p == null) {
                frame.release();
                result.completeExceptionally(new SessionException(ErrorCode.TOO_MANY_IN_FLIGHT,
                        VstpException.Scope.REQUEST, "peer table full"));
                return;
            }
            long id = p.nextMessageId++;
            Frame tagged = new Frame(frame.type(), frame.flags().with(Flags.REQ_ACK),
                    withHeader(frame, UdpFrames.MSG_ID, Long.toUnsignedString(id)), frame.payload().retain());
            ByteBuf encoded;
            boolean single;
            try {
                if (speaksV2(peer)) {
                    // Size known only by encoding: the tagged form first, the plain one if it must be fragmented.
                    ByteBuf t = encodeV2(tagged);
                    single = t.readableBytes() <= chunkSize + UdpFrames.FRAGMENT_OVERHEAD;
                    if (single) {
                        encoded = t;
                    } else {
                        t.release();
                        encoded = encodeV2(frame);
                    }
                } else {
                    // Decide by size first, so a large message is encoded once: fragments carry the frame as
                    // given and are acknowledged by SACK; only a single datagram carries the crate's msg-id and
                    // REQ_ACK.
                    single = messageWriter.encodedSize(tagged) <= v1DatagramSize;
                    encoded = encodeV1(single ? tagged : frame);
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
            p.sender.enqueue(id, encoded, chunkSize, single).whenComplete((v, e) -> {
                if (e == null) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(e);
                }
            });
        }, () -> {
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
        onLoop(() -> {
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
                size = messageWriter.encodedSize(frame);
            } catch (RuntimeException e) {
                frame.release();
                done.completeExceptionally(e);
                return;
            }
            if (size > v1DatagramSize) {
                frame.release();
                done.completeExceptionally(new FrameException(ErrorCode.FRAME_TOO_LARGE, "a frame of " + size
                        + " bytes does not fit the " + v1DatagramSize + "-byte datagram a peer without fragments "
                        + "(the Rust crate) reads"));
                return;
            }
            ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(size);
            try {
                messageWriter.write(frame, out);
            } finally {
                frame.release();
            }
            link.send(peer, out);
            done.complete(null);
        }, () -> {
            frame.release();
            done.completeExceptionally(closedError());
        });
        return done;
    }

    /** The largest encoded message sent to {@code peer} as one datagram; larger ones are fragmented. */
    private int oneDatagramLimit(InetSocketAddress peer) {
        return speaksV2(peer) ? datagramSize : v1DatagramSize;
    }

    private static io.vstp.core.frame.Headers withHeader(Frame frame, String key, String value) {
        io.vstp.core.frame.Headers.Builder b = io.vstp.core.frame.Headers.builder();
        frame.headers().forEach(b::add);
        return b.add(key, value).build();
    }

    /** Encodes a whole message in the wire {@code peer} speaks; releases {@code frame}. */
    private ByteBuf encode(InetSocketAddress peer, Frame frame) {
        try {
            return speaksV2(peer) ? encodeV2(frame) : encodeV1(frame);
        } finally {
            frame.release();
        }
    }

    /** The v1 encoding of a whole message; does not release {@code frame}. */
    private ByteBuf encodeV1(Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(messageWriter.encodedSize(frame));
        messageWriter.write(frame, out);
        return out;
    }

    /**
     * A whole message as a v2 datagram of one frame (marker included), which is also what v2 fragments carry:
     * reassembled bytes say by their marker which wire they are. Does not release {@code frame}.
     */
    private ByteBuf encodeV2(Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(frame.payload().readableBytes() + 128);
        try {
            out.writeBytes(V2Datagrams.MARKER);
            v2MessageWriter.write(frame, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** True when frames to {@code peer} go as wire v2: it sent us v2, or announced it. */
    private boolean speaksV2(InetSocketAddress peer) {
        if (!wireV2) {
            return false;
        }
        Peer p = peers.get(peer);
        return p != null && p.v2;
    }

    private void learnV2(InetSocketAddress peer) {
        Peer p = peer(peer, true);
        if (p != null) {
            p.v2 = true;
        }
    }

    /**
     * An endpoint frame (ACK, SACK): batched into a v2 datagram for a v2 peer; otherwise a v1 datagram, which
     * announces v2 to a peer that may speak it (wire-v2.md §10, UDP). Takes over {@code frame}.
     */
    private void sendFrame(InetSocketAddress peer, Frame frame) {
        if (speaksV2(peer)) {
            try {
                batch(peer, b -> b.add(frame));
            } finally {
                frame.release();
            }
            return;
        }
        if (wireV2) {
            Frame announced = new Frame(frame.type(), frame.flags(),
                    withHeader(frame, VERSIONS, "2,1"), frame.payload());
            sendV1(peer, announced);
            return;
        }
        sendV1(peer, frame);
    }

    /** One v1 frame in one datagram: fragments always (udp.md §4), and everything towards a v1 peer. */
    private void sendV1(InetSocketAddress peer, Frame frame) {
        ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(datagramWriter.encodedSize(frame));
        try {
            datagramWriter.write(frame, out);
        } finally {
            frame.release();
        }
        link.send(peer, out);
    }

    /** Adds to the peer's datagram of this event-loop task; a full datagram leaves at once. */
    private void batch(InetSocketAddress peer, java.util.function.Predicate<V2Datagrams.Batch> add) {
        V2Datagrams.Batch b = batches.get(peer);
        if (b == null) {
            b = new V2Datagrams.Batch(v2DatagramWriter, ByteBufAllocator.DEFAULT, datagramSize);
            batches.put(peer, b);
        }
        if (!add.test(b)) {
            sendBatch(peer, b);
            add.test(b);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::flushBatches);
        }
    }

    private void sendBatch(InetSocketAddress peer, V2Datagrams.Batch b) {
        int frames = b.frameCount();
        ByteBuf datagram = b.take();
        if (datagram != null) {
            stats.countV2Datagram(frames);
            link.send(peer, datagram);
        }
    }

    private void flushBatches() {
        flushScheduled = false;
        batches.forEach(this::sendBatch);
        batches.clear();
    }

    private final ReliableSender.Output output = new ReliableSender.Output() {
        @Override
        public boolean writable() {
            return link.isWritable();
        }

        @Override
        public void sendFrame(InetSocketAddress peer, Frame frame) {
            sendV1(peer, frame); // fragments stay v1 frames in both wires (wire-v2.md §11)
        }

        @Override
        public void sendEncoded(InetSocketAddress peer, ByteBuf datagram) {
            if (!V2Datagrams.isV2(datagram)) {
                link.send(peer, datagram);
                return;
            }
            // A one-frame v2 message: its frame joins whatever else goes to the peer in this task.
            ByteBuf frame = datagram.slice(datagram.readerIndex() + V2Datagrams.MARKER.length,
                    datagram.readableBytes() - V2Datagrams.MARKER.length);
            try {
                batch(peer, b -> b.addEncoded(frame));
            } finally {
                datagram.release();
            }
        }
    };

    // ---- receiving ------------------------------------------------------------------------------------------

    private void receive(InetSocketAddress sender, ByteBuf datagram) {
        if (closed) {
            // Between close()'s clean-up on this loop and the link's close, datagrams still arrive: a fragment kept
            // now would outlive the reassembler that was just emptied.
            datagram.release();
            return;
        }
        stats.countReceived();
        Peer known = peers.get(sender);
        if (known != null) {
            known.sender.received(datagram.readableBytes()); // what it sent raises what it may be sent (§7)
        }
        if (wireV2 && V2Datagrams.isV2(datagram)) {
            receiveV2(sender, datagram);
            return;
        }
        Frame frame;
        try {
            frame = datagramReader.read(datagram);
            if (frame == null) {
                stats.malformed(ErrorCode.TRUNCATED);
                return;
            }
        } catch (FrameException e) {
            stats.malformed(e.code());
            return;
        } finally {
            // Bytes after the first frame are ignored, as the crate does; the frame holds its own reference.
            datagram.release();
        }
        if (wireV2 && announcesV2(frame)) {
            learnV2(sender);
        }
        try {
            dispatch(sender, frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    /** A v2 datagram: every frame in it, in order; a bad frame drops itself and the rest (wire-v2.md §11). */
    private void receiveV2(InetSocketAddress sender, ByteBuf datagram) {
        V2Datagrams.Decoded d;
        try {
            d = V2Datagrams.decode(datagram, v2DatagramReader);
        } finally {
            datagram.release(); // the frames hold their own references
        }
        if (d.hasError()) {
            stats.malformed(d.error().code());
        }
        List<Frame> frames = d.frames();
        if (!frames.isEmpty()) {
            learnV2(sender);
        }
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            if (!f.type().isKnown()) {
                f.release(); // an ignorable extension type
                continue;
            }
            try {
                dispatch(sender, f);
            } catch (RuntimeException e) {
                for (int j = i + 1; j < frames.size(); j++) {
                    frames.get(j).release();
                }
                throw e;
            }
        }
    }

    private static boolean announcesV2(Frame frame) {
        String versions = frame.headers().value(VERSIONS);
        if (versions == null) {
            return false;
        }
        for (String v : versions.split(",", 16)) {
            if (v.trim().equals("2")) {
                return true;
            }
        }
        return false;
    }

    private void dispatch(InetSocketAddress sender, Frame frame) {
        long now = System.nanoTime();
        if (frame.type().equals(FrameType.ACK)) {
            onAck(sender, frame, now);
            return;
        }
        if (frame.flags().has(Flags.FRAG) && frame.headers().first(UdpFrames.VF_IDX) != null) {
            Long vfMsg = UdpFrames.unsignedId(frame, UdpFrames.VF_MSG);
            if (vfMsg != null) {
                onFragment(sender, vfMsg, frame, now);
                return;
            }
        }
        Long id = frame.flags().has(Flags.REQ_ACK) ? UdpFrames.unsignedId(frame, UdpFrames.MSG_ID) : null;
        if (id != null) {
            long msgId = id; // every u64, 2^63 and above included (negative as a Java long)
            Peer p = peer(sender, true);
            if (p == null) {
                stats.countDrop(UdpStats.Drop.TOO_MANY_PEERS);
                frame.release();
                return;
            }
            p.lastActivityNanos = now;
            // Acknowledge before delivering, as the crate does: a retransmission means our ACK was lost.
            sendFrame(sender, UdpFrames.ack(msgId));
            stats.countAck();
            if (!p.seen.firstTime(msgId)) {
                stats.countDrop(UdpStats.Drop.DUPLICATE);
                frame.release();
                return;
            }
            frame = withoutTransportId(frame);
        }
        deliver(sender, frame);
    }

    /**
     * The frame as its sender's application wrote it: without the {@code msg-id} header and REQ_ACK flag that
     * reliable delivery added (the last header, where both this endpoint and the crate append it).
     */
    private static Frame withoutTransportId(Frame frame) {
        io.vstp.core.frame.Headers h = frame.headers();
        if (h.isEmpty() || !h.get(h.size() - 1).keyAsString().equals(UdpFrames.MSG_ID)) {
            return frame;
        }
        return new Frame(frame.type(), frame.flags().without(Flags.REQ_ACK),
                io.vstp.core.frame.Headers.of(h.asList().subList(0, h.size() - 1)), frame.payload());
    }

    private void deliver(InetSocketAddress sender, Frame frame) {
        // The payload may be a slice of a large receive buffer; copy it so a handler that keeps the frame pins
        // only its own bytes.
        Frame own = frame.payload().isReadable()
                ? new Frame(frame.type(), frame.flags(), frame.headers(), frame.payload().copy())
                : frame.retain();
        frame.release();
        stats.countDelivered();
        handler.onFrame(sender, own);
    }

    private void onAck(InetSocketAddress sender, Frame ack, long now) {
        try {
            Peer p = peers.get(sender);
            Long vfMsg = UdpFrames.unsignedId(ack, UdpFrames.VF_MSG);
            Long msgId = vfMsg != null ? null : UdpFrames.unsignedId(ack, UdpFrames.MSG_ID);
            boolean known;
            if (vfMsg != null) {
                long cum = UdpFrames.number(ack, UdpFrames.VF_CUM);
                long gen = Math.max(0, UdpFrames.number(ack, UdpFrames.VF_GEN));
                known = p != null && cum >= 0
                        && p.sender.onSack(vfMsg, gen, (int) Math.min(cum, Integer.MAX_VALUE),
                        UdpFrames.sackRanges(ack, Integer.MAX_VALUE), now);
            } else if (msgId != null) {
                known = p != null && p.sender.onSingleAck(msgId, now);
            } else {
                deliver(sender, ack.retain()); // an application-level ACK
                return;
            }
            if (known) {
                p.lastActivityNanos = now;
            } else if (p == null || !p.sender.knows(vfMsg != null ? vfMsg : msgId)) {
                stats.countDrop(UdpStats.Drop.UNKNOWN_ACK); // (one that is known but impossible counts BOGUS_ACK)
            }
        } finally {
            ack.release();
        }
    }

    private void onFragment(InetSocketAddress sender, long id, Frame fragment, long now) {
        boolean reliable = fragment.flags().has(Flags.REQ_ACK);
        long index = UdpFrames.number(fragment, UdpFrames.VF_IDX);
        long count = UdpFrames.number(fragment, UdpFrames.VF_CNT);
        long length = UdpFrames.number(fragment, UdpFrames.VF_LEN);
        if (index < 0 || count < 2 || count > Integer.MAX_VALUE || length < 0) {
            stats.countDrop(UdpStats.Drop.INCONSISTENT_FRAGMENT);
            fragment.release();
            return;
        }
        Peer p = peer(sender, true);
        if (p == null) {
            stats.countDrop(UdpStats.Drop.TOO_MANY_PEERS);
            fragment.release();
            return;
        }
        p.lastActivityNanos = now;
        if (p.seen.seen(id)) {
            fragment.release();
            stats.countDrop(UdpStats.Drop.DUPLICATE);
            if (reliable) {
                sendFrame(sender, UdpFrames.sack(id, 0, (int) count, List.of()));
                stats.countAck();
            }
            return;
        }
        ByteBuf chunk = fragment.payload().copy(); // right-sized: never pin a whole receive buffer
        fragment.release();
        FragmentReassembler.Result r = reassembler.add(sender, id, (int) index, (int) count, length, chunk, now);
        switch (r.outcome()) {
            case COMPLETE -> {
                unacknowledged.remove(r.reassembly());
                if (reliable) {
                    sendFrame(sender, UdpFrames.sack(id, 0, r.reassembly().count, List.of()));
                    stats.countAck();
                }
                ByteBuf message = r.message();
                Frame whole;
                try {
                    whole = wireV2 && V2Datagrams.isV2(message) ? onlyFrame(message) : messageReader.read(message);
                    if (whole == null || message.isReadable()) {
                        if (whole != null) {
                            whole.release();
                        }
                        stats.countDrop(UdpStats.Drop.BAD_MESSAGE);
                        return;
                    }
                } catch (FrameException e) {
                    stats.countDrop(UdpStats.Drop.BAD_MESSAGE);
                    return;
                } finally {
                    message.release();
                }
                if (p.seen.firstTime(id)) {
                    stats.countDelivered();
                    handler.onFrame(sender, whole);
                } else {
                    whole.release();
                    stats.countDrop(UdpStats.Drop.DUPLICATE);
                }
            }
            case PENDING, DUPLICATE -> {
                if (reliable && !r.reassembly().finished) {
                    FragmentReassembler.Reassembly ra = r.reassembly();
                    int since = ++ra.unacknowledged;
                    boolean outOfOrder = index != ra.cumulative - 1;
                    if (since >= ACK_EVERY || outOfOrder || r.outcome() == FragmentReassembler.Outcome.DUPLICATE) {
                        sendSack(sender, p, ra);
                    } else {
                        unacknowledged.add(ra);
                    }
                }
            }
            case INCONSISTENT -> stats.countDrop(UdpStats.Drop.INCONSISTENT_FRAGMENT);
            case TOO_LARGE -> stats.countDrop(UdpStats.Drop.TOO_LARGE);
            case REFUSED -> stats.countDrop(UdpStats.Drop.REASSEMBLY_FULL);
            default -> throw new IllegalStateException();
        }
    }

    /** The one frame of a reassembled v2 message, consuming it; null (nothing consumed) if it is not exactly one. */
    private Frame onlyFrame(ByteBuf message) {
        V2Datagrams.Decoded d = V2Datagrams.decode(message, v2MessageReader);
        if (d.hasError() || d.frames().size() != 1) {
            d.frames().forEach(Frame::release);
            return null;
        }
        message.skipBytes(message.readableBytes());
        return d.frames().get(0);
    }

    /** SACK: cumulative index, then received ranges above it, highest first (the freshest news for the sender). */
    private void sendSack(InetSocketAddress sender, Peer p, FragmentReassembler.Reassembly ra) {
        ra.unacknowledged = 0;
        unacknowledged.remove(ra);
        List<int[]> ranges = new ArrayList<>();
        int end = ra.received.length(); // one past the highest received index
        while (end > ra.cumulative && ranges.size() < UdpFrames.MAX_SACK_RANGES) {
            int last = end - 1;
            int first = ra.received.previousClearBit(last) + 1;
            ranges.add(new int[] {first, last});
            end = ra.received.previousSetBit(first - 1) + 1;
        }
        sendFrame(sender, UdpFrames.sack(ra.messageId, ra.generation, ra.cumulative, ranges));
        stats.countAck();
    }

    // ---- housekeeping ---------------------------------------------------------------------------------------

    private void tick() {
        long now = System.nanoTime();
        for (FragmentReassembler.Reassembly ra : new ArrayList<>(unacknowledged)) {
            Peer p = peers.get(ra.peer);
            if (p != null && !ra.finished) { // evicted or expired since: nothing to acknowledge
                sendSack(ra.peer, p, ra);
            }
        }
        unacknowledged.clear();
        reassembler.expire(now);
        long idle = limits.peerIdleTimeout().toNanos();
        long silence = limits.peerSilenceTimeout().toNanos();
        List<Peer> silent = new ArrayList<>();
        Iterator<Map.Entry<InetSocketAddress, Peer>> it = peers.entrySet().iterator();
        while (it.hasNext()) {
            Peer p = it.next().getValue();
            if (p.sender.busy() && now - p.lastActivityNanos > silence) {
                // Owes acknowledgements and says nothing: retransmitting to it only holds memory (udp.md §7). Out
                // of the table first: the failures run callbacks, which may use the endpoint again.
                it.remove();
                silent.add(p);
            } else if (p.sender.busy()) {
                p.sender.onTick(now);
            } else if (now - p.lastActivityNanos > idle) {
                it.remove();
            }
        }
        for (Peer p : silent) {
            p.sender.failAll("peer silent for " + limits.peerSilenceTimeout().toMillis() + " ms");
            stats.countDrop(UdpStats.Drop.SILENT_PEER);
        }
    }

    /** The peer's state, created if {@code create}; null if the table is full of busy peers. */
    private Peer peer(InetSocketAddress address, boolean create) {
        Peer p = peers.get(address);
        if (p != null || !create) {
            return p;
        }
        if (peers.size() >= limits.maxPeers()) {
            Iterator<Map.Entry<InetSocketAddress, Peer>> it = peers.entrySet().iterator();
            boolean evicted = false;
            while (it.hasNext()) {
                if (!it.next().getValue().sender.busy()) {
                    it.remove();
                    evicted = true;
                    break;
                }
            }
            if (!evicted) {
                return null;
            }
        }
        p = new Peer(new ReliableSender(address, limits, output, stats, queued, dtls));
        peers.put(address, p);
        return p;
    }

    /** Runs {@code task} on the event loop, or {@code ifClosed} if the endpoint closed and the loop is gone. */
    private void onLoop(Runnable task, Runnable ifClosed) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
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

    private <T> T onLoopGet(java.util.function.Supplier<T> getter) {
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
        CompletableFuture.runAsync(() -> {
            ticker.cancel(false);
            for (Peer p : peers.values()) {
                p.sender.failAll("endpoint closed");
            }
            peers.clear();
            batches.values().forEach(V2Datagrams.Batch::discard);
            batches.clear();
            unacknowledged.clear();
            reassembler.clear();
        }, loop).join();
        link.close();
    }

    /** Configures a {@link VstpUdpEndpoint}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private UdpLimits limits = UdpLimits.DEFAULT;
        private Handler handler = (peer, frame) -> frame.release();
        private DatagramLink link;
        private io.vstp.transport.udp.dtls.DtlsServerOptions dtlsServer =
                io.vstp.transport.udp.dtls.DtlsServerOptions.defaults();
        private io.vstp.transport.udp.dtls.DtlsClientOptions dtlsClient;
        private boolean plain;
        private boolean wireV2 = true;

        private Builder() {
        }

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
        public Builder dtlsServer(io.vstp.transport.udp.dtls.DtlsServerOptions options) {
            this.dtlsServer = Objects.requireNonNull(options);
            this.dtlsClient = null;
            this.plain = false;
            return this;
        }

        /**
         * DTLS client role: the first datagram to a peer starts a handshake with it (certificates verified like
         * TCP: system CAs, CA file, pins, trust on first use).
         */
        public Builder dtlsClient(io.vstp.transport.udp.dtls.DtlsClientOptions options) {
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
                NettyDatagramLink socket = NettyDatagramLink.bind(new InetSocketAddress(host, port), null,
                        limits.maxDatagramSize());
                try {
                    l = plain ? socket
                            : dtlsClient != null ? io.vstp.transport.udp.dtls.DtlsDatagramLink.client(socket, dtlsClient)
                            : io.vstp.transport.udp.dtls.DtlsDatagramLink.server(socket, dtlsServer);
                } catch (RuntimeException e) {
                    socket.close();
                    throw e;
                }
            }
            return new VstpUdpEndpoint(l, limits, handler, wireV2);
        }
    }
}
