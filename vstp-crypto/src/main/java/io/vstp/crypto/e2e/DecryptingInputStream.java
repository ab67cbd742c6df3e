package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.Secrets;
import io.vstp.crypto.e2e.EncryptedFileException.Reason;
import io.vstp.crypto.internal.ChaCha20Poly1305;
import io.vstp.crypto.kem.HybridKem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * Reads an end-to-end encrypted file (docs/spec/e2e.md), returning only authenticated plaintext: each chunk is
 * checked before any of its bytes are handed out, and the end of the data must come right after the chunk flagged
 * final. Callers that must not act on a prefix of a file that later turns out truncated or tampered read to the
 * end before using the result (as {@link EncryptedFiles#decrypt} does).
 *
 * <p>Everything in the header is bounded before it is read (recipients, id lengths, chunk size), so a hostile file
 * costs at most one chunk of memory (4 MiB) and the header (under 20 KiB).
 */
public final class DecryptingInputStream extends InputStream {
    private final PushbackInputStream source;
    private final List<KeyId> recipients;
    private final KeyId usedKey;
    private final byte[] headerHash;
    private final ChaCha20Poly1305.Keyed payload;
    private final int chunkSize;
    private final byte[] sealed;
    private final byte[] plain;
    private int plainLength;
    private int position;
    private long index;
    private boolean finished;

    public DecryptingInputStream(InputStream source, RecipientKeys keys) throws IOException {
        io.vstp.crypto.FipsRefusals.decryption();
        this.source = new PushbackInputStream(source, 1);
        ByteArrayOutputStream header =
                new ByteArrayOutputStream(EncryptedFileFormat.FIXED_HEADER + EncryptedFileFormat.STANZA_FIXED);
        byte[] magic = readFully(EncryptedFileFormat.MAGIC.length, header, null);
        if (magic == null || !EncryptedFileFormat.looksEncrypted(magic)) {
            throw new EncryptedFileException(Reason.NOT_ENCRYPTED, "not a VSTP end-to-end encrypted file");
        }
        int suite = readByte(header);
        if (suite != EncryptedFileFormat.SUITE_HYBRID_CHACHA) {
            throw new EncryptedFileException(
                    Reason.MALFORMED,
                    "unknown cipher suite " + suite + " (this version knows 1: " + HybridKem.NAME
                            + ", HKDF-SHA-256, ChaCha20-Poly1305)");
        }
        int chunkLog2 = readByte(header);
        if (chunkLog2 < EncryptedFileFormat.MIN_CHUNK_LOG2 || chunkLog2 > EncryptedFileFormat.MAX_CHUNK_LOG2) {
            throw new EncryptedFileException(
                    Reason.MALFORMED,
                    "chunk size 2^" + chunkLog2 + " out of range 2^" + EncryptedFileFormat.MIN_CHUNK_LOG2 + "..2^"
                            + EncryptedFileFormat.MAX_CHUNK_LOG2);
        }
        this.chunkSize = 1 << chunkLog2;
        int count = readByte(header);
        if (count < 1 || count > EncryptedFileFormat.MAX_RECIPIENTS) {
            throw new EncryptedFileException(
                    Reason.MALFORMED, count + " recipients (1.." + EncryptedFileFormat.MAX_RECIPIENTS + " allowed)");
        }
        List<KeyId> ids = new ArrayList<>(count);
        byte[] fileKey = null;
        KeyId used = null;
        for (int i = 0; i < count; i++) {
            KeyId id = new KeyId(readFully(KeyId.LENGTH, header, "header"));
            byte[] encapsulation = readFully(HybridKem.ENCAPSULATION_LENGTH, header, "header");
            int extraLength = readByte(header);
            if (extraLength > EncryptedFileFormat.MAX_EXTRA_ID) {
                throw new EncryptedFileException(Reason.MALFORMED, "extra key id of " + extraLength + " bytes");
            }
            byte[] extraId = readFully(extraLength, header, "header");
            for (byte c : extraId) {
                if (c < 0x21 || c > 0x7e) {
                    throw new EncryptedFileException(Reason.MALFORMED, "extra key id is not printable ASCII");
                }
            }
            byte[] wrapped = readFully(EncryptedFileFormat.WRAPPED_KEY_LENGTH, header, "header");
            ids.add(id);
            if (fileKey == null) {
                byte[] privateKey = keys.privateKey(id);
                if (privateKey != null) {
                    try {
                        fileKey = unwrap(privateKey, id, encapsulation, extraId, wrapped, keys);
                        used = id;
                    } finally {
                        Secrets.wipe(privateKey);
                    }
                }
            }
        }
        this.recipients = Collections.unmodifiableList(ids);
        if (fileKey == null) {
            throw new EncryptedFileException(
                    Reason.NO_MATCHING_KEY, "encrypted to key(s) " + ids + ", none of which is in the key ring");
        }
        this.usedKey = used;
        this.headerHash = KeyId.sha256(header.toByteArray());
        byte[] payloadKey = EncryptedFileFormat.payloadKey(headerHash, fileKey);
        this.payload = new ChaCha20Poly1305.Keyed(payloadKey);
        Secrets.wipe(fileKey, payloadKey);
        this.sealed = new byte[chunkSize + ChaCha20Poly1305.TAG_LENGTH];
        this.plain = new byte[chunkSize];
    }

    private static byte[] unwrap(
            byte[] privateKey, KeyId id, byte[] encapsulation, byte[] extraId, byte[] wrapped, RecipientKeys keys)
            throws IOException {
        String extraName = new String(extraId, StandardCharsets.US_ASCII);
        byte[] extra = extraId.length == 0 ? new byte[0] : keys.extraSecret(extraName);
        byte[] wrapKey;
        try {
            wrapKey = HybridKem.decapsulate(privateKey, encapsulation, extra);
        } catch (IllegalArgumentException e) {
            throw new EncryptedFileException(
                    Reason.TAMPERED, "the key stanza for " + id + " is invalid: " + e.getMessage(), e);
        } finally {
            Secrets.wipe(extra);
        }
        try {
            return ChaCha20Poly1305.open(
                    wrapKey,
                    EncryptedFileFormat.wrapNonce(),
                    EncryptedFileFormat.wrapAad(id.bytes(), extraId),
                    wrapped);
        } catch (AEADBadTagException e) {
            throw new EncryptedFileException(
                    Reason.TAMPERED,
                    "the file key for " + id + " failed authentication"
                            + " (header altered"
                            + (extraId.length > 0 ? ", or the wrong extra key for " + extraName : "")
                            + ")",
                    e);
        } finally {
            Secrets.wipe(wrapKey);
        }
    }

    /** The key IDs the file is encrypted to. */
    public List<KeyId> recipients() {
        return recipients;
    }

    /** The key of ours that opened it. */
    public KeyId usedKey() {
        return usedKey;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (position == plainLength) {
            if (finished) {
                return -1;
            }
            nextChunk();
        }
        int n = Math.min(len, plainLength - position);
        System.arraycopy(plain, position, b, off, n);
        position += n;
        return n;
    }

    private void nextChunk() throws IOException {
        int read = source.readNBytes(sealed, 0, sealed.length);
        if (read < ChaCha20Poly1305.TAG_LENGTH) {
            throw new EncryptedFileException(
                    Reason.TRUNCATED, "the file ends inside chunk " + index + ", before its final chunk");
        }
        boolean full = read == sealed.length;
        boolean last = !full || atEnd();
        position = 0;
        plainLength = 0;
        try {
            plainLength = payload.open(
                    EncryptedFileFormat.chunkNonce(index),
                    EncryptedFileFormat.chunkAad(headerHash, index, last),
                    sealed,
                    0,
                    read,
                    plain,
                    0);
        } catch (AEADBadTagException e) {
            Secrets.wipe(plain);
            if (last && full && opensAsNonFinal()) {
                // Authentic, but sealed as "more follows": everything after it was cut off at a chunk boundary.
                throw new EncryptedFileException(
                        Reason.TRUNCATED,
                        "the file ends after chunk " + index + ", which was not its final chunk: it was truncated",
                        e);
            }
            throw new EncryptedFileException(
                    Reason.TAMPERED,
                    "chunk " + index
                            + " failed authentication: the file was altered, reordered or spliced"
                            + (last ? ", or cut inside a chunk" : ""),
                    e);
        }
        index++;
        finished = last;
    }

    private boolean opensAsNonFinal() {
        try {
            // A second Cipher: the JDK refuses to re-initialise one with the key and nonce it just used.
            payload.another()
                    .open(
                            EncryptedFileFormat.chunkNonce(index),
                            EncryptedFileFormat.chunkAad(headerHash, index, false),
                            sealed,
                            0,
                            sealed.length,
                            plain,
                            0);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } finally {
            Secrets.wipe(plain);
        }
    }

    private boolean atEnd() throws IOException {
        int b = source.read();
        if (b < 0) {
            return true;
        }
        source.unread(b);
        return false;
    }

    private byte[] readFully(int n, ByteArrayOutputStream header, String what) throws IOException {
        byte[] b = source.readNBytes(n);
        if (b.length < n) {
            if (what == null) {
                return null;
            }
            throw new EncryptedFileException(Reason.TRUNCATED, "the file ends inside its " + what);
        }
        header.writeBytes(b);
        return b;
    }

    private int readByte(ByteArrayOutputStream header) throws IOException {
        return readFully(1, header, "header")[0] & 0xff;
    }

    @Override
    public void close() throws IOException {
        Secrets.wipe(sealed, plain);
        source.close();
    }
}
