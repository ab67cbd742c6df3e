package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.Secrets;
import io.vstp.crypto.internal.ChaCha20Poly1305;
import io.vstp.crypto.kem.HybridKem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

/**
 * Writes an end-to-end encrypted file (docs/spec/e2e.md) to {@code sink}: the header at construction, then one
 * sealed chunk each time a full chunk is followed by more data, and the final chunk on {@link #close()}. Holding a
 * full chunk back until more data arrives is what lets the last chunk carry the final flag without knowing the
 * size in advance. Memory: one chunk.
 */
public final class EncryptingOutputStream extends OutputStream {
    private final OutputStream sink;
    private final byte[] headerHash;
    private final ChaCha20Poly1305.Keyed payload;
    private final byte[] chunk;
    private final byte[] sealed;
    private final int headerLength;
    private int filled;
    private long index;
    private boolean closed;

    public EncryptingOutputStream(OutputStream sink, List<Recipient> recipients, SecureRandom random)
            throws IOException {
        this(sink, recipients, EncryptedFileFormat.DEFAULT_CHUNK_LOG2, random);
    }

    public EncryptingOutputStream(OutputStream sink, List<Recipient> recipients, int chunkLog2, SecureRandom random)
            throws IOException {
        io.vstp.crypto.FipsRefusals.encryption();
        if (recipients.isEmpty() || recipients.size() > EncryptedFileFormat.MAX_RECIPIENTS) {
            throw new IllegalArgumentException(
                    "1.." + EncryptedFileFormat.MAX_RECIPIENTS + " recipients, not " + recipients.size());
        }
        if (chunkLog2 < EncryptedFileFormat.MIN_CHUNK_LOG2 || chunkLog2 > EncryptedFileFormat.MAX_CHUNK_LOG2) {
            throw new IllegalArgumentException("chunk size 2^" + chunkLog2 + " out of range");
        }
        this.sink = sink;
        byte[] fileKey = new byte[EncryptedFileFormat.FILE_KEY_LENGTH];
        random.nextBytes(fileKey);
        try {
            byte[] header = header(recipients, chunkLog2, fileKey, random);
            this.headerLength = header.length;
            this.headerHash = KeyId.sha256(header);
            byte[] payloadKey = EncryptedFileFormat.payloadKey(headerHash, fileKey);
            this.payload = new ChaCha20Poly1305.Keyed(payloadKey);
            Secrets.wipe(payloadKey);
            sink.write(header);
        } finally {
            Secrets.wipe(fileKey);
        }
        this.chunk = new byte[1 << chunkLog2];
        this.sealed = new byte[chunk.length + ChaCha20Poly1305.TAG_LENGTH];
    }

    /** Bytes of header written at construction (for {@link EncryptedFileFormat#encryptedSize}). */
    public int headerLength() {
        return headerLength;
    }

    private static byte[] header(List<Recipient> recipients, int chunkLog2, byte[] fileKey, SecureRandom random) {
        ByteArrayOutputStream h = new ByteArrayOutputStream(
                EncryptedFileFormat.FIXED_HEADER + recipients.size() * (EncryptedFileFormat.STANZA_FIXED + 64));
        h.writeBytes(EncryptedFileFormat.MAGIC);
        h.write(EncryptedFileFormat.SUITE_HYBRID_CHACHA);
        h.write(chunkLog2);
        h.write(recipients.size());
        for (Recipient r : recipients) {
            byte[] keyId = r.keyId().bytes();
            byte[] extraId = r.extraId().getBytes(StandardCharsets.US_ASCII);
            HybridKem.Encapsulated kem = HybridKem.encapsulate(r.publicKey(), r.extraSecret(), random);
            try {
                h.writeBytes(keyId);
                h.writeBytes(kem.encapsulation());
                h.write(extraId.length);
                h.writeBytes(extraId);
                h.writeBytes(ChaCha20Poly1305.seal(
                        kem.sharedSecret(),
                        EncryptedFileFormat.wrapNonce(),
                        EncryptedFileFormat.wrapAad(keyId, extraId),
                        fileKey));
            } finally {
                Secrets.wipe(kem.sharedSecret());
            }
        }
        return h.toByteArray();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (len > 0) {
            if (filled == chunk.length) {
                // More data follows a full chunk, so that chunk is not the last one.
                seal(false);
            }
            int n = Math.min(len, chunk.length - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void seal(boolean last) throws IOException {
        int n = payload.seal(
                EncryptedFileFormat.chunkNonce(index),
                EncryptedFileFormat.chunkAad(headerHash, index, last),
                chunk,
                0,
                filled,
                sealed,
                0);
        sink.write(sealed, 0, n);
        index++;
        filled = 0;
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    /**
     * Writes the final chunk (possibly empty) and closes the sink. Whatever was written so far becomes a complete,
     * authentic file: after a failure to read the source, discard the output instead of treating it as done (as
     * {@link EncryptedFiles#encrypt} does by never renaming its temporary file).
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            seal(true);
            sink.flush();
        } finally {
            Secrets.wipe(chunk, sealed);
            sink.close();
        }
    }
}
