package io.vstp.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire v2 vectors, docs/spec/vectors/wire-v2.json, read as wire-v2.md §13 defines them. Tests load this file,
 * never a private copy.
 */
public final class WireV2Vectors {
    /** How a case is decoded: the limits, the HPACK dynamic table size and the integrity mode. */
    public record Setup(V2Limits limits, int headerTable, Integrity integrity) {}

    /** The fields of one frame. */
    public record Fields(long stream, int type, int flags, List<Header> headers, byte[] payload) {
        /** The expected frame (unknown types as {@link FrameType#unknown}); an unpooled heap payload. */
        public Frame frame() {
            FrameType t = FrameTypeRegistry.V2.find(type);
            return new Frame(
                    stream,
                    t != null ? t : FrameType.unknown(type),
                    Flags.of(flags),
                    Headers.of(headers),
                    Unpooled.wrappedBuffer(payload));
        }
    }

    public record Valid(String name, String spec, byte[] bytes, Setup setup, Fields fields) {
        @Override
        public String toString() {
            return name;
        }
    }

    public record Invalid(String name, String spec, byte[] bytes, Setup setup, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    public record Sequence(String name, String spec, byte[] bytes, Setup setup, List<Fields> frames) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Valid> valid = new ArrayList<>();
    private final List<Invalid> invalid = new ArrayList<>();
    private final List<Sequence> sequences = new ArrayList<>();

    private WireV2Vectors(JsonNode root) {
        JsonNode defaults = root.get("defaultLimits");
        for (JsonNode c : root.get("valid")) {
            valid.add(new Valid(
                    c.get("name").asText(),
                    c.get("spec").asText(),
                    Hex.decode(c.get("hex").asText()),
                    setup(defaults, c),
                    fields(c.get("frame"))));
        }
        for (JsonNode c : root.get("invalid")) {
            invalid.add(new Invalid(
                    c.get("name").asText(),
                    c.get("spec").asText(),
                    Hex.decode(c.get("hex").asText()),
                    setup(defaults, c),
                    c.get("error").asText()));
        }
        for (JsonNode c : root.get("sequences")) {
            List<Fields> frames = new ArrayList<>();
            c.get("frames").forEach(f -> frames.add(fields(f)));
            sequences.add(new Sequence(
                    c.get("name").asText(),
                    c.get("spec").asText(),
                    Hex.decode(c.get("hex").asText()),
                    setup(defaults, c),
                    frames));
        }
    }

    private static Fields fields(JsonNode f) {
        List<Header> headers = new ArrayList<>();
        for (JsonNode h : f.get("headers")) {
            headers.add(Header.of(
                    Hex.decode(h.get("keyHex").asText()),
                    Hex.decode(h.get("valueHex").asText())));
        }
        return new Fields(
                f.get("stream").asLong(),
                f.get("type").asInt(),
                f.get("flags").asInt(),
                headers,
                Hex.decode(f.get("payloadHex").asText()));
    }

    private static Setup setup(JsonNode defaults, JsonNode c) {
        JsonNode over = c.get("limits");
        V2Limits limits = new V2Limits(
                value(defaults, over, "maxFrameSize").asInt(),
                value(defaults, over, "maxHeaderBlock").asInt(),
                value(defaults, over, "maxHeaderListSize").asLong(),
                value(defaults, over, "maxHeaderCount").asInt());
        return new Setup(
                limits,
                value(defaults, over, "headerTable").asInt(),
                Integrity.fromWireName(c.get("integrity").asText()));
    }

    private static JsonNode value(JsonNode defaults, JsonNode over, String key) {
        return over != null && over.has(key) ? over.get(key) : defaults.get(key);
    }

    public static WireV2Vectors load() {
        Path file = WireVectors.specDir().resolve("vectors/wire-v2.json");
        try {
            return new WireV2Vectors(new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    public List<Valid> valid() {
        return valid;
    }

    public List<Invalid> invalid() {
        return invalid;
    }

    public List<Sequence> sequences() {
        return sequences;
    }
}
