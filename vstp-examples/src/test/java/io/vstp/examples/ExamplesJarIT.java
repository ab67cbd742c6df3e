package io.vstp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shaded examples jar, run as its README says: each program checks what it shows and exits 1 when a check
 * fails, so a library change that breaks an example breaks the build.
 */
class ExamplesJarIT {
    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("examples.jar")));
        command.addAll(List.of(args));
        // Standard output alone: the library's log lines go to standard error from other threads, and merged they
        // landed in the middle of a printed line (found by a full build on a loaded machine, issue 27).
        Path stdout = Files.createTempFile("example", ".out");
        Path stderr = Files.createTempFile("example", ".err");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", args) + " ran for more than 120 s");
            }
            String out = Files.readString(stdout, StandardCharsets.UTF_8);
            assertThat(p.exitValue())
                    .as("%s%nstandard error:%n%s", out, Files.readString(stderr, StandardCharsets.UTF_8))
                    .isZero();
            return out;
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void theFilesServiceAsALibraryResumesAndVerifies() throws Exception {
        String out = run("files", "4");
        assertThat(out)
                .contains("put     cut off at")
                .containsPattern("put     resumed at [1-9]\\d* of 4194304 bytes")
                .contains("get     again.bin: 4194304 bytes")
                .contains("over DTLS 1.2")
                .containsPattern("(?m)^ok$");
    }

    @Test
    void theTransferAndCodecDemosPassTheirChecks() throws Exception {
        assertThat(run("4")).contains("VSTP transfer demo: 4 MiB");
        run("codec");
    }
}
