package io.vstp.transport.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.collection.LongObjectHashMap;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.compress.PayloadCompressor;
import io.vstp.core.compress.PayloadDecompressor;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The streams of one wire-v2 connection (docs/spec/wire-v2.md §7-§9), below the request/response logic of the
 * client and server sessions: it cuts outgoing messages into chunks, sends the chunks of ready streams
 * round-robin within the flow-control credit the peer granted, joins incoming chunks into messages, enforces our
 * own windows and returns credit as the application consumes messages.
 *
 * <p>Event loop only: every method must be called on the channel's event loop.
 */
final class StreamMultiplexer {
    /** What the session does with what arrives. */
    interface Listener {
        /**
         * A whole message on {@code message.streamId()} (0: one-way). Owns {@code message}. Its {@code credit}
         * bytes stay charged to the peer's windows until {@link #consumed(long, int)} returns them.
         */
        void onMessage(Frame message, boolean endStream, int credit);

        /** The peer cancelled stream {@code id} or failed it with an ERR on the stream. */
        void onStreamFailed(long id, SessionException error);

        /** A connection-scope violation by the peer: the session must fail the connection. */
        void onViolation(ErrorCode code, String message);

        /** Queued payload fell below the low-water mark: paused producers may go on. */
        void onDrained();
    }

    /** Told once a queued message has been handed to the channel ({@code failure} null), or has failed. */
    @FunctionalInterface
    interface Sent {
        Sent IGNORE = failure -> {};

        void sent(Throwable failure);

        static Sent of(CompletableFuture<Void> future) {
            return failure -> {
                if (failure == null) {
                    future.complete(null);
                } else {
                    future.completeExceptionally(failure);
                }
            };
        }
    }

    /** What both ends agreed in the handshake (wire-v2.md §10). */
    /**
     * @param chunkSize    payload per frame while several streams take turns
     * @param maxChunkSize the most payload one frame may carry towards this peer (half its max-frame)
     */
    record Parameters(
            int localStreamWindow,
            int localConnectionWindow,
            int peerStreamWindow,
            int peerConnectionWindow,
            int localMaxStreams,
            int maxMessageSize,
            int chunkSize,
            int maxChunkSize,
            long lowWaterMark) {}

    private static final class Stream {
        final long id;
        long sendCredit;
        long receiveRemaining;
        /** Our receive window: the announced one, or more while the stream is tuned up (see {@link #grow}). */
        int window;
        /** Credit to keep back before returning any: what a tuned-up window gave that it no longer grants. */
        long debt;

        int unreturned;
        boolean localEnded;
        boolean remoteEnded;
        boolean ready;
        final ArrayDeque<Outgoing> queue = new ArrayDeque<>(2);
        CompositeByteBuf partial;
        Frame partialFirst;
        int partialCredit;

        Stream(long id, long sendCredit, long receiveWindow) {
            this.id = id;
            this.sendCredit = sendCredit;
            this.receiveRemaining = receiveWindow;
            this.window = (int) Math.min(receiveWindow, Integer.MAX_VALUE);
        }
    }

    /**
     * A message waiting to be sent. Its payload's reader index moves as chunks leave, so {@code frame.payload()}
     * is what is left; the last chunk takes over the payload itself (a message of one chunk is written without a
     * slice).
     */
    private static final class Outgoing {
        final Frame frame;
        final boolean end;
        final Sent sent;
        boolean started;

        Outgoing(Frame frame, boolean end, Sent sent) {
            this.frame = frame;
            this.end = end;
            this.sent = sent;
        }

        ByteBuf rest() {
            return frame.payload();
        }
    }

    /**
     * How many chunks may sit in the channel's outbound queue, not yet taken by the socket. A new small message
     * waits behind at most this much (plus the peer's window in the kernel's buffers); fewer chunks mean more,
     * smaller socket writes. Eight (128 KiB at the default chunk) measured best for bulk throughput without
     * costing the fairness test its margin (StreamFairnessTest, vstp-bench/suite/run.py --only wire).
     */
    private static final int WRITE_BUDGET_CHUNKS = 8;

    private final ChannelHandlerContext ctx;
    private final Parameters params;
    private final boolean client;
    private final Listener listener;
    private final PayloadCompressor compressor;
    private final PayloadDecompressor decompressor;
    private final LongObjectHashMap<Stream> streams = new LongObjectHashMap<>();
    private final Stream connectionStream;
    private final ArrayDeque<Stream> ready = new ArrayDeque<>();
    private long connectionSendCredit;
    private long connectionReceiveRemaining;
    private int connectionUnreturned;
    /** Our connection receive window: the announced one plus what the tuned-up stream added. */
    private long connectionWindow;

