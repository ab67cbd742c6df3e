package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Whole-file encryption and decryption through a temporary file beside the target that is renamed into place only
 * when complete, so a reader never sees a partial result, and a decryption that fails (tampered, truncated, wrong
 * key) leaves nothing behind.
 */
public final class EncryptedFiles {
    private static final int BUFFER = 64 * 1024;

    private EncryptedFiles() {}

    /** What a decryption found: the file's recipients, the key that opened it, and the plaintext size. */
    public record Decrypted(List<KeyId> recipients, KeyId usedKey, long bytes) {}

    /** Encrypts {@code source} to {@code target} for {@code recipients}; returns the ciphertext size. */
    public static long encrypt(Path source, Path target, List<Recipient> recipients, SecureRandom random)
            throws IOException {
        return encrypt(source, target, recipients, random, done -> {});
    }

    /**
     * As {@link #encrypt(Path, Path, List, SecureRandom)}, telling {@code progress} the plaintext bytes read so far.
     */
    public static long encrypt(
            Path source, Path target, List<Recipient> recipients, SecureRandom random, LongConsumer progress)
            throws IOException {
        Path temp = temporaryBeside(target);
        try {
            // The file sink is its own resource: it is closed even when the encrypting stream cannot be built.
            try (InputStream in = Files.newInputStream(source);
                    OutputStream sink = Files.newOutputStream(temp);
                    OutputStream out = new EncryptingOutputStream(sink, recipients, random)) {
                byte[] buf = new byte[BUFFER];
                long total = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    total += n;
                    progress.accept(total);
                }
            }
            long size = Files.size(temp);
            moveIntoPlace(temp, target);
            return size;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Decrypts {@code source} to {@code target}; nothing appears at {@code target} unless every chunk verifies. */
    public static Decrypted decrypt(Path source, Path target, RecipientKeys keys) throws IOException {
        return decrypt(source, target, keys, done -> {});
    }

    /** As {@link #decrypt(Path, Path, RecipientKeys)}, telling {@code progress} the plaintext bytes written so far. */
    public static Decrypted decrypt(Path source, Path target, RecipientKeys keys, LongConsumer progress)
            throws IOException {
        Path temp = temporaryBeside(target);
        try {
            Decrypted result;
            try (DecryptingInputStream in = new DecryptingInputStream(Files.newInputStream(source), keys);
                    OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[BUFFER];
                long total = 0;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    total += n;
                    progress.accept(total);
                }
                result = new Decrypted(in.recipients(), in.usedKey(), total);
            }
            moveIntoPlace(temp, target);
            return result;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Whether the file at {@code path} starts like an end-to-end encrypted file. */
    public static boolean isEncrypted(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return EncryptedFileFormat.looksEncrypted(in.readNBytes(EncryptedFileFormat.MAGIC.length));
        }
    }

    /** A new empty file beside {@code target}, readable only by its owner where the file system has POSIX modes. */
    static Path temporaryBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // At most 48 characters (192 bytes) of the name: with the random part and ".tmp", the temporary name stays
        // within the 255 bytes a file name may have.
        String name = target.getFileName().toString();
        String prefix = "."
                + name.substring(
                        0,
                        Math.min(
                                name.length(),
                                name.offsetByCodePoints(0, Math.min(48, name.codePointCount(0, name.length())))))
                + ".";
        try {
            return Files.createTempFile(
                    dir,
                    prefix,
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
