package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.internal.ChaCha20Poly1305;
import io.vstp.crypto.internal.Hkdf;
import io.vstp.crypto.kem.HybridKem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Constants and the small derivations of the end-to-end file format, version 1 (docs/spec/e2e.md). All integers are
 * big-endian.
 *
 * <pre>
 *   header  = magic "VSTPE2E" 0x01 | suite u8 (1) | chunk_log2 u8 | recipient_count u8 | stanza{count}
 *   stanza  = key_id[16] | encapsulation[1120] | extra_id_len u8 | extra_id | wrapped_file_key[48]
 *   body    = chunk{1..}: ChaCha20-Poly1305(payload_key, nonce = 0[4] | index u64,
 *                                           aad = header_hash[32] | index u64 | final u8, plaintext)
 * </pre>
 * A stanza's wrap key is the hybrid KEM secret; the file key is random; the payload key is
 * HKDF(salt = SHA-256(header), ikm = file key, info = "VSTP-E2E v1 payload"). Every chunk but the last holds
 * exactly 2^chunk_log2 plaintext bytes, the last holds 0..2^chunk_log2 and has final = 1.
 */
public final class EncryptedFileFormat {
    static final byte[] MAGIC = {'V', 'S', 'T', 'P', 'E', '2', 'E', 1};
    static final int SUITE_HYBRID_CHACHA = 1;
    public static final int MIN_CHUNK_LOG2 = 10;
    public static final int MAX_CHUNK_LOG2 = 22;
    public static final int DEFAULT_CHUNK_LOG2 = 16;
    public static final int MAX_RECIPIENTS = 16;
    public static final int MAX_EXTRA_ID = 64;
    static final int FILE_KEY_LENGTH = 32;
    static final int WRAPPED_KEY_LENGTH = FILE_KEY_LENGTH + ChaCha20Poly1305.TAG_LENGTH;
    static final int FIXED_HEADER = MAGIC.length + 3;
    static final int STANZA_FIXED = KeyId.LENGTH + HybridKem.ENCAPSULATION_LENGTH + 1 + WRAPPED_KEY_LENGTH;
    private static final byte[] PAYLOAD_INFO = "VSTP-E2E v1 payload".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRAP_NONCE = new byte[ChaCha20Poly1305.NONCE_LENGTH];

    private EncryptedFileFormat() {}

    /** Whether {@code prefix} (at least 8 bytes of a file) starts like an end-to-end encrypted file. */
    public static boolean looksEncrypted(byte[] prefix) {
        if (prefix.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Ciphertext size for {@code plaintextSize} bytes and this header length. */
    public static long encryptedSize(long plaintextSize, int headerLength, int chunkLog2) {
        long chunk = 1L << chunkLog2;
        long chunks = plaintextSize == 0 ? 1 : (plaintextSize + chunk - 1) / chunk;
        return headerLength + plaintextSize + chunks * ChaCha20Poly1305.TAG_LENGTH;
    }

    static void checkExtraId(String extraId) {
        byte[] b = extraId.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_EXTRA_ID) {
            throw new IllegalArgumentException("extra key id longer than " + MAX_EXTRA_ID + " bytes");
        }
        for (byte c : b) {
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("extra key id must be printable ASCII without spaces");
            }
        }
    }

    static byte[] payloadKey(byte[] headerHash, byte[] fileKey) {
        return Hkdf.derive(headerHash, fileKey, PAYLOAD_INFO, ChaCha20Poly1305.KEY_LENGTH);
    }

    /** The wrap AEAD's associated data: the stanza's key id and extra id, so neither can be swapped. */
    static byte[] wrapAad(byte[] keyId, byte[] extraId) {
        return ByteBuffer.allocate(keyId.length + extraId.length)
                .put(keyId)
                .put(extraId)
                .array();
    }

    static byte[] wrapNonce() {
        return WRAP_NONCE.clone();
    }

    static byte[] chunkNonce(long index) {
        return ByteBuffer.allocate(ChaCha20Poly1305.NONCE_LENGTH)
                .putInt(0)
                .putLong(index)
                .array();
    }

    static byte[] chunkAad(byte[] headerHash, long index, boolean last) {
        return ByteBuffer.allocate(headerHash.length + 9)
                .put(headerHash)
                .putLong(index)
                .put((byte) (last ? 1 : 0))
                .array();
    }
}
