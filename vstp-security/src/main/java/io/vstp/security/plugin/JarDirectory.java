package io.vstp.security.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin directory on disk: which {@code *.jar} files it holds now, and private copies of them to load from. A
 * jar is loaded from its copy, in a temporary directory only the server can write, so a jar that is replaced or
 * deleted under the server never changes code that runs.
 *
 * <p>Lifecycle: {@link #open} creates the directory for copies, {@link #close} deletes it with whatever is left in
 * it. Copies of loaded jars are deleted by their {@link LoadedJar#close()}.
 */
final class JarDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());

    private final Path directory;
    private final Path copies;
    private final AtomicLong copySequence = new AtomicLong();

    /** What changes while a jar is written or replaced: size, modification time and inode. */
    record Fingerprint(long size, FileTime modified, Object fileKey) {
        static Fingerprint of(BasicFileAttributes a) {
            return new Fingerprint(a.size(), a.lastModifiedTime(), a.fileKey());
        }
    }

    /** A private copy of a jar and the SHA-256 of its bytes (hex). */
    record Staged(Path copy, String sha256) {}

    /** The plugin directory {@code directory}, copying into {@code copies}, which this object owns from now on. */
    JarDirectory(Path directory, Path copies) {
        this.directory = directory;
        this.copies = copies;
    }

    /** The plugin directory {@code directory} (which need not exist yet), with a new private directory for copies. */
    static JarDirectory open(Path directory) throws IOException {
        return new JarDirectory(directory, Files.createTempDirectory("vstp-plugins-")); // owner-only on POSIX
    }

    Path path() {
        return directory;
    }

    /** The regular {@code *.jar} files directly in the directory, by file name; none while it does not exist. */
    Map<String, Fingerprint> list() throws IOException {
        Map<String, Fingerprint> jars = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path file : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        jars.put(file.getFileName().toString(), Fingerprint.of(a));
                    }
                } catch (NoSuchFileException e) {
                    // removed while listing
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return jars; // no directory: no plugins from it
        }
        return jars;
    }

    /**
     * Copies the jar to the private directory; null when it no longer has the fingerprint {@code before} (it is being
     * written, so the copy may be half of it: look again later).
     */
    Staged stage(String file, Fingerprint before) throws IOException {
        Path source = directory.resolve(file);
        Path copy = copies.resolve(copySequence.incrementAndGet() + "-" + file);
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        Fingerprint after = Fingerprint.of(Files.readAttributes(source, BasicFileAttributes.class));
        if (!after.equals(before) || Files.size(copy) != before.size()) {
            deleteQuietly(copy);
            return null;
        }
        return new Staged(copy, sha256(copy));
    }

    /** Deletes the private directory and every copy still in it. */
    @Override
    public void close() {
        deleteQuietly(copies);
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a file or a directory tree; what cannot be deleted stays (a leftover in the temporary directory). */
    static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                    for (Path child : children) {
                        deleteQuietly(child);
                    }
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("cannot delete {}", path, e);
        }
    }
}
