package io.vstp.core.compress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The payload compression algorithms of wire v2 (docs/spec/wire-v2.md §9, registry.md): the ALG number carried
 * in a compressed payload and the name used in the {@code compression} handshake header (§10).
 */
public enum CompressionAlgorithm {
    /** One zstd frame (RFC 8878). */
    ZSTD(1, "zstd"),
    /** One LZ4 block (block format, no frame header); ORIGINAL_LENGTH gives the output size. */
    LZ4(2, "lz4");

    private static final CompressionAlgorithm[] VALUES = values();

    private final int id;
    private final String wireName;

    CompressionAlgorithm(int id, String wireName) {
        this.id = id;
        this.wireName = wireName;
    }

    /** The ALG value on the wire. */
    public int id() {
        return id;
    }

    /** The name in the {@code compression} header. */
    public String wireName() {
        return wireName;
    }

    /** The algorithm with this ALG value, or {@code null} for 0 and any value this implementation does not know. */
    public static CompressionAlgorithm byId(long id) {
        for (CompressionAlgorithm a : VALUES) {
            if (a.id == id) {
                return a;
            }
        }
        return null;
    }

    /** The algorithm with this {@code compression} name (exact, case-sensitive), or {@code null}. */
    public static CompressionAlgorithm byWireName(String name) {
        for (CompressionAlgorithm a : VALUES) {
            if (a.wireName.equals(name)) {
                return a;
            }
        }
        return null;
    }

    /**
     * Parses a {@code compression} header value ({@code "zstd,lz4"}): names separated by commas, blanks around
     * them ignored, in order, each once. Unknown names are ignored (a peer may offer algorithms this side does not
     * know); {@code null} or an empty value gives an empty list.
     */
    public static List<CompressionAlgorithm> parseList(String commaSeparated) {
        List<CompressionAlgorithm> out = new ArrayList<>(2);
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.copyOf(out);
        }
        for (String part : commaSeparated.split(",", -1)) {
            CompressionAlgorithm a = byWireName(part.strip());
            if (a != null && !out.contains(a)) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }

    /** The {@code compression} header value for these algorithms, in order: {@code "zstd,lz4"}; empty for none. */
    public static String toList(List<CompressionAlgorithm> algorithms) {
        StringBuilder sb = new StringBuilder();
        for (CompressionAlgorithm a : algorithms) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(a.wireName);
        }
        return sb.toString();
    }

    /**
     * What a server answers in WELCOME (wire-v2.md §10): the algorithms of the client's offer that the server
     * accepts, in the client's order.
     */
    public static List<CompressionAlgorithm> agree(
            List<CompressionAlgorithm> offered, Collection<CompressionAlgorithm> accepted) {
        List<CompressionAlgorithm> out = new ArrayList<>(offered.size());
        for (CompressionAlgorithm a : offered) {
            if (accepted.contains(a) && !out.contains(a)) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }
}
