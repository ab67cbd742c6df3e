package io.vstp.crypto.sign;

import io.vstp.crypto.KeyId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * What a signature vouches for: a stored file's name, size and SHA-256, whether it is end-to-end encrypted, when it
 * was signed, and by which key with which algorithm. Its canonical text (docs/spec/e2e.md §5) is what is signed:
 *
 * <pre>
 * vstp-manifest: 1
 * name: reports/q3.pdf
 * size: 1048576
 * sha256: 9f86d0…
 * encrypted: false
 * created: 2026-12-02T01:00:00Z
 * signer: 3a7bd3e2360a3d29eea436fcfb7e44c7
 * algorithm: ml-dsa-65
 * </pre>
 * Each line ends with LF; the first line names the format version, which also separates these signatures from any
 * other use of the same key.
 */
public record Manifest(
        String name,
        long size,
        String sha256,
        boolean encrypted,
        Instant created,
        KeyId signer,
        SignatureAlgorithm algorithm) {
    static final int MAX_NAME = 1024;
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public Manifest {
        if (name.isEmpty()
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(
                    "manifest name must be 1.." + MAX_NAME + " bytes without control characters");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
        }
        created = Instant.ofEpochSecond(created.getEpochSecond());
        if (created.isBefore(EARLIEST) || created.isAfter(LATEST)) {
            throw new IllegalArgumentException("created must be in the years 0000-9999");
        }
    }

    /** The exact bytes that are signed. */
    public byte[] canonicalBytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    String text() {
        return "vstp-manifest: 1\n"
                + "name: " + name + "\n"
                + "size: " + size + "\n"
                + "sha256: " + sha256 + "\n"
                + "encrypted: " + encrypted + "\n"
                + "created: " + created + "\n"
                + "signer: " + signer + "\n"
                + "algorithm: " + algorithm.id() + "\n";
    }

    /**
     * Parses canonical text, and only canonical text: the result re-encodes to exactly the same bytes, so there is
     * one signed form per manifest.
     */
    static Manifest parse(String text) {
        String[] lines = text.split("\n", -1);
        String[] keys = {"vstp-manifest", "name", "size", "sha256", "encrypted", "created", "signer", "algorithm"};
        if (lines.length != keys.length + 1 || !lines[keys.length].isEmpty()) {
            throw new IllegalArgumentException("a manifest has exactly " + keys.length + " lines");
        }
        String[] values = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            String prefix = keys[i] + ": ";
            if (!lines[i].startsWith(prefix)) {
                throw new IllegalArgumentException("manifest line " + (i + 1) + " must start with '" + prefix + "'");
            }
            values[i] = lines[i].substring(prefix.length());
        }
        if (!values[0].equals("1")) {
            throw new IllegalArgumentException("manifest version " + values[0] + " (this version reads 1)");
        }
        Manifest m;
        try {
            m = new Manifest(
                    values[1],
                    Long.parseLong(values[2]),
                    values[3],
                    parseBoolean(values[4]),
                    Instant.parse(values[5]),
                    KeyId.parse(values[6]),
                    SignatureAlgorithm.fromId(values[7]));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("malformed manifest: " + e.getMessage(), e);
        }
        if (!m.text().equals(text)) {
            throw new IllegalArgumentException("manifest is not in canonical form");
        }
        return m;
    }

    private static boolean parseBoolean(String v) {
        if (v.equals("true") || v.equals("false")) {
            return v.equals("true");
        }
        throw new IllegalArgumentException("encrypted must be true or false");
    }
}
