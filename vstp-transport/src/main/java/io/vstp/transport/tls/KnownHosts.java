package io.vstp.transport.tls;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's {@code known_hosts} file: one pinned server certificate per line, like SSH's, so that a server
 * with a self-signed certificate is trusted on first use and any later change of certificate is noticed.
 *
 * <pre>
 * # comment
 * 127.0.0.1:4433 sha256:3b1f…
 * [::1]:4433 sha256:…
 * build.example.com:4433 sha256:…
 * </pre>
 *
 * <p>The key is the host exactly as dialled (lower-cased; IPv6 compressed and in brackets) and the port: the
 * same server reached by name and by address has two lines. The first line for a key wins. Lines that cannot be
 * parsed are skipped with a warning, never deleted.
 *
 * <p>The file is read on every lookup (it is small, and an edit takes effect at once) and appended to under a
 * lock, so that clients in several threads or processes meeting a new server at once record it once.
 */
final class KnownHosts {
    private static final Logger LOG = LoggerFactory.getLogger(KnownHosts.class.getPackageName());
    /** Serialises appends inside this JVM; the file lock does it across processes but is per JVM, not thread. */
    private static final Object APPEND_LOCK = new Object();

    /** One line of the file; {@code line} counts from 1 for messages that tell a person where to edit. */
    record Entry(String endpoint, String fingerprint, int line) {}

    private final Path file;

    KnownHosts(Path file) {
        this.file = file.toAbsolutePath();
    }

    Path file() {
        return file;
    }

    /** The {@code known_hosts} key for a server: {@code host:port}, IPv6 as {@code [addr]:port}. */
    static String endpoint(String host, int port) {
        String normalised = host.toLowerCase(Locale.ROOT);
        if (normalised.startsWith("[") && normalised.endsWith("]")) {
            normalised = normalised.substring(1, normalised.length() - 1);
        }
        if (NetUtil.isValidIpV6Address(normalised)) {
            // One spelling per address: "0:0:0:0:0:0:0:1" and "::1" are the same server (RFC 5952 form).
            InetAddress address = NetUtil.getByName(normalised);
            return "[" + (address != null ? NetUtil.toAddressString(address) : normalised) + "]:" + port;
        }
        return normalised + ":" + port;
    }

    /**
     * The first entry for this endpoint, or null if there is none (or no file). Bytes that are not UTF-8 (a
     * comment saved in another encoding) are read as U+FFFD, as when appending: they spoil their own line only.
     */
    Entry find(String endpoint) throws IOException {
        try {
            return find(endpoint, new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Entry find(String endpoint, String content) {
        List<String> lines = content.lines().collect(Collectors.toList());
        for (int i = 0; i < lines.size(); i++) {
            Entry entry = parse(lines.get(i), i + 1);
            if (entry != null && entry.endpoint().equals(endpoint)) {
                return entry;
            }
        }
        return null;
    }

    /**
     * Appends {@code endpoint fingerprint} unless an entry for the endpoint appeared meanwhile, in which case
     * that entry is returned and nothing is written. Returns the new entry otherwise.
     */
    Entry addIfAbsent(String endpoint, String fingerprint) throws IOException {
        synchronized (APPEND_LOCK) {
            Path directory = file.getParent();
            if (directory != null) {
                PemFiles.createPrivateDirectory(directory);
            }
            Set<OpenOption> options =
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileAttribute<?>[] attributes = PemFiles.isPosix(directory)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PemFiles.OWNER_ONLY_FILE)}
                    : new FileAttribute<?>[0];
            try (FileChannel channel = FileChannel.open(file, options, attributes)) {
                channel.lock(); // held until the channel closes
                // Read through the locked channel: closing any other descriptor of this file would drop the
                // POSIX lock (FileLock Javadoc, "platform dependencies").
                String content = readAll(channel);
                Entry existing = find(endpoint, content);
                if (existing != null) {
                    return existing;
                }
                int lineNumber = (int) content.lines().count() + 1;
                StringBuilder text = new StringBuilder();
                if (!content.isEmpty() && !content.endsWith("\n")) {
                    text.append('\n');
                }
                text.append(endpoint).append(' ').append(fingerprint).append('\n');
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                long position = channel.size();
                while (bytes.hasRemaining()) {
                    position += channel.write(bytes, position);
                }
                channel.force(false);
                return new Entry(endpoint, fingerprint, lineNumber);
            }
        }
    }

    private static String readAll(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(channel.size()));
        long position = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                break;
            }
            position += read;
        }
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }

    /** Null for blank lines and comments; a warning and null for lines that are not {@code host:port sha256:…}. */
    private Entry parse(String line, int lineNumber) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        String[] fields = text.split("\\s+");
        int colon = fields[0].lastIndexOf(':');
        if (fields.length < 2 || colon <= 0 || colon == fields[0].length() - 1) {
            warnSkipped(lineNumber, "want 'host:port sha256:HEX'");
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(fields[0].substring(colon + 1));
        } catch (NumberFormatException e) {
            warnSkipped(lineNumber, "the port is not a number");
            return null;
        }
        String fingerprint;
        try {
            fingerprint = CertificateFingerprints.parse(fields[1]);
        } catch (IllegalArgumentException e) {
            warnSkipped(lineNumber, e.getMessage());
            return null;
        }
        return new Entry(endpoint(fields[0].substring(0, colon), port), fingerprint, lineNumber);
    }

    private void warnSkipped(int lineNumber, String why) {
        LOG.warn("skipping {} line {}: {}", file, lineNumber, why);
    }
}