    private long connectionDebt;

    /**
     * Receive-window auto-tuning. A lone stream whose consumer keeps up runs into the announced window (256 KiB
     * by default) long before it runs into the CPU: the sender stops at each frame until our WINDOW_UPDATE comes
     * back. When the stream is the only one on the connection, its window doubles each time its consumer returns
     * a quarter of it, up to this limit, and the connection window grows by as much. As soon as another stream
     * opens, the window goes back to the announced one (credit is kept back until the difference is paid), so a
     * small request never waits behind more than a few chunks plus the announced window. 1 MiB took a 1 GiB put
     * from 5.7 to 5.0 s and a get from 5.1 to 4.4 s; 4 MiB gained little more (get 4.1 s) and cost the receiver
     * 20-25 MiB more memory (docs/benchmarks.md, transfer).
     */
    static final int TUNED_WINDOW_LIMIT = 1024 * 1024;

    /**
     * What tuned-up windows may add over all connections of this process together: each byte of it is memory a
     * peer may fill before its messages are consumed. A process-wide bound, because the memory is the process's.
     */
    static final long TUNED_WINDOWS_BUDGET = 64L * 1024 * 1024;

    private static final java.util.concurrent.atomic.AtomicLong TUNED = new java.util.concurrent.atomic.AtomicLong();

    /** A window stays at the announced size until no second stream was open for this long. */
    private static final long CALM_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /** The one stream whose window is tuned up, or null. */
    private Stream tuned;
    /** When a second stream was last open (System.nanoTime). */
    private long lastCrowded;

    private long nextLocalId;
    private long lastRemoteId;
    private int openRemoteStreams;
    /** How many max-message sizes the partly joined messages of one connection may hold together. */
    private static final int JOINING_MESSAGES = 2;
    /** Bytes held in partly joined messages of all streams. */
    private long joining;

    private long writesPending;
    private final int writeBudget;
    /**
     * How many chunks a stream may put in one frame when no other stream waits: 16 (256 KiB at the default chunk)
     * took a fifth of the CPU off a 1 GiB upload against 4 (docs/benchmarks.md, transfer); two such frames may be
     * pending at once, so a lone stream keeps the socket busy while the next one is encoded.
     */
    private static final int SOLO_CHUNKS = 16;

    private final int soloChunk;
    private final long soloBudget;
    private final long lowWaterMark;
    private final java.util.concurrent.atomic.AtomicLong unsent = new java.util.concurrent.atomic.AtomicLong();
    private boolean pumping;

    /**
     * @param compressor   null when no compression was agreed
     * @param decompressor null when no compression was agreed (a COMP frame is then UNKNOWN_COMPRESSION)
     */
    StreamMultiplexer(
            ChannelHandlerContext ctx,
            Parameters params,
            boolean client,
            Listener listener,
            PayloadCompressor compressor,
            PayloadDecompressor decompressor) {
        this.ctx = ctx;
        this.params = params;
        this.client = client;
        this.listener = listener;
        this.compressor = compressor;
        this.decompressor = decompressor;
        this.connectionSendCredit = params.peerConnectionWindow();
        this.connectionReceiveRemaining = params.localConnectionWindow();
        this.connectionWindow = params.localConnectionWindow();
        this.lastCrowded = System.nanoTime() - CALM_NANOS; // calm from the start
        this.connectionStream = new Stream(0, Long.MAX_VALUE, Long.MAX_VALUE);
        this.nextLocalId = client ? 1 : 2;
        this.writeBudget = WRITE_BUDGET_CHUNKS * params.chunkSize();
        this.soloChunk = (int) Math.min((long) SOLO_CHUNKS * params.chunkSize(), params.maxChunkSize());
        this.soloBudget = Math.max(writeBudget, 2L * soloChunk);
        this.lowWaterMark = params.lowWaterMark();
    }

    // ---- sending ----

    /** Opens a stream of ours and returns its id. */
    long open() {
        long id = nextLocalId;
        nextLocalId += 2;
        streams.put(id, new Stream(id, params.peerStreamWindow(), params.localStreamWindow()));
        opened();
        return id;
    }

