package io.vstp.transport;

import java.util.List;
import java.util.Objects;

/**
 * Which wire versions a peer offers and, for v2, what it announces in the handshake (docs/spec/wire-v2.md §10).
 * The defaults offer v2 and fall back to v1 with any peer that does not speak it.
 *
 * @param v2                offer (client) or accept (server) wire v2; false speaks v1 only
 * @param headerTableSize   the HPACK dynamic table our decoder accepts (wire-v2.md §5), 0 .. 65 536
 * @param streamWindow      initial receive window of each stream (wire-v2.md §8.1)
 * @param connectionWindow  receive window of the connection
 * @param maxHeaderListSize decoded header-list size we accept per frame (RFC 7541 §4.1 sizes)
 * @param maxMessageSize    largest message we join from several frames, or decompress (wire-v2.md §7.3, §9)
 * @param chunkSize         largest payload we put in one frame, so streams interleave fairly (wire-v2.md §8.3)
 * @param compression       payload compression algorithms we accept and use, preferred first ({@code zstd},
 *                          {@code lz4}); empty for none
 * @param omitCrcOverTls    offer (client) or accept (server) integrity mode {@code none} over TLS (wire-v2.md §6)
 */
public record ProtocolOptions(
        boolean v2,
        int headerTableSize,
        int streamWindow,
        int connectionWindow,
        int maxHeaderListSize,
        int maxMessageSize,
        int chunkSize,
        List<String> compression,
        boolean omitCrcOverTls) {
    /** The largest window wire-v2.md §8.1 allows. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    public static final ProtocolOptions DEFAULT = new ProtocolOptions(
            true, 4096, 256 * 1024, 1024 * 1024, 65_536, 64 * 1024 * 1024, 16 * 1024, List.of("zstd", "lz4"), true);

    /** v1 only: HELLO offers {@code 1}, a server answers every HELLO with version 1. */
    public static final ProtocolOptions V1_ONLY = DEFAULT.withV2(false);

    public ProtocolOptions {
        if (headerTableSize < 0 || headerTableSize > 65_536) {
            throw new IllegalArgumentException("headerTableSize must be 0..65536, was " + headerTableSize);
        }
        positive("streamWindow", streamWindow);
        positive("connectionWindow", connectionWindow);
        positive("maxHeaderListSize", maxHeaderListSize);
        positive("maxMessageSize", maxMessageSize);
        positive("chunkSize", chunkSize);
        compression = List.copyOf(Objects.requireNonNull(compression, "compression"));
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** {@link #compression()} as the algorithms this implementation knows, in order (unknown names dropped). */
    public List<io.vstp.core.compress.CompressionAlgorithm> compressionAlgorithms() {
        return io.vstp.core.compress.CompressionAlgorithm.parseList(String.join(",", compression));
    }

    /**
     * Loads the compression libraries wire v2 will use, when v2 is on: first use would otherwise load them on an
     * event loop, stalling its connections for tens of milliseconds. Servers and clients call this when built.
     */
    public void loadCompressionLibraries() {
        if (v2) {
            io.vstp.core.compress.PayloadCompressor.loadNatives(compressionAlgorithms());
        }
    }

    public ProtocolOptions withV2(boolean value) {
        return new ProtocolOptions(
                value,
                headerTableSize,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                maxMessageSize,
                chunkSize,
                compression,
                omitCrcOverTls);
    }

    public ProtocolOptions withWindows(int stream, int connection) {
        return new ProtocolOptions(
                v2,
                headerTableSize,
                stream,
                connection,
                maxHeaderListSize,
                maxMessageSize,
                chunkSize,
                compression,
                omitCrcOverTls);
    }

    public ProtocolOptions withCompression(List<String> algorithms) {
        return new ProtocolOptions(
                v2,
                headerTableSize,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                maxMessageSize,
                chunkSize,
                algorithms,
                omitCrcOverTls);
    }

    public ProtocolOptions withChunkSize(int value) {
        return new ProtocolOptions(
                v2,
                headerTableSize,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                maxMessageSize,
                value,
                compression,
                omitCrcOverTls);
    }

    public ProtocolOptions withHeaderTableSize(int value) {
        return new ProtocolOptions(
                v2,
                value,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                maxMessageSize,
                chunkSize,
                compression,
                omitCrcOverTls);
    }

    public ProtocolOptions withOmitCrcOverTls(boolean value) {
        return new ProtocolOptions(
                v2,
                headerTableSize,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                maxMessageSize,
                chunkSize,
                compression,
                value);
    }

    public ProtocolOptions withMaxMessageSize(int value) {
        return new ProtocolOptions(
                v2,
                headerTableSize,
                streamWindow,
                connectionWindow,
                maxHeaderListSize,
                value,
                chunkSize,
                compression,
                omitCrcOverTls);
    }
}
