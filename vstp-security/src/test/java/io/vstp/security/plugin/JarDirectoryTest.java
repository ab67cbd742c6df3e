package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import io.vstp.security.plugin.JarDirectory.Staged;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarDirectoryTest {
    @TempDir
    Path plugins;

    @TempDir
    Path copies;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private long copiesLeft() throws Exception {
        try (Stream<Path> files = Files.list(copies)) {
            return files.count();
        }
    }

    @Test
    void listsOnlyRegularJarFilesDirectlyInTheDirectory() throws Exception {
        Files.write(plugins.resolve("acme.jar"), bytes("12345"));
        Files.write(plugins.resolve("notes.txt"), bytes("not a jar"));
        Files.createDirectory(plugins.resolve("folder.jar"));
        Files.createDirectories(plugins.resolve("sub"));
        Files.write(plugins.resolve("sub").resolve("nested.jar"), bytes("too deep"));

        Map<String, Fingerprint> jars = new JarDirectory(plugins, copies).list();

        assertThat(jars).containsOnlyKeys("acme.jar");
        assertThat(jars.get("acme.jar").size()).isEqualTo(5);
        assertThat(jars.get("acme.jar").modified()).isEqualTo(Files.getLastModifiedTime(plugins.resolve("acme.jar")));
    }

    @Test
    void aDirectoryThatDoesNotExistOrIsAFileHoldsNoJars() throws Exception {
        assertThat(new JarDirectory(plugins.resolve("later"), copies).list()).isEmpty();
        Path file = Files.write(plugins.resolve("plain-file"), bytes("x"));
        assertThat(new JarDirectory(file, copies).list()).isEmpty();
    }

    @Test
    void aStagedCopyKeepsTheBytesItWasListedWithWhateverHappensToTheJarLater() throws Exception {
        Path jar = Files.write(plugins.resolve("acme.jar"), bytes("version 1"));
        JarDirectory directory = new JarDirectory(plugins, copies);

        Staged staged = directory.stage("acme.jar", directory.list().get("acme.jar"));
        Files.write(jar, bytes("version 2, longer"));

        assertThat(staged.copy().getParent()).isEqualTo(copies);
        assertThat(staged.copy()).hasBinaryContent(bytes("version 1"));
        assertThat(staged.sha256())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes("version 1"))));
    }

    @Test
    void aJarThatChangedSinceItWasListedIsNotStagedAndLeavesNoCopy() throws Exception {
        Path jar = Files.write(plugins.resolve("acme.jar"), bytes("half of it"));
        JarDirectory directory = new JarDirectory(plugins, copies);
        Fingerprint listed = directory.list().get("acme.jar");
        Files.write(jar, bytes("half of it, and the rest")); // the writer went on after the listing

        assertThat(directory.stage("acme.jar", listed)).isNull();
        assertThat(copiesLeft()).isZero();
    }

    @Test
    void stagingAJarRemovedSinceTheListingFailsWithNoSuchFile() throws Exception {
        Path jar = Files.write(plugins.resolve("acme.jar"), bytes("x"));
        JarDirectory directory = new JarDirectory(plugins, copies);
        Fingerprint listed = directory.list().get("acme.jar");
        Files.delete(jar);

        assertThatThrownBy(() -> directory.stage("acme.jar", listed)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void eachStagingGetsACopyOfItsOwnAndCloseDeletesThemAll() throws Exception {
        Files.write(plugins.resolve("acme.jar"), bytes("x"));
        JarDirectory directory = new JarDirectory(plugins, copies);
        Fingerprint listed = directory.list().get("acme.jar");
        Staged first = directory.stage("acme.jar", listed);
        Staged second = directory.stage("acme.jar", listed);
        assertThat(first.copy()).isNotEqualTo(second.copy()); // a loaded version's copy is never overwritten

        directory.close();
        assertThat(copies).doesNotExist();
    }

    @Test
    void sha256IsTheHexDigestOfTheFile() throws Exception {
        Path file = Files.write(plugins.resolve("abc.jar"), bytes("abc"));
        assertThat(JarDirectory.sha256(file))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // FIPS 180-2, B.1
    }
}
