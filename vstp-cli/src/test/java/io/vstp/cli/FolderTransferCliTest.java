package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vstp.cli.CliEndToEndTest.Run;
import io.vstp.services.files.FilesProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put -r} and {@code get -r} as users run them, against a real {@code vstp serve}: folders round-trip file
 * by file, a second run skips what is already there, a conflict fails only its file, a partial file resumes, and
 * nothing is written through a link.
 */
class FolderTransferCliTest {
    @TempDir
    static Path tmp;

    private static Path served;
    private static RunningServe server;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startServer() throws IOException {
        served = tmp.resolve("served");
        server = RunningServe.start(tmp.resolve("server-home"), served);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        server.close();
    }

    /** A folder with nested directories, an empty file, a non-ASCII name, a 300 KB file and a symbolic link. */
    private static Path tree(String name) throws IOException {
        Path root = tmp.resolve(name);
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("a.txt"), "alpha");
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Files.write(root.resolve("sub/b.bin"), big);
        Files.write(root.resolve("sub/deeper/empty"), new byte[0]);
        Files.writeString(root.resolve("ünï code.txt"), "names are UTF-8");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("a.txt"));
        return root;
    }

    /** Relative path to SHA-256 of every regular file below {@code root} (links excluded). */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    m.put(root.relativize(p).toString(), FilesProtocol.sha256(p, Files.size(p)));
                }
            }
        }
        return m;
    }

    private static JsonNode json(Run run) throws IOException {
        assertThat(run.out().lines()).as(run.err()).hasSize(1);
        return JSON.readTree(run.out());
    }

    @Test
    void aFolderGoesUpAndComesBackFileByFileAndASecondRunSendsNothing() throws Exception {
        Path src = tree("src");
        Run put = server.authed("put", "-r", src.toString(), server.address(""));
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out())
                .contains("put -r " + src + " -> 127.0.0.1:" + server.port() + "/src: 4 files")
                .contains("TLSv1.3");
        assertThat(put.err()).as("the link is named, not followed").contains("skipped link (symbolic link)");
        Map<String, String> expected = contents(src);
        assertThat(expected).hasSize(4);
        assertThat(contents(served.resolve("src"))).isEqualTo(expected);
        assertThat(served.resolve("src/link")).doesNotExist();

        JsonNode again = json(server.authed("put", "-r", "--json", src.toString(), server.address("")));
        assertThat(again.get("files").asInt()).isEqualTo(4);
        assertThat(again.get("unchanged").asInt())
                .as("everything was already there")
                .isEqualTo(4);
        assertThat(again.get("failed")).isEmpty();

        Path back = tmp.resolve("back");
        Run get = server.authed("get", "-r", server.address("src"), back.toString());
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(get.out()).contains("4 files");
        assertThat(contents(back)).isEqualTo(expected);
        try (Stream<Path> left = Files.walk(back)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".vstp-"));
        }

        JsonNode getAgain = json(server.authed("get", "-r", "--json", server.address("src"), back.toString()));
        assertThat(getAgain.get("unchanged").asInt()).isEqualTo(4);
        assertThat(getAgain.get("entries").findValuesAsText("path"))
                .containsExactlyInAnyOrderElementsOf(expected.keySet().stream()
                        .map(k -> k.replace('\\', '/'))
                        .toList());
    }

    @Test
    void aTrailingSlashPutsTheFolderInsideTheDestination() throws Exception {
        Path src = tree("slash");
        Run put = server.authed("put", "-r", src.toString(), server.address("into/"));
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(contents(served.resolve("into/slash"))).isEqualTo(contents(src));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Run get = server.authed("get", "-r", server.address("into/slash"), out + "/");
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(contents(out.resolve("slash"))).isEqualTo(contents(src));
    }

    @Test
    void aConflictFailsOnlyItsFileAndForceReplacesIt() throws Exception {
        Path src = tmp.resolve("conflict");
        Files.createDirectories(src);
        Files.writeString(src.resolve("x.txt"), "first x");
        Files.writeString(src.resolve("y.txt"), "first y");
        assertThat(server.authed("put", "-r", src.toString(), server.address("c"))
                        .code())
                .isZero();

        Files.writeString(src.resolve("x.txt"), "second x, not the same");
        Files.writeString(src.resolve("z.txt"), "new z");
        Run refused = server.authed("put", "-r", src.toString(), server.address("c"));
        assertThat(refused.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(refused.err())
                .contains("x.txt: ")
                .contains("--force")
                .contains("1 of 3 files not uploaded")
                .contains("the same command again continues");
        assertThat(served.resolve("c/x.txt"))
                .as("never replaced without --force")
                .hasContent("first x");
        assertThat(served.resolve("c/z.txt")).as("the other files went on").hasContent("new z");

        Run forced = server.authed("put", "-r", "--force", src.toString(), server.address("c"));
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(served.resolve("c/x.txt")).hasContent("second x, not the same");

        // The same on the way down: a local file with other content stays unless --force.
        Path down = Files.createDirectories(tmp.resolve("down"));
        Files.writeString(down.resolve("y.txt"), "precious local y");
        Run kept = server.authed("get", "-r", server.address("c"), down.toString());
        assertThat(kept.code()).isEqualTo(ExitCodes.IO);
        assertThat(kept.err())
                .contains("y.txt exists; get --force replaces it")
                .contains("1 of 3 files not downloaded");
        assertThat(down.resolve("y.txt")).hasContent("precious local y");
        assertThat(down.resolve("x.txt")).hasContent("second x, not the same");
        Run replaced = server.authed("get", "-r", "--force", server.address("c"), down.toString());
        assertThat(replaced.code()).as(replaced.err()).isZero();
        assertThat(down.resolve("y.txt")).hasContent("first y");
    }

    @Test
    void aPartialDownloadInsideTheFolderResumes() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("resume/inner"));
        byte[] big = new byte[2 * 1024 * 1024 + 5];
        new Random(11).nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        assertThat(server.authed("put", "-r", tmp.resolve("resume").toString(), server.address(""))
                        .code())
                .isZero();

        // What an interrupted get -r leaves: the partial file beside its target, under the name resume looks for.
        Path local = tmp.resolve("resumed");
        Files.createDirectories(local.resolve("inner"));
        Files.write(local.resolve("inner/.vstp-part-big.bin"), java.util.Arrays.copyOf(big, 1024 * 1024));
        JsonNode r = json(server.authed("get", "-r", "--json", server.address("resume"), local.toString()));
        JsonNode entry = r.get("entries").get(0);
        assertThat(entry.get("path").asText()).isEqualTo("inner/big.bin");
        assertThat(entry.get("resumed_from").asLong()).isEqualTo(1024 * 1024);
        assertThat(local.resolve("inner/big.bin")).hasBinaryContent(big);
        assertThat(local.resolve("inner/.vstp-part-big.bin")).doesNotExist();
    }

    @Test
    void aLinkInsideTheLocalFolderIsNeverWrittenThrough() throws Exception {
        Path src = tree("linked");
        assertThat(server.authed("put", "-r", src.toString(), server.address(""))
                        .code())
                .isZero();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path local = Files.createDirectories(tmp.resolve("linked-back"));
        Files.createSymbolicLink(local.resolve("sub"), elsewhere);
        Run get = server.authed("get", "-r", server.address("linked"), local.toString());
        assertThat(get.code()).isEqualTo(ExitCodes.IO);
        assertThat(get.err()).contains("sub is a symbolic link").contains("2 of 4 files not downloaded");
        try (Stream<Path> there = Files.list(elsewhere)) {
            assertThat(there).as("nothing written through the link").isEmpty();
        }
        assertThat(local.resolve("a.txt")).hasContent("alpha");
    }

    @Test
    void foldersAndFilesAreNotConfused() throws Exception {
        Path src = tree("kinds");
        Run noR = server.authed("put", src.toString(), server.address("kinds"));
        assertThat(noR.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noR.err()).contains("is a folder: put -r");
        assertThat(server.authed("put", src.resolve("a.txt").toString(), server.address("one.txt"))
                        .code())
                .isZero();
        Run fileWithR = server.authed(
                "get", "-r", server.address("one.txt"), tmp.resolve("one").toString());
        assertThat(fileWithR.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(fileWithR.err()).contains("one.txt is a file: get without -r");
        Run missing = server.authed(
                "get",
                "-r",
                server.address("no-such-folder"),
                tmp.resolve("none").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err()).contains("no such directory");
        assertThat(tmp.resolve("none")).doesNotExist();
    }
    /** "Already there" never passes a file that a fresh get would refuse: a required signature is still required. */
    @Test
    void alreadyThereStillNeedsTheSignatureAskedFor() throws Exception {
        Path file = Files.writeString(tmp.resolve("unsigned.txt"), "no signature here");
        assertThat(server.authed("put", file.toString(), server.address("unsigned.txt"))
                        .code())
                .isZero();
        Path local = tmp.resolve("unsigned-back.txt");
        assertThat(server.authed("get", server.address("unsigned.txt"), local.toString())
                        .code())
                .isZero();
        Run again = server.authed("get", server.address("unsigned.txt"), local.toString(), "--require-signature");
        assertThat(again.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(again.err()).contains("has no signature");
    }

    /** The folder's exit code is its most serious failure's, not merely its first's. */
    @Test
    void theMostSeriousFailureSetsTheExitCode() {
        FolderTransfer.Summary summary = new FolderTransfer.Summary(
                java.util.List.of(new FolderTransfer.Item("a", 1), new FolderTransfer.Item("b", 1)),
                java.util.List.of(),
                java.util.List.of(),
                java.util.List.of(
                        new FolderTransfer.Failure("a", "a exists", ExitCodes.IO),
                        new FolderTransfer.Failure("b", "bad signature", ExitCodes.TRUST)),
                java.util.List.of(),
                0.1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> summary.throwIfFailed("downloaded"))
                .isInstanceOf(CliException.class)
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCodes.TRUST))
                .hasMessageContaining("2 of 2 files not downloaded");
    }
}
