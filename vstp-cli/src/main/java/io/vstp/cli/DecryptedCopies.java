package io.vstp.cli;

import io.vstp.services.files.FilesClient;
import io.vstp.services.files.FilesProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * Remembers, on a file that {@code get} decrypted, the remote ciphertext it came from (in a user extended attribute
 * of the file), so the same {@code get} run again finds it already there. Without it a rerun could only refuse: the
 * server's hash is of the ciphertext, which the plaintext never matches. The record also holds the plaintext's size
 * and hash, so a copy changed since is not taken for the decryption. Where the file system keeps no user attributes
 * nothing is remembered, and a rerun asks for {@code --force} as before.
 */
final class DecryptedCopies {
    /** {@code v1 CIPHERTEXT_SHA256 PLAINTEXT_SIZE PLAINTEXT_SHA256}. */
    static final String ATTRIBUTE = "vstp.decrypted-from";

    private static final int MAX_RECORD = 256;

    private DecryptedCopies() {}

    /** {@code local} is the decryption of a remote file whose SHA-256 is {@code ciphertextSha256}. Best effort. */
    static void remember(Path local, String ciphertextSha256) {
        UserDefinedFileAttributeView view = view(local);
        if (view == null) {
            return;
        }
        try {
            long size = Files.size(local);
            String record = "v1 " + ciphertextSha256 + " " + size + " " + FilesProtocol.sha256(local, size);
            view.write(ATTRIBUTE, ByteBuffer.wrap(record.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // No attribute, no memory: the next get of the file asks for --force, as without this.
        }
    }

    /**
     * Whether {@code local}, as it is now, is the decryption of a remote file whose SHA-256 is
     * {@code ciphertextSha256}: it was recorded so, and its size and hash are still the ones recorded.
     */
    static boolean isDecryptionOf(Path local, String ciphertextSha256) {
        String[] record = record(local);
        if (record == null || !record[1].equals(ciphertextSha256)) {
            return false;
        }
        try {
            long size = Long.parseLong(record[2]);
            return Files.size(local) == size
                    && FilesProtocol.sha256(local, size).equals(record[3]);
        } catch (NumberFormatException | IOException e) {
            return false;
        }
    }

    /** Whether {@code local} carries a record at all (no network, no hashing). */
    static boolean hasRecord(Path local) {
        return record(local) != null;
    }

    private static String[] record(Path local) {
        UserDefinedFileAttributeView view = view(local);
        if (view == null) {
            return null;
        }
        try {
            if (!view.list().contains(ATTRIBUTE) || view.size(ATTRIBUTE) > MAX_RECORD) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate(MAX_RECORD);
            view.read(ATTRIBUTE, b);
            String[] parts = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).split(" ");
            return parts.length == 4 && parts[0].equals("v1") ? parts : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static UserDefinedFileAttributeView view(Path local) {
        if (!Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return Files.getFileAttributeView(local, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The result of a get that finds {@code local} to be what an earlier get decrypted from {@code remote}: the same
     * if the remote ciphertext is the one it was decrypted from and the file has not changed since. The result
     * describes the remote ciphertext, which a signature covers. Null otherwise, and without asking the server when
     * the file carries no such record.
     */
    static FilesClient.Result unchangedDownload(FilesClient files, String remote, Path local) throws Exception {
        if (!hasRecord(local)) {
            return null;
        }
        long start = System.nanoTime();
        FilesClient.RemoteFile stat = files.stat(remote);
        if (!isDecryptionOf(local, stat.sha256())) {
            return null;
        }
        return new FilesClient.Result(stat.size(), 0, stat.sha256(), (System.nanoTime() - start) / 1e9, true);
    }
}
