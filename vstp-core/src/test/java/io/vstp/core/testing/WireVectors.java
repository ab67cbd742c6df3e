package io.vstp.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.FrameLimits;
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
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The language-neutral wire vectors, docs/spec/vectors/wire-v1.json, read as the spec defines them (§11). Tests
 * load this file, never a private copy.
 */
public final class WireVectors {
    /** A case that must decode to {@link #frame} and encode back to {@link #bytes}. */
    public record Valid(
            String name,
            String spec,
            byte[] bytes,
            FrameLimits limits,
            int type,
            int flags,
            List<Header> headers,
            byte[] payload) {
        /** The expected frame; its payload is an unpooled heap copy, safe to drop. */
        public Frame frame() {
            FrameType t = FrameTypeRegistry.V1.find(type);
            return new Frame(
                    t != null ? t : FrameType.unknown(type),
                    Flags.of(flags),
                    Headers.of(headers),
                    Unpooled.wrappedBuffer(payload));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A case that must fail with {@link #error}. */
    public record Invalid(String name, String spec, byte[] bytes, FrameLimits limits, String error) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Valid> valid = new ArrayList<>();
    private final List<Invalid> invalid = new ArrayList<>();

    private WireVectors(JsonNode root) {
        FrameLimits defaults = limits(root.get("defaultLimits"), FrameLimits.DEFAULT);
        for (JsonNode c : root.get("valid")) {
            JsonNode f = c.get("frame");
            List<Header> headers = new ArrayList<>();
            for (JsonNode h : f.get("headers")) {
                headers.add(Header.of(
                        Hex.decode(h.get("keyHex").asText()),
                        Hex.decode(h.get("valueHex").asText())));
            }
            valid.add(new Valid(
                    c.get("name").asText(),
                    c.get("spec").asText(),
                    Hex.decode(c.get("hex").asText()),
                    limits(c.get("limits"), defaults),
                    f.get("type").asInt(),
                    f.get("flags").asInt(),
                    headers,
                    Hex.decode(f.get("payloadHex").asText())));
        }
        for (JsonNode c : root.get("invalid")) {
            invalid.add(new Invalid(
                    c.get("name").asText(),
                    c.get("spec").asText(),
                    Hex.decode(c.get("hex").asText()),
                    limits(c.get("limits"), defaults),
                    c.get("error").asText()));
        }
    }

    private static FrameLimits limits(JsonNode node, FrameLimits base) {
        if (node == null) {
            return base;
        }
        FrameLimits l = base;
        if (node.has("maxFrameSize")) {
            l = l.withMaxFrameSize(node.get("maxFrameSize").asInt());
        }
        if (node.has("maxHeaderSectionSize")) {
            l = l.withMaxHeaderSectionSize(node.get("maxHeaderSectionSize").asInt());
        }
        if (node.has("maxHeaderCount")) {
            l = l.withMaxHeaderCount(node.get("maxHeaderCount").asInt());
        }
        return l;
    }

    /** The spec directory: system property {@code vstp.spec.dir}, set by the build. */
    public static Path specDir() {
        return Paths.get(System.getProperty("vstp.spec.dir", "../docs/spec"));
    }

    public static WireVectors load() {
        Path file = specDir().resolve("vectors/wire-v1.json");
        try {
            return new WireVectors(new ObjectMapper().readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    /** The valid case named {@code name} (tests that send a vector's exact bytes, e.g. the crate's empty HELLO). */
    public Valid valid(String name) {
        return valid.stream()
                .filter(v -> v.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no valid vector named " + name));
    }

    public List<Valid> valid() {
        return valid;
    }

    public List<Invalid> invalid() {
        return invalid;
    }
}
