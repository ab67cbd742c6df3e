package io.vstp.transport.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameEncoder;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.compress.CompressionAlgorithm;
import io.vstp.core.compress.PayloadCompressor;
import io.vstp.core.compress.PayloadDecompressor;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.TransportLimits;
import java.util.List;

/**
 * Negotiation of wire v2 inside the v1 handshake (docs/spec/wire-v2.md §10): what HELLO offers, what WELCOME
 * answers, and the switch of the pipeline's codec once both sides agree.
 */
final class V2Handshake {
    static final String HEADER_TABLE = "header-table";
    static final String WINDOW = "window";
    static final String CONNECTION_WINDOW = "connection-window";
    static final String MAX_HEADER_LIST = "max-header-list";
    static final String MAX_STREAMS = "max-streams";
    static final String MAX_MESSAGE = "max-message";
    static final String COMPRESSION = "compression";
    static final String INTEGRITY = "integrity";

    /**
     * What the two ends agreed: the peer's announcements and the shared choices.
     *
     * @param peerMaxFrame the largest frame the peer accepts
     * @param peerMaxStreams the streams we may have open towards the peer
     */
    record Agreement(
            int peerHeaderTable,
            int peerStreamWindow,
            int peerConnectionWindow,
            int peerMaxFrame,
            int peerMaxStreams,
            int peerMaxMessage,
            List<CompressionAlgorithm> compression,
            Integrity integrity) {}

    private V2Handshake() {}

