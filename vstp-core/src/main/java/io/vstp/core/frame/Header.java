package io.vstp.core.frame;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One header entry: a key and a value, both byte strings (docs/spec/wire-v1.md §5). Immutable: the bytes are
 * copied in and copied out. Keys are compared byte for byte, case-sensitively.
 *
 * <p>The model itself does not cap lengths, so the same model serves later wire versions; the v1 encoder refuses
 * keys and values over 255 bytes ({@code HEADER_ENTRY_TOO_LONG}).
 */
public final class Header {
    private static final byte[] EMPTY = new byte[0];

    private final byte[] key;
    private final byte[] value;

    private Header(byte[] key, byte[] value) {
        this.key = key;
        this.value = value;
    }

    /** A header from UTF-8 text. */
    public static Header of(String key, String value) {
        return new Header(utf8(key), utf8(value));
    }

    /** A header from bytes; both arrays are copied. */
    public static Header of(byte[] key, byte[] value) {
        return new Header(copy(key), copy(value));
    }

    /** A header copied out of {@code buf} at absolute indexes; the buffer's indexes do not move. */
    public static Header copyOf(ByteBuf buf, int keyIndex, int keyLength, int valueIndex, int valueLength) {
        return new Header(copy(buf, keyIndex, keyLength), copy(buf, valueIndex, valueLength));
    }

    private static byte[] copy(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[length];
        buf.getBytes(index, bytes);
        return bytes;
    }

    private static byte[] copy(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : bytes.clone();
    }

    static byte[] utf8(String s) {
        return s.isEmpty() ? EMPTY : s.getBytes(StandardCharsets.UTF_8);
    }

    public int keyLength() {
        return key.length;
    }

    public int valueLength() {
        return value.length;
    }

    /** A copy of the key bytes. */
    public byte[] key() {
        return copy(key);
    }

    /** A copy of the value bytes. */
    public byte[] value() {
        return copy(value);
    }

    /** Writes the key bytes to {@code out}, advancing its writer index. */
    public void writeKey(ByteBuf out) {
        out.writeBytes(key);
    }

    /** Writes the value bytes to {@code out}, advancing its writer index. */
    public void writeValue(ByteBuf out) {
        out.writeBytes(value);
    }

    /** The key as text; malformed UTF-8 is replaced with U+FFFD. */
    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The value as text; malformed UTF-8 is replaced with U+FFFD. */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** The value as text, or {@code null} if it is not valid UTF-8 (the crate's {@code get_header} rule). */
    public String valueAsStrictUtf8() {
        if (isAscii(value)) {
            // The common case (ids, numbers, names): valid UTF-8 by construction, decoded without a decoder.
            return new String(value, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The value as a non-negative decimal number (ASCII digits only, no sign, at most 18 digits, so it cannot
     * overflow), or -1 if it is not one. Reads the bytes in place: numbers in headers (ids, counts, offsets) are
     * parsed per frame.
     */
    public long valueAsDecimal() {
        if (value.length == 0 || value.length > 18) {
            return -1;
        }
        long n = 0;
        for (byte b : value) {
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    /** Whether the key is {@code other} encoded as UTF-8; allocates nothing when {@code other} is ASCII. */
    boolean keyEquals(String other) {
        int n = other.length();
        if (n > key.length) {
            return false; // UTF-8 never has fewer bytes than UTF-16 code units
        }
        for (int i = 0; i < n; i++) {
            char c = other.charAt(i);
            if (c >= 0x80) {
                return Arrays.equals(key, utf8(other)); // up to here ASCII and equal: compare the rest exactly
            }
            if (n != key.length || c != key[i]) {
                // All ASCII so far: an ASCII string encodes to n bytes, so a different length cannot match either,
                // unless a later character is not ASCII.
                return n != key.length && !isAscii(other, i + 1) && Arrays.equals(key, utf8(other));
            }
        }
        return n == key.length; // an empty string equals only an empty key
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this entry's key and value are the bytes at {@code index} of {@code buf}: {@code keyLength} key bytes
     * followed directly by {@code valueLength} value bytes, as on the wire.
     */
    boolean contentEquals(ByteBuf buf, int index, int keyLength, int valueLength) {
        return key.length == keyLength
                && value.length == valueLength
                && regionEquals(buf, index, key)
                && regionEquals(buf, index + keyLength, value);
    }

    /** Compares 8 bytes per buffer read: one checked read per byte would cost more than a copy. */
    private static boolean regionEquals(ByteBuf buf, int index, byte[] bytes) {
        int i = 0;
        for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
            if (buf.getLongLE(index + i) != (long) LONGS.get(bytes, i)) {
                return false;
            }
        }
        for (; i < bytes.length; i++) {
            if (buf.getByte(index + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Override
    public boolean equals(Object o) {
        return o instanceof Header && Arrays.equals(key, ((Header) o).key) && Arrays.equals(value, ((Header) o).value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return keyAsString() + "=" + valueAsString();
    }
}
