package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remembered hashes of served files never answer for content the file no longer has. */
class ContentHashesTest {
    @TempDir
    Path dir;

    /**
     * Two writes of the same size within one tick of the file system's clock leave the same times: a hash of the
     * first must not be remembered for the second (the race Git calls "racy clean").
     */
    @Test
    void aSameSizeWriteInTheSameTickIsNeverAnsweredFromTheOldHash() throws Exception {
        ContentHashes hashes = new ContentHashes();
        Path file = dir.resolve("f.bin");
        for (int i = 0; i < 200; i++) {
            byte[] first = ("first version " + (1000 + i)).getBytes(StandardCharsets.UTF_8);
            byte[] second = ("other version " + (1000 + i)).getBytes(StandardCharsets.UTF_8);
            Files.write(file, first);
            assertThat(hashes.of(file).sha256()).isEqualTo(FilesProtocol.sha256(file, first.length));
            Files.write(file, second);
            assertThat(hashes.of(file).sha256()).as("round %d", i).isEqualTo(sha256(second));
        }
    }

    @Test
    void aFileThatHasSettledIsHashedOnce() throws Exception {
        ContentHashes hashes = new ContentHashes();
        Path file = Files.writeString(dir.resolve("settled.txt"), "written a while ago");
        Thread.sleep(50); // a tick old: a hash of a file changed within a tick of reading it is not remembered
        String sha = hashes.of(file).sha256();
        for (int i = 0; i < 5; i++) {
            assertThat(hashes.of(file).sha256()).isEqualTo(sha);
        }
        assertThat(hashes.computed()).isEqualTo(1);
    }

    @Test
    void aFileChangedJustNowIsHashedAgainUntilItSettles() throws Exception {
        ContentHashes hashes = new ContentHashes();
        Path file = Files.writeString(dir.resolve("fresh.txt"), "still being written?");
        // Changed "now" as the file system sees it, however slowly this test runs: a time ahead of the clock.
        Files.setLastModifiedTime(
                file,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(5)));
        hashes.of(file);
        hashes.of(file);
        assertThat(hashes.computed())
                .as("not remembered within a tick of its last change")
                .isEqualTo(2);
        Files.setLastModifiedTime(
                file,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(60)));
        Thread.sleep(50); // the status-change time that setting the time made is now a tick old
        hashes.of(file);
        hashes.of(file);
        assertThat(hashes.computed()).isEqualTo(3);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
