package io.vstp.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The identifier of a public key: the first 16 bytes of its SHA-256, shown as 32 lowercase hex digits. Long
 * enough that two keys never collide by accident; it names keys, it does not authenticate them.
 */
public record KeyId(byte[] bytes) {
    public static final int LENGTH = 16;

    public KeyId {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("key id must be " + LENGTH + " bytes");
        }
        bytes = bytes.clone();
    }

    public static KeyId of(byte[] publicKey) {
        return new KeyId(Arrays.copyOf(sha256(publicKey), LENGTH));
    }

    /** Parses 32 hex digits; anything else is an IllegalArgumentException. */
    public static KeyId parse(String hex) {
        if (hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a key id is " + 2 * LENGTH + " hex digits: " + hex);
        }
        return new KeyId(HexFormat.of().parseHex(hex));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyId k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