    /** True while stream {@code id} exists (neither closed nor cancelled). */
    boolean isOpen(long id) {
        return streams.containsKey(id);
    }

    /**
     * Queues {@code message} on stream {@code id} (0: one-way; the message's own stream id is ignored), taking it
     * over; {@code end} ends our side of the
     * stream. The future completes once its last byte is handed to the channel, or fails if the stream is
     * cancelled or the connection closes first: a producer that waits for it sends no faster than the peer's
     * credit allows.
     */
    CompletableFuture<Void> send(long id, Frame message, boolean end) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        send(id, message, end, Sent.of(sent));
        return sent;
    }

    /** {@link #send(long, Frame, boolean)} reporting to {@code sent} instead of a future. */
    void send(long id, Frame message, boolean end, Sent sent) {
        account(message.payload().readableBytes());
        sendAccounted(id, message, end, sent);
    }

    /**
     * Counts {@code bytes} as queued before the message reaches the event loop (any thread), so that a producer
     * on another thread sees {@link #unsentBytes()} grow at once; then {@link #sendAccounted} queues it.
     */
    void account(long bytes) {
        unsent.addAndGet(bytes);
    }

    /** Payload bytes of messages still being joined from their parts (event loop). */
    long joiningBytes() {
        return joining;
    }

    /** Payload bytes queued and not yet handed to the channel (any thread). */
    long unsentBytes() {
        return unsent.get();
    }

    /** {@link #send} for a message whose bytes were already {@link #account accounted}. */
    void sendAccounted(long id, Frame message, boolean end, Sent sent) {
        Stream s = id == 0 ? connectionStream : streams.get(id);
        if (s == null || s.localEnded) {
            unsent.addAndGet(-message.payload().readableBytes());
            message.release();
            sent.sent(new SessionException(
                    ErrorCode.CANCELLED, VstpException.Scope.REQUEST, "stream " + id + " is closed"));
            return;
        }
        if (end && id != 0) {
            s.localEnded = true;
        }
        s.queue.add(new Outgoing(message, end && id != 0, sent));
        schedule(s);
        pump();
    }

    /** Fails stream {@code id} with an ERR on it (wire-v2.md §7.4) and forgets it. */
    void sendError(long id, ErrorCode code, String message) {
        Stream s = streams.get(id);
        if (s != null) {
            drop(s, new SessionException(code, VstpException.Scope.REQUEST, message));
        }
        ctx.writeAndFlush(SessionFrames.err(code, message, null).withStreamId(id));
    }

    /** Abandons stream {@code id}: a CANCEL to the peer, queued data dropped (wire-v2.md §7.4). */
    void cancel(long id, ErrorCode code) {
        Stream s = streams.get(id);
        if (s == null) {
            return;
        }
        drop(s, new SessionException(code, VstpException.Scope.REQUEST, "stream cancelled"));
        ctx.writeAndFlush(SessionFrames.control(
                        FrameType.CANCEL,
                        Headers.builder(2)
                                .add(SessionFrames.CODE, Integer.toString(code.code()))
                                .add(SessionFrames.ERROR, code.name())
                                .build())
                .withStreamId(id));
    }

    private void schedule(Stream s) {
        if (!s.ready && !s.queue.isEmpty()) {
            s.ready = true;
            ready.add(s);
        }
    }

    /** Channel writability or write completions changed: send what credit and the write budget allow. */
    void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        boolean wrote = false;
        try {
            while (!ready.isEmpty() && writesPending < budget() && ctx.channel().isActive()) {
                Stream s = ready.poll();
                s.ready = false;
                Outgoing o = s.queue.peek();
                if (o == null) {
                    continue;
                }
                int left = o.rest().readableBytes();
                long credit = Math.min(s.sendCredit, connectionSendCredit);
                // Alone, a stream sends larger frames (fewer frames and socket writes); with others waiting, chunks
                // stay small so that they take turns often (wire-v2.md §8.3).
                int chunk = ready.isEmpty() ? soloChunk : params.chunkSize();
                int n = (int) Math.min(Math.min(left, chunk), credit);
                if (n <= 0 && left > 0) {
                    continue; // blocked on credit: the WINDOW_UPDATE that grants it schedules the stream again
                }
                writeChunk(s, o, n);
                wrote = true;
                schedule(s);
            }
        } finally {
            pumping = false;
        }
        if (wrote) {
            ctx.flush();
            if (unsent.get() <= lowWaterMark) {
                listener.onDrained();
            }
        }
    }

    private void writeChunk(Stream s, Outgoing o, int n) {
        ByteBuf rest = o.rest();
        boolean last = n == rest.readableBytes();
        // The last chunk takes over the payload; earlier ones are retained slices of it.
        ByteBuf part = last ? rest : rest.readRetainedSlice(n);
        unsent.addAndGet(-n);
        int flags = o.frame.flags().bits() & ~(Flags.END_STREAM.bits() | Flags.MORE.bits());
        if (!last) {
            flags |= Flags.MORE.bits();
        } else if (o.end) {
            flags |= Flags.END_STREAM.bits();
        }
        if (compressor != null && o.frame.type().equals(FrameType.DATA) && (flags & Flags.COMP.bits()) == 0) {
            ByteBuf packed = compressor.compress(ctx.alloc(), part);
            if (packed != null) {
                part.release();
                part = packed;
                flags |= Flags.COMP.bits();
            }
        }
        int wire = part.readableBytes();
        s.sendCredit -= wire;
        connectionSendCredit -= wire;
        Headers headers = o.started ? Headers.EMPTY : o.frame.headers();
        FrameType type = o.started ? FrameType.DATA : o.frame.type();
        o.started = true;
        Frame chunk = new Frame(s.id, type, Flags.of(flags), headers, part);
        writesPending += wire;
        if (last) {
            s.queue.poll();
            ctx.write(chunk).addListener(new Written(wire, o.sent));
            if (s.localEnded && s.queue.isEmpty() && s.remoteEnded) {
                forget(s);
            }
        } else {
            ctx.write(chunk).addListener(new Written(wire, null));
        }
    }

    /** The write of a chunk completed: its bytes leave the budget; the message is done if it was its last. */
    private final class Written implements io.netty.channel.ChannelFutureListener {
        private final int wire;
        private final Sent sent;

        Written(int wire, Sent sent) {
            this.wire = wire;
            this.sent = sent;
        }

        @Override
        public void operationComplete(io.netty.channel.ChannelFuture f) {
            if (sent != null) {
                sent.sent(f.isSuccess() ? null : f.cause());
            }
            if (!f.isSuccess() && f.cause() instanceof VstpException e && e.code() == ErrorCode.COMPRESSION_ERROR) {
                // The encoder's header table no longer matches the peer's: nothing more can be sent.
                listener.onViolation(e.code(), e.getMessage());
            }
            written(wire);
        }
    }

    /**
     * Bytes that may wait in the channel: a lone stream's two large frames, or the budget that keeps several streams
     * taking turns often. A stream that becomes ready behind a lone one waits for at most those two frames, once.
     */
    private long budget() {
        return ready.size() == 1 ? soloBudget : writeBudget;
    }

    private void written(int wire) {
        writesPending -= wire;
        if (writesPending < budget() / 2 && !ready.isEmpty()) {
            pump();
        }
    }

    // ---- receiving ----

    /** Handles a frame of a stream type: DATA, WINDOW_UPDATE, CANCEL, or ERR on a stream. Owns {@code frame}. */
    void onFrame(Frame frame) {
        FrameType type = frame.type();
        if (type.equals(FrameType.WINDOW_UPDATE)) {
            windowUpdate(frame);
        } else if (type.equals(FrameType.CANCEL) || type.equals(FrameType.ERR)) {
            long id = frame.streamId();
            SessionException e = type.equals(FrameType.ERR)
                    ? SessionFrames.readErr(frame, VstpException.Scope.REQUEST)
                    : new SessionException(
                            ErrorCode.CANCELLED,
                            VstpException.Scope.REQUEST,
                            "stream " + id + " cancelled by the peer");
            frame.release();
            Stream s = streams.get(id);
            if (s != null) {
                drop(s, e);
                listener.onStreamFailed(id, e);
            }
        } else {
            data(frame);
        }
    }

    private void windowUpdate(Frame frame) {
        long increment;
        try {
            increment = frame.payload().readableBytes() == 0
                    ? 0
                    : VarInt.get(frame.payload(), frame.payload().readerIndex());
        } catch (VstpException e) {
            increment = 0;
        } finally {
            frame.release();
        }
        if (increment <= 0 || increment > ProtocolOptions.MAX_WINDOW) {
            listener.onViolation(ErrorCode.PROTOCOL_VIOLATION, "WINDOW_UPDATE increment " + increment);
            return;
        }
        if (frame.streamId() == 0) {
            connectionSendCredit += increment;
            if (connectionSendCredit > ProtocolOptions.MAX_WINDOW) {
                listener.onViolation(ErrorCode.FLOW_CONTROL_ERROR, "connection window above 2^31-1");
                return;
            }
            for (Stream s : streams.values()) {
                schedule(s);
            }
            schedule(connectionStream);
        } else {
            Stream s = streams.get(frame.streamId());
            if (s == null) {
                return;
            }
            s.sendCredit += increment;
            if (s.sendCredit > ProtocolOptions.MAX_WINDOW) {
                listener.onViolation(ErrorCode.FLOW_CONTROL_ERROR, "stream window above 2^31-1");
                return;
            }
            schedule(s);
        }
        pump();
    }

    private void data(Frame frame) {
        long id = frame.streamId();
        int wire = frame.payload().readableBytes();
        connectionReceiveRemaining -= wire;
        if (connectionReceiveRemaining < 0) {
            frame.release();
            listener.onViolation(
                    ErrorCode.FLOW_CONTROL_ERROR, "peer sent more than the connection window of " + connectionWindow);
            return;
        }
        int flags = frame.flags().bits();
        boolean more = (flags & Flags.MORE.bits()) != 0;
        boolean end = (flags & Flags.END_STREAM.bits()) != 0;
        if (id == 0 && end) {
            frame.release();
            listener.onViolation(ErrorCode.PROTOCOL_VIOLATION, "END_STREAM on stream 0");
            return;
        }
        Stream s = id == 0 ? connectionStream : streams.get(id);
        if (s == null) {
            s = openRemote(frame, id);
            if (s == null) {
                return;
            }
        }
        if (s.remoteEnded) {
            frame.release();
            listener.onViolation(ErrorCode.PROTOCOL_VIOLATION, "DATA on stream " + id + " after END_STREAM");
            return;
        }
        s.receiveRemaining -= wire;
        if (s.receiveRemaining < 0) {
            frame.release();
            listener.onViolation(ErrorCode.FLOW_CONTROL_ERROR, "peer sent more than the stream window of " + s.window);
            return;
        }
        if (s.partialFirst != null && !frame.headers().isEmpty()) {
            frame.release();
            listener.onViolation(ErrorCode.PROTOCOL_VIOLATION, "headers on a continuation frame");
            return;
        }
        Frame part = decompressed(frame, s);
        if (part == null) {
            return;
        }
        if (end) {
            s.remoteEnded = true;
        }
        if (more || s.partialFirst != null) {
            if (!join(s, part, wire, more)) {
                return;
            }
            if (more) {
                return;
            }
            Frame first = s.partialFirst;
            Frame message = new Frame(
                    id,
                    first.type(),
                    first.flags().without(Flags.MORE).without(Flags.COMP).with(end ? Flags.END_STREAM : Flags.NONE),
                    first.headers(),
                    s.partial);
            int credit = s.partialCredit;
            joining -= s.partial.readableBytes();
            s.partialFirst = null;
            s.partial = null;
            s.partialCredit = 0;
            deliver(s, message, end, credit);
        } else {
            deliver(s, part, end, wire);
        }
    }

    private void deliver(Stream s, Frame message, boolean end, int credit) {
        if (end && s.localEnded && s.queue.isEmpty() && s != connectionStream) {
            forget(s);
        }
        listener.onMessage(message, end, credit);
    }

    private boolean join(Stream s, Frame part, int wire, boolean more) {
        if (s.partialFirst == null) {
            s.partialFirst = new Frame(s.id, part.type(), part.flags(), part.headers(), Unpooled.EMPTY_BUFFER);
            s.partial = ctx.alloc().compositeBuffer(64);
        }
        long size = part.payload().readableBytes();
        boolean tooLarge = s.partial.readableBytes() + size > params.maxMessageSize();
        if (tooLarge || joining + size > JOINING_MESSAGES * (long) params.maxMessageSize()) {
            part.release();
            returnConnectionCredit(s.partialCredit + wire);
            String why = tooLarge
                    ? "a message above the limit of " + params.maxMessageSize() + " bytes"
                    : "messages being joined on this connection above " + JOINING_MESSAGES + " x "
                            + params.maxMessageSize() + " bytes";
            sendError(s.id, ErrorCode.MESSAGE_TOO_LARGE, why);
            listener.onStreamFailed(
                    s.id,
                    new SessionException(ErrorCode.MESSAGE_TOO_LARGE, VstpException.Scope.REQUEST, "peer sent " + why));
            return false;
        }
        s.partial.addComponent(true, part.payload());
        joining += size;
        if (more) {
            // A message larger than the stream window could never complete if its parts held their credit until
            // the whole message is consumed: parts being joined give it back at once (wire-v2.md §8.2). Memory
            // stays bounded by the joining limit above, which fails a stream rather than stall them all.
            returnCredit(s, wire);
        } else {
            s.partialCredit += wire;
        }
        return true;
    }

    /** The frame with its payload decompressed, or null when it failed (the stream, or connection, is failed). */
    private Frame decompressed(Frame frame, Stream s) {
        if (!frame.flags().has(Flags.COMP)) {
            return frame;
        }
        int wire = frame.payload().readableBytes();
        if (!frame.type().equals(FrameType.DATA)) {
            frame.release();
            listener.onViolation(
                    ErrorCode.PROTOCOL_VIOLATION, "COMP on a " + frame.type().name() + " frame");
            return null;
        }
        if (decompressor == null) {
            frame.release();
            listener.onViolation(ErrorCode.UNKNOWN_COMPRESSION, "compressed frame, but no compression was agreed");
            return null;
        }
        ByteBuf plain;
        try {
            plain = decompressor.decompress(ctx.alloc(), frame.payload());
        } catch (VstpException e) {
            frame.release();
            if (e.scope() == VstpException.Scope.CONNECTION || s == null) {
                listener.onViolation(e.code(), e.getMessage());
            } else {
                returnCredit(s, wire);
                sendError(s.id, e.code(), e.getMessage());
                listener.onStreamFailed(
                        s.id, new SessionException(e.code(), VstpException.Scope.REQUEST, e.getMessage()));
            }
            return null;
        }
        Frame out =
                new Frame(frame.streamId(), frame.type(), frame.flags().without(Flags.COMP), frame.headers(), plain);
        frame.release();
        return out;
    }

    private Stream openRemote(Frame frame, long id) {
        boolean remoteParity = (id & 1) == (client ? 0 : 1);
        int wire = frame.payload().readableBytes();
        if (!remoteParity || id <= lastRemoteId) {
            // A stream we closed or cancelled (its frames were in flight), or one of ours that is gone.
            frame.release();
            returnConnectionCredit(wire);
            return null;
        }
        lastRemoteId = id;
        if (openRemoteStreams >= params.localMaxStreams()) {
            frame.release();
            returnConnectionCredit(wire);
            ctx.writeAndFlush(SessionFrames.err(
                            ErrorCode.TOO_MANY_STREAMS, "more than " + params.localMaxStreams() + " open streams", null)
                    .withStreamId(id));
            return null;
        }
        openRemoteStreams++;
        Stream s = new Stream(id, params.peerStreamWindow(), params.localStreamWindow());
        streams.put(id, s);
        opened();
        return s;
    }

    /** The application is done with {@code bytes} of stream {@code id}'s messages: return the credit. */
    void consumed(long id, int bytes) {
        if (bytes <= 0) {
            return;
        }
        Stream s = id == 0 ? null : streams.get(id);
        if (s != null) {
            returnCredit(s, bytes);
        } else {
            returnConnectionCredit(bytes);
        }
    }

    private void returnCredit(Stream s, int bytes) {
        returnConnectionCredit(bytes);
        if (s.remoteEnded || s == connectionStream) {
            return; // the peer sends nothing more on it, or stream 0 has only the connection window
        }
        s.unreturned += bytes;
        if (s.debt > 0) {
            int paid = (int) Math.min(s.debt, s.unreturned);
            s.debt -= paid;
            s.unreturned -= paid;
        }
        if (s.unreturned >= s.window / 4) {
            int growth = grow(s);
            int increment = s.unreturned + growth;
            s.receiveRemaining += increment;
            ctx.writeAndFlush(windowUpdate(s.id, increment));
            s.unreturned = 0;
            if (growth > 0) {
                connectionWindow += growth;
                connectionUnreturned += growth;
                sendConnectionUpdate();
            }
        }
    }

    /**
     * How much to add to {@code s}'s window as its consumer returns credit (0, or up to the window's size): only a
     * lone stream, on a connection that has had no second stream for a while, within the limit per stream and the
     * process's budget. A receiver cannot see whether the sender waits for credit (bytes in flight look like
     * unused credit), so a lone stream whose consumer keeps up grows; one whose consumer is stuck returns nothing
     * and does not. The cost of growing needlessly is memory, which the limit and the budget bound.
     */
    private int grow(Stream s) {
        // Not while the connection still keeps back what an earlier tuning gave: each tune and untune would
        // otherwise leave the peer more connection credit than the window, without end (a hostile peer could
        // make that happen on purpose with short transfers).
        if (s.window >= TUNED_WINDOW_LIMIT
                || connectionDebt > 0
                || streams.size() != 1 // then s is that stream, and the tuned one if any (forget untunes)
                || System.nanoTime() - lastCrowded < CALM_NANOS) {
            return 0;
        }
        int growth = Math.min(s.window, TUNED_WINDOW_LIMIT - s.window);
        for (long used = TUNED.get(); ; used = TUNED.get()) {
            if (used + growth > TUNED_WINDOWS_BUDGET) {
                return 0;
            }
            if (TUNED.compareAndSet(used, used + growth)) {
                break;
            }
        }
        s.window += growth;
        tuned = s;
        return growth;
    }

    /** A stream opened: with two or more, a tuned-up window goes back to the announced size. */
    private void opened() {
        if (streams.size() > 1) {
            lastCrowded = System.nanoTime();
            untune();
        }
    }

    /**
     * Takes the tuned stream's window back to the announced size. The peer keeps the credit it holds; we keep back
     * as much of what is consumed next before returning any, on the stream and on the connection.
     */
    private void untune() {
        Stream s = tuned;
        if (s == null) {
            return;
        }
        tuned = null;
        long growth = s.window - params.localStreamWindow();
        s.window = params.localStreamWindow();
        s.debt += growth;
        connectionWindow -= growth;
        // The budget comes back as the debt is paid: until then the peer may still send that much.
        connectionDebt += growth;
    }

    /** Bytes the tuned-up windows of this process add now (tests). */
    static long tunedBytes() {
        return TUNED.get();
    }

    private void returnConnectionCredit(int bytes) {
        connectionUnreturned += bytes;
        if (connectionDebt > 0) {
            int paid = (int) Math.min(connectionDebt, connectionUnreturned);
            connectionDebt -= paid;
            connectionUnreturned -= paid;
            TUNED.addAndGet(-paid);
        }
        sendConnectionUpdate();
    }

    private void sendConnectionUpdate() {
        if (connectionUnreturned >= connectionWindow / 4) {
            connectionReceiveRemaining += connectionUnreturned;
            ctx.writeAndFlush(windowUpdate(0, connectionUnreturned));
            connectionUnreturned = 0;
        }
    }

    static Frame windowUpdate(long id, long increment) {
        ByteBuf payload = Unpooled.buffer(VarInt.size(increment));
        VarInt.write(payload, increment);
        return new Frame(id, FrameType.WINDOW_UPDATE, Flags.NONE, Headers.EMPTY, payload);
    }

    // ---- bookkeeping ----

    private void drop(Stream s, SessionException cause) {
        forget(s);
        for (Outgoing o; (o = s.queue.poll()) != null; ) {
            unsent.addAndGet(-o.rest().readableBytes());
            o.frame.release();
            o.sent.sent(cause);
        }
        if (s.partial != null) {
            joining -= s.partial.readableBytes();
            s.partial.release();
            s.partial = null;
            s.partialFirst = null;
        }
    }

    private void forget(Stream s) {
        if (s == tuned) {
            untune();
        }
        boolean crowded = streams.size() > 1;
        if (streams.remove(s.id) != null && (s.id & 1) == (client ? 0 : 1)) {
            openRemoteStreams--;
        }
        if (crowded && streams.size() == 1) {
            lastCrowded = System.nanoTime(); // the calm period starts when the second stream goes, not when it came
        }
    }

    /** The connection closed: fail every queued send and free every buffer. */
    void close(SessionException cause) {
        for (Stream s : new java.util.ArrayList<>(streams.values())) {
            drop(s, cause);
        }
        drop(connectionStream, cause);
        untune();
        // What tuning added and the peer may no longer send goes back to the budget, once.
        TUNED.addAndGet(-(connectionDebt + connectionWindow - params.localConnectionWindow()));
        connectionDebt = 0;
        connectionWindow = params.localConnectionWindow();
        ready.clear();
    }

    int openStreams() {
        return streams.size();
    }
}
