package io.vstp.transport;

import io.vstp.core.error.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one server: connections and errors by code. Thread-safe; cheap to update from event loops. */
public final class ServerStats {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
    /** TLS handshakes by key-exchange group: how many peers got the post-quantum hybrid (few names, bounded). */
    private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> tlsGroups =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.function.LongSupplier tlsTicketKeyRotations;

    ServerStats(java.util.function.LongSupplier tlsTicketKeyRotations) {
        this.tlsTicketKeyRotations = tlsTicketKeyRotations;
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, new LongAdder());
        }
    }

    void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    void connectionRejected() {
        rejected.increment();
    }

    void error(ErrorCode code) {
        errors.get(code).increment();
    }

    /** Counts the bytes as they cross the socket (TLS records included), for every connection of a server. */
    @io.netty.channel.ChannelHandler.Sharable
    final class ByteCounter extends io.netty.channel.ChannelDuplexHandler {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                bytesReceived.add(buf.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(
                io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                bytesSent.add(buf.readableBytes());
            }
            ctx.write(msg, promise);
        }
    }

    /** Bytes read from all connections' sockets since start (TLS records included). */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Bytes written to all connections' sockets since start (TLS records included). */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Connections accepted past the limits since start. */
    public long accepted() {
        return accepted.sum();
    }

    /** Connections refused by a connection limit. */
    public long rejected() {
        return rejected.sum();
    }

    /** Connections open now (accepted and not yet closed). */
    public int open() {
        return open.get();
    }

    void tlsHandshake(String group) {
        String key = group == null ? "unknown" : group.length() > 32 ? group.substring(0, 32) : group;
        if (tlsGroups.size() < 64 || tlsGroups.containsKey(key)) {
            tlsGroups.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
    }

    /** Completed TLS handshakes by key-exchange group ({@code X25519MLKEM768}, {@code X25519}, …). */
    public Map<String, Long> tlsHandshakesByGroup() {
        Map<String, Long> out = new java.util.TreeMap<>();
        tlsGroups.forEach((g, n) -> out.put(g, n.sum()));
        return out;
    }

    /**
     * How often the server replaced its TLS session-ticket key since start; 0 when the TLS library keeps its own
     * keys (see {@link io.vstp.transport.tls.ServerTls#sessionTicketKeyRotation()}) or without TLS.
     */
    public long tlsTicketKeyRotations() {
        return tlsTicketKeyRotations.getAsLong();
    }

    /** How often the server reported {@code code}, to a peer or locally. */
    public long errors(ErrorCode code) {
        return errors.get(code).sum();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ServerStats{accepted=")
                .append(accepted())
                .append(", rejected=")
                .append(rejected())
                .append(", open=")
                .append(open())
                .append(", bytesReceived=")
                .append(bytesReceived())
                .append(", bytesSent=")
                .append(bytesSent());
        errors.forEach((c, n) -> {
            if (n.sum() > 0) {
                b.append(", ").append(c).append('=').append(n.sum());
            }
        });
        return b.append('}').toString();
    }
}
