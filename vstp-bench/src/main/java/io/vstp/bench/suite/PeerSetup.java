package io.vstp.bench.suite;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How a {@link Peer} is set up for one measurement.
 *
 * @param mode        what the server does with frames: count them (one-way) or echo them (request/response)
 * @param size        payload bytes per frame, or per message for {@link Peer#transfer()}
 * @param connections client connections (TCP), or client endpoints / publications (UDP)
 * @param variant     a peer-specific choice, such as a TLS provider and cipher suite; empty for the default
 * @param loss        probability that a datagram is dropped, for the UDP loss runs; 0 elsewhere
 * @param content     what the payload's bytes are: random (what a transport moves for files and encrypted data), or
 *                    text that compresses to almost nothing
 */
public record PeerSetup(Mode mode, int size, int connections, String variant, double loss, Content content) {
    /** What the server side does with what it receives. */
    public enum Mode {
        SINK,
        ECHO
    }

    /**
     * The three headers every VSTP frame of the suite carries (issue 6: "3 headers, 64-byte payload"). Baselines
     * without per-message headers carry the payload only, which favours them slightly.
     */
    public static final List<Map.Entry<String, byte[]>> HEADERS = List.of(
            Map.entry("topic", ascii("bench")),
            Map.entry("content-type", ascii("application/octet-stream")),
            Map.entry("trace-id", ascii("4bf92f3577b34da6")));

    /**
     * What a payload is made of. Wire v2 compresses, the baselines do not: with text the bulk cases would measure a
     * compressor against a copy, so the suite sends random bytes unless asked for text.
     */
    public enum Content {
        RANDOM,
        TEXT
    }

    /** The seed of the random payload: every peer and every run sends the same bytes. */
    private static final long PAYLOAD_SEED = 0x5654_5350L;

    /** The payload every frame carries: {@code size} bytes of {@link #content()}, the same for every peer. */
    public byte[] payload() {
        byte[] b = new byte[size];
        if (content == Content.RANDOM) {
            new SplittableRandom(PAYLOAD_SEED).nextBytes(b);
            return b;
        }
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /**
     * The payload in a direct buffer that every frame can share through {@code retainedDuplicate()}: unreleasable,
     * so no number of releases frees it while the peer runs.
     */
    public ByteBuf directPayload() {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(size, size).writeBytes(payload()));
    }

    /** The VSTP DATA frame every VSTP peer sends: {@link #HEADERS} and {@link #directPayload()}. */
    public Frame vstpFrame() {
        Frame.Builder b = Frame.builder(FrameType.DATA).payload(directPayload());
        HEADERS.forEach(h -> b.header(h.getKey().getBytes(StandardCharsets.US_ASCII), h.getValue()));
        return b.build();
    }

    /** Deletes a peer's temporary directory and everything in it; nothing if it is null or already gone. */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
