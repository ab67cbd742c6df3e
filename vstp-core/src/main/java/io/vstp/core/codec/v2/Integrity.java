package io.vstp.core.codec.v2;

import io.netty.buffer.ByteBuf;
import io.vstp.core.codec.FrameChecksum;
import java.util.zip.CRC32C;

/**
 * The integrity mode of a v2 connection (docs/spec/wire-v2.md §6): whether every frame ends in a CRC32C trailer.
 * Chosen once in the handshake, it fixes the framing for the whole connection.
 */
public enum Integrity {
    /** A CRC32C (Castagnoli) of every byte of the frame before it, LENGTH included, as u32be. The default. */
    CRC32C("crc32c", 4),
    /** No trailer: only over TLS 1.3 or DTLS, whose AEAD already authenticates every byte. */
    NONE("none", 0);

    private final String wireName;
    private final int trailerLength;

    Integrity(String wireName, int trailerLength) {
        this.wireName = wireName;
        this.trailerLength = trailerLength;
    }

    /** The name in the {@code integrity} handshake header and in the test vectors. */
    public String wireName() {
        return wireName;
    }

    /** Bytes of the trailer at the end of every frame: 4 or 0. */
    public int trailerLength() {
        return trailerLength;
    }

    /**
     * The mode with this wire name (exact, lowercase).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Integrity fromWireName(String name) {
        Integrity found = find(name);
        if (found == null) {
            throw new IllegalArgumentException("unknown integrity mode: " + name);
        }
        return found;
    }

    /** The mode with this wire name, or {@code null}: for handshake headers, where unknown names are skipped. */
    public static Integrity find(String name) {
        for (Integrity i : values()) {
            if (i.wireName.equals(name)) {
                return i;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return wireName;
    }

    /**
     * The CRC32C of bytes in a buffer this thread owns alone (a decoder's input, a writer's fresh output), computed in
     * place with {@link CRC32C} (hardware instructions on x86-64 and ARMv8). As the v1 checksum, it uses the
     * buffer's reusable internal NIO view for direct buffers, so nothing is allocated per frame beyond the
     * {@code CRC32C} object; never for buffers other threads read at the same time.
     */
    static int crc32cOfOwned(ByteBuf buf, int index, int length) {
        CRC32C crc = new CRC32C();
        FrameChecksum.updateOwned(crc, buf, index, length);
        return (int) crc.getValue();
    }
}
