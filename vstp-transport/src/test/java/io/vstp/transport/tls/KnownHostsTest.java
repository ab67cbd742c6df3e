package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsTest {
    private static final String A = "sha256:" + "aa".repeat(32);
    private static final String B = "sha256:" + "bb".repeat(32);

    @TempDir
    Path dir;

    @Test
    void endpointIsLowercaseHostAndPortWithIpv6InBrackets() {
        assertThat(KnownHosts.endpoint("Build.Example.COM", 4433)).isEqualTo("build.example.com:4433");
        assertThat(KnownHosts.endpoint("127.0.0.1", 4433)).isEqualTo("127.0.0.1:4433");
        assertThat(KnownHosts.endpoint("::1", 4433)).isEqualTo("[::1]:4433");
        assertThat(KnownHosts.endpoint("0:0:0:0:0:0:0:1", 4433)).isEqualTo("[::1]:4433");
        assertThat(KnownHosts.endpoint("[::1]", 4433)).isEqualTo("[::1]:4433");
    }

    @Test
    void recordsOnceAndFindsWithLineNumbers() throws Exception {
        KnownHosts knownHosts = new KnownHosts(dir.resolve("home/known_hosts"));

        assertThat(knownHosts.find("a:1")).isNull();
        assertThat(knownHosts.addIfAbsent("a:1", A)).isEqualTo(new KnownHosts.Entry("a:1", A, 1));
        assertThat(knownHosts.addIfAbsent("[::1]:2", B)).isEqualTo(new KnownHosts.Entry("[::1]:2", B, 2));
        assertThat(knownHosts.addIfAbsent("a:1", B)).isEqualTo(new KnownHosts.Entry("a:1", A, 1));

        assertThat(knownHosts.find("[::1]:2")).isEqualTo(new KnownHosts.Entry("[::1]:2", B, 2));
        assertThat(Files.readString(knownHosts.file())).isEqualTo("a:1 " + A + "\n[::1]:2 " + B + "\n");
    }

    @Test
    void readsHandEditedFilesAndSkipsBrokenLines() throws Exception {
        Path file = dir.resolve("known_hosts");
        Files.writeString(
                file,
                "# pinned by hand\n\nnot a line\nhost:notaport " + A + "\n" + "Host.Example:4433   " + B.toUpperCase()
                        + "\n[::1]:4433 " + A);
        KnownHosts knownHosts = new KnownHosts(file);

        try (CapturedLog log = new CapturedLog()) {
            assertThat(knownHosts.find("nowhere:1")).isNull();
            // Each broken line is named with the file and its number, and why; none is deleted.
            assertThat(log.warnings())
                    .containsExactly(
                            "skipping " + file + " line 3: want 'host:port sha256:HEX'",
                            "skipping " + file + " line 4: the port is not a number");
        }

        assertThat(knownHosts.find("host.example:4433")).isEqualTo(new KnownHosts.Entry("host.example:4433", B, 5));
        assertThat(knownHosts.find("[::1]:4433")).isEqualTo(new KnownHosts.Entry("[::1]:4433", A, 6));

        // Appending after a last line without newline starts a new line.
        assertThat(knownHosts.addIfAbsent("new:1", B).line()).isEqualTo(7);
        assertThat(Files.readString(file)).endsWith("[::1]:4433 " + A + "\nnew:1 " + B + "\n");
    }

    @Test
    void aCorruptFingerprintIsSkippedWithTheFileLineAndReason() throws Exception {
        Path file = dir.resolve("known_hosts");
        // A pin cut short by an editor: skipped (with a warning saying where and why), so a later line still counts.
        Files.writeString(file, "a:1 sha256:" + "aa".repeat(31) + "\na:1 " + B + "\n");
        KnownHosts knownHosts = new KnownHosts(file);

        try (CapturedLog log = new CapturedLog()) {
            assertThat(knownHosts.find("a:1")).isEqualTo(new KnownHosts.Entry("a:1", B, 2));
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .startsWith("skipping " + file + " line 1: ")
                    .contains("sha256");
        }
    }

    @Test
    void aCommentInAnotherEncodingDoesNotMakeTheFileUnreadable() throws Exception {
        Path file = dir.resolve("known_hosts");
        // "# café" saved as Latin-1 by a hand edit: not UTF-8, but only a comment; the pins around it still count.
        byte[] comment = "# caf\u00e9 server\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(file, comment);
        Files.writeString(file, "a:1 " + A + "\n", java.nio.file.StandardOpenOption.APPEND);
        KnownHosts knownHosts = new KnownHosts(file);

        assertThat(knownHosts.find("a:1")).isEqualTo(new KnownHosts.Entry("a:1", A, 2));
        assertThat(knownHosts.addIfAbsent("b:2", B)).isEqualTo(new KnownHosts.Entry("b:2", B, 3));
        assertThat(knownHosts.find("b:2")).isEqualTo(new KnownHosts.Entry("b:2", B, 3));
    }
}
