package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.cli.CliEndToEndTest.Run;
import io.vstp.services.files.FilesProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults in the middle of the main job, and nothing lost (issue 16): the server killed with SIGKILL during a put and
 * during a get, then restarted, and the same command resumes to an identical SHA-256; the server's disk filling up
 * during a put gives one clear line, keeps the partial upload, and the put resumes once there is room.
 */
class ChaosCliTest {
    @TempDir
    Path tmp;

    private Path randomFile(String name, int mib) throws IOException {
        Path f = tmp.resolve(name);
        byte[] block = new byte[1 << 20];
        Random r = new Random(mib);
        try (var out = Files.newOutputStream(f)) {
            for (int i = 0; i < mib; i++) {
                r.nextBytes(block); // random: compression must not make the transfer instant
                out.write(block);
            }
        }
        return f;
    }

    /** The size of the partial file named {@code .vstp-part-*} under {@code dir}, or 0. */
    private static long partialBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().startsWith(".vstp-part-"))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        }
    }

    /** Runs the client command in the background, kills the server with SIGKILL once {@code watched} holds 16 MiB. */
    private static Run killServerDuring(RunningServe server, Path watched, String... command) throws Exception {
        CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> server.authed(command));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> partialBytes(watched) >= (16 << 20) || run.isDone());
        assertThat(run).as("still transferring when the server dies").isNotDone();
        server.process().destroyForcibly(); // SIGKILL: no goodbye, no flush
        server.process().waitFor(10, TimeUnit.SECONDS);
        return run.get(60, TimeUnit.SECONDS);
    }

    @Test
    void putAndGetResumeAfterTheServerIsKilled() throws Exception {
        Path home = tmp.resolve("home");
        Path served = tmp.resolve("served");
        Path file = randomFile("big.bin", 256);
        RunningServe first = RunningServe.start(home, served);
        int port = first.port();
        Run cut = killServerDuring(first, served, "put", file.toString(), first.address("big.bin"));
        assertThat(cut.code()).as(cut.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(cut.err()).contains("run the same command again");
        long kept = partialBytes(served);
        assertThat(kept).as("the verified part stays on the server").isPositive();

        try (RunningServe again = RunningServe.start(home, served, "--port", Integer.toString(port))) {
            Run resumed = again.authed("put", file.toString(), again.address("big.bin"));
            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("resumed at");
            assertThat(FilesProtocol.sha256(served.resolve("big.bin"), Files.size(file)))
                    .isEqualTo(FilesProtocol.sha256(file, Files.size(file)));
        }

        Path back = tmp.resolve("back.bin");
        RunningServe third = RunningServe.start(home, served, "--port", Integer.toString(port));
        Run cutGet = killServerDuring(third, tmp, "get", third.address("big.bin"), back.toString());
        assertThat(cutGet.code()).as(cutGet.err()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(back).as("nothing under the final name").doesNotExist();
        try (RunningServe fourth = RunningServe.start(home, served, "--port", Integer.toString(port))) {
            Run resumedGet = fourth.authed("get", fourth.address("big.bin"), back.toString());
            assertThat(resumedGet.code()).as(resumedGet.err()).isZero();
            assertThat(resumedGet.out()).contains("resumed at");
            assertThat(FilesProtocol.sha256(back, Files.size(back)))
                    .isEqualTo(FilesProtocol.sha256(file, Files.size(file)));
        }
    }

    @Test
    void aFullDiskIsOneClearLineAndThePutResumesWhenThereIsRoom() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        Path served = Files.createDirectories(tmp.resolve("small-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", served.toString())
                .inheritIO()
                .start();
        // Root without the right to mount (a restricted container) cannot make a small disk: nothing to test there.
        Assumptions.assumeTrue(mount.waitFor() == 0, "mounting a 24 MiB tmpfs was refused");
        try {
            Path file = randomFile("forty.bin", 40);
            try (RunningServe server = RunningServe.start(tmp.resolve("home"), served)) {
                Run full = server.authed("put", file.toString(), server.address("forty.bin"));
                assertThat(full.code()).isEqualTo(ExitCodes.FAILED);
                assertThat(full.err()).hasLineCount(1).contains("STORAGE_ERROR").contains("disk full on the server");
                assertThat(partialBytes(served))
                        .as("the part received stays for a resume")
                        .isPositive();
                assertThat(served.resolve("forty.bin")).doesNotExist();
                Run echo = CliEndToEndTest.run(
                        "send", server.address(""), "--data", "still serving", "--pin", server.fingerprint());
                assertThat(echo.code()).as("the server keeps serving").isZero();

                Process grow = new ProcessBuilder("mount", "-o", "remount,size=96m", served.toString())
                        .inheritIO()
                        .start();
                assertThat(grow.waitFor()).isZero();
                Run resumed = server.authed("put", file.toString(), server.address("forty.bin"));
                assertThat(resumed.code()).as(resumed.err()).isZero();
                assertThat(resumed.out()).contains("resumed at");
                assertThat(FilesProtocol.sha256(served.resolve("forty.bin"), Files.size(file)))
                        .isEqualTo(FilesProtocol.sha256(file, Files.size(file)));
            }
        } finally {
            new ProcessBuilder("umount", "-l", served.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }
}