    static boolean overTls(ChannelHandlerContext ctx) {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    /** The HELLO headers of a client (session.md §3.1 plus wire-v2.md §10). */
    static Headers hello(ProtocolOptions options, TransportLimits limits, boolean tls) {
        Headers.Builder h = Headers.builder(10)
                .add(SessionFrames.IMPL, SessionFrames.implementation())
                .add(SessionFrames.VERSIONS, options.v2() ? "2,1" : "1")
                .add(SessionFrames.MAX_FRAME, Integer.toString(limits.frame().maxFrameSize()));
        if (options.v2()) {
            local(h, options);
            h.add(INTEGRITY, tls && options.omitCrcOverTls() ? "none,crc32c" : "crc32c");
        }
        return h.build();
    }

    private static void local(Headers.Builder h, ProtocolOptions options) {
        h.add(HEADER_TABLE, Integer.toString(options.headerTableSize()))
                .add(WINDOW, Integer.toString(options.streamWindow()))
                .add(CONNECTION_WINDOW, Integer.toString(options.connectionWindow()))
                .add(MAX_HEADER_LIST, Integer.toString(options.maxHeaderListSize()))
                .add(MAX_MESSAGE, Integer.toString(options.maxMessageSize()))
                .add(COMPRESSION, String.join(",", options.compression()));
    }

    /** True when HELLO's {@code versions} lists {@code version}. */
    static boolean offers(Frame hello, String version) {
        String offered = hello.headers().value(SessionFrames.VERSIONS);
        if (offered == null) {
            return false;
        }
        for (String v : offered.split(",", 32)) {
            if (v.trim().equals(version)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The server's choice for a HELLO that offers v2: the peer's values from HELLO, the compression algorithms of
     * the client's list that we accept (in its order) and the first integrity mode we allow.
     */
    static Agreement accept(Frame hello, ProtocolOptions options, TransportLimits limits, boolean tls) {
        List<CompressionAlgorithm> agreed = CompressionAlgorithm.agree(
                CompressionAlgorithm.parseList(text(hello, COMPRESSION, "")), options.compressionAlgorithms());
        Integrity integrity = Integrity.CRC32C;
        for (String mode : text(hello, INTEGRITY, "crc32c").split(",", 8)) {
            if (mode.trim().equals("none") && tls && options.omitCrcOverTls()) {
                integrity = Integrity.NONE;
                break;
            }
            if (mode.trim().equals("crc32c")) {
                break;
            }
        }
        return new Agreement(
                bounded(hello, HEADER_TABLE, 4096, 0, 65_536),
                bounded(hello, WINDOW, 65_535, 1, ProtocolOptions.MAX_WINDOW),
                bounded(hello, CONNECTION_WINDOW, 65_535, 1, ProtocolOptions.MAX_WINDOW),
                bounded(
                        hello,
                        SessionFrames.MAX_FRAME,
                        FrameLimits.DEFAULT.maxFrameSize(),
                        64,
                        limits.frame().maxFrameSize()),
                Integer.MAX_VALUE,
                bounded(hello, MAX_MESSAGE, 64 * 1024 * 1024, 1, Integer.MAX_VALUE),
                agreed,
                integrity);
    }

    /** The WELCOME headers of a server that chose v2. */
    static Headers welcome(Agreement agreed, ProtocolOptions options, TransportLimits limits, String sessionId) {
        Headers.Builder h = SessionFrames.welcome("2", sessionId, limits, 14)
                .add(MAX_STREAMS, Integer.toString(limits.maxInFlightRequests()));
        h.add(HEADER_TABLE, Integer.toString(options.headerTableSize()))
                .add(WINDOW, Integer.toString(options.streamWindow()))
                .add(CONNECTION_WINDOW, Integer.toString(options.connectionWindow()))
                .add(MAX_HEADER_LIST, Integer.toString(options.maxHeaderListSize()))
                .add(MAX_MESSAGE, Integer.toString(options.maxMessageSize()))
                .add(COMPRESSION, CompressionAlgorithm.toList(agreed.compression()))
                .add(INTEGRITY, agreed.integrity().wireName());
        return h.build();
    }

    /** The client's reading of a WELCOME with {@code version: 2}. */
    static Agreement fromWelcome(Frame welcome, ProtocolOptions options, TransportLimits limits, boolean tls) {
        List<CompressionAlgorithm> agreed = CompressionAlgorithm.agree(
                CompressionAlgorithm.parseList(text(welcome, COMPRESSION, "")), options.compressionAlgorithms());
        String mode = text(welcome, INTEGRITY, "crc32c").trim();
        // The server may only choose what we offered: "none" only over TLS, and only if we allow it.
        Integrity integrity = mode.equals("none") && tls && options.omitCrcOverTls()
                ? Integrity.NONE
                : mode.equals("crc32c") ? Integrity.CRC32C : null;
        return new Agreement(
                bounded(welcome, HEADER_TABLE, 4096, 0, 65_536),
                bounded(welcome, WINDOW, 65_535, 1, ProtocolOptions.MAX_WINDOW),
                bounded(welcome, CONNECTION_WINDOW, 65_535, 1, ProtocolOptions.MAX_WINDOW),
                bounded(
                        welcome,
                        SessionFrames.MAX_FRAME,
                        FrameLimits.DEFAULT.maxFrameSize(),
                        64,
                        limits.frame().maxFrameSize()),
                bounded(welcome, MAX_STREAMS, limits.maxInFlightRequests(), 1, limits.maxInFlightRequests()),
                bounded(welcome, MAX_MESSAGE, 64 * 1024 * 1024, 1, Integer.MAX_VALUE),
                agreed,
                integrity);
    }

    /**
     * Replaces the v1 codec of the pipeline with v2 codecs for {@code agreed}. Bytes the v1 decoder still holds
     * are handed to the v2 decoder, so nothing read after the handshake frame is lost.
     */
    static void switchCodec(ChannelPipeline p, Agreement agreed, ProtocolOptions options, TransportLimits limits) {
        FrameLimits frame = limits.frame();
        V2Limits v2Limits = new V2Limits(
                frame.maxFrameSize(),
                frame.maxHeaderSectionSize(),
                options.maxHeaderListSize(),
                frame.maxHeaderCount());
        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(
                        options.headerTableSize(), options.maxHeaderListSize(), frame.maxHeaderCount()),
                agreed.integrity(),
                v2Limits,
                FrameTypeRegistry.V2);
        V2FrameWriter writer = new V2FrameWriter(
                HpackHeaderBlocks.encoder(agreed.peerHeaderTable()), agreed.integrity(), agreed.peerMaxFrame());
        p.replace("encoder", "encoder", new V2FrameEncoder(writer));
        p.replace("decoder", "decoder", new VstpFrameDecoder(reader));
    }

    /** The streams of a connection that agreed on v2, with our windows and limits and the peer's. */
    static StreamMultiplexer multiplexer(
            ChannelHandlerContext ctx,
            Agreement agreed,
            ProtocolOptions options,
            TransportLimits limits,
            boolean client,
            StreamMultiplexer.Listener listener) {
        return new StreamMultiplexer(
                ctx,
                new StreamMultiplexer.Parameters(
                        options.streamWindow(),
                        options.connectionWindow(),
                        agreed.peerStreamWindow(),
                        agreed.peerConnectionWindow(),
                        limits.maxInFlightRequests(),
                        options.maxMessageSize(),
                        Math.min(options.chunkSize(), agreed.peerMaxFrame() / 2),
                        agreed.peerMaxFrame() / 2,
                        limits.writeBufferLowWaterMark()),
                client,
                listener,
                compressor(agreed),
                decompressor(agreed, options));
    }

    private static PayloadCompressor compressor(Agreement agreed) {
        return agreed.compression().isEmpty() ? null : new PayloadCompressor(agreed.compression());
    }

    private static PayloadDecompressor decompressor(Agreement agreed, ProtocolOptions options) {
        return agreed.compression().isEmpty()
                ? null
                : new PayloadDecompressor(agreed.compression(), options.maxMessageSize());
    }

    private static String text(Frame frame, String key, String fallback) {
        String v = frame.headers().value(key);
        return v != null ? v : fallback;
    }

    private static int bounded(Frame frame, String key, int fallback, int min, int max) {
        Header h = frame.headers().first(key);
        long n = h == null ? -1 : h.valueAsDecimal();
        if (n < 0) {
            return Math.min(Math.max(fallback, min), max);
        }
        return (int) Math.min(Math.max(n, min), max);
    }
}
