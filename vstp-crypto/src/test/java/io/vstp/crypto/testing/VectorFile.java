package io.vstp.crypto.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A published test-vector file from {@code src/test/resources/vectors/}: JSON whose top-level {@code source} field
 * names where every value came from (an RFC section, or an ACVP-Server file, commit and test-case ids). Byte
 * strings are hex, in either case, as the publisher wrote them.
 */
public final class VectorFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Values root;

    private VectorFile(String name, JsonNode root) {
        this.name = name;
        this.root = new Values(name, root);
    }

    /** Reads {@code vectors/<fileName>} from the test class path; a file without a source is refused. */
    public static VectorFile load(String fileName) {
        String resource = "/vectors/" + fileName;
        try (InputStream in = VectorFile.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            VectorFile file = new VectorFile(fileName, JSON.readTree(in));
            if (file.source().isBlank()) {
                throw new IllegalStateException(fileName + " does not say where its vectors come from");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    public String source() {
        return root.text("source");
    }

    /** The values at the top of the file, e.g. a key shared by all its cases. */
    public Values top() {
        return root;
    }

    /** The objects of the array {@code field} at the top of the file. */
    public List<Values> cases(String field) {
        return root.list(field);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The named values of one JSON object of a vector file: a case, a group of cases or the file itself. A missing
     * field is a broken file, so every accessor fails on one rather than returning a default.
     */
    public record Values(String file, JsonNode json) {
        public byte[] hex(String field) {
            return HexFormat.of().parseHex(text(field));
        }

        public String text(String field) {
            return require(field).asText();
        }

        public int number(String field) {
            JsonNode n = require(field);
            if (!n.canConvertToInt()) {
                throw new IllegalStateException(file + ": " + field + " is not an int");
            }
            return n.intValue();
        }

        public boolean flag(String field) {
            JsonNode n = require(field);
            if (!n.isBoolean()) {
                throw new IllegalStateException(file + ": " + field + " is not true or false");
            }
            return n.booleanValue();
        }

        public Values object(String field) {
            return new Values(file, require(field));
        }

        public List<Values> list(String field) {
            List<Values> out = new ArrayList<>();
            for (JsonNode n : require(field)) {
                out.add(new Values(file, n));
            }
            if (out.isEmpty()) {
                throw new IllegalStateException(file + ": " + field + " holds no cases");
            }
            return out;
        }

        private JsonNode require(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) {
                throw new IllegalStateException(file + " has no " + field + " in " + this);
            }
            return n;
        }

        /** How a parameterized test names the case: its name, or its ACVP tcId (and why it was made, if said). */
        @Override
        public String toString() {
            if (json.has("name")) {
                return json.get("name").asText();
            }
            if (json.has("tcId")) {
                String id = "tcId " + json.get("tcId").asText();
                return json.has("reason") ? id + " (" + json.get("reason").asText() + ")" : id;
            }
            return file;
        }
    }
}
