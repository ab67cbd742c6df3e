package io.vstp.fips;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * vstp-fips.jar as packaged (run after the package phase): the FIPS jars stay outside it, unmodified in lib/, and
 * the module's start-up integrity test passes when the jar runs.
 */
class PackagedFipsJarTest {
    private static final Path JAR = Path.of(System.getProperty("vstp.fips.jar", "target/vstp-fips.jar"));

    @Test
    void theFipsJarsStayOutsideTheShadedJar() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("org/bouncycastle/")))
                    .as("no BouncyCastle class shaded in")
                    .isEmpty();
            assertThat(jar.getManifest().getMainAttributes().getValue("Class-Path"))
                    .contains("lib/bc-fips-")
                    .contains("lib/bctls-fips-")
                    .contains("lib/bcpkix-fips-")
                    .contains("lib/bcutil-fips-");
        }
        try (Stream<Path> lib = Files.list(JAR.resolveSibling("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString().replaceAll("-[0-9.]+\\.jar$", "")))
                    .containsExactlyInAnyOrder("bc-fips", "bctls-fips", "bcpkix-fips", "bcutil-fips");
        }
    }

    @Test
    void theJarStartsInFipsMode() throws Exception {
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "--fips",
                "--version");
        Process vstp = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(vstp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(vstp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(vstp.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("FIPS mode: BouncyCastle Security Provider (FIPS edition) v")
                .contains("approved-only")
                .doesNotContain("WARNING");
    }
}
