package io.vstp.fips;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --fips} given to the regular build's jar (vstp-cli/target/vstp.jar, with the regular BouncyCastle jars)
 * fails with a message saying how to get FIPS mode, wherever it stands on the command line, and runs nothing.
 */
class RegularBuildRefusesFipsTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--fips --version", "--fips send 127.0.0.1:9 --data x", "send 127.0.0.1:9 --data x --fips"})
    void theRegularJarRefusesFips(String arguments) throws Exception {
        Path jar = Path.of(System.getProperty("vstp.regular.jar", "../vstp-cli/target/vstp.jar"));
        assumeTrue(Files.isRegularFile(jar), "the regular jar is built by vstp-cli's package phase: " + jar);
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(arguments.split(" ")));
        Process vstp = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(vstp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(vstp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(vstp.exitValue()).as(output).isEqualTo(2);
        assertThat(output.strip())
                .startsWith("vstp: --fips needs the FIPS build of vstp")
                .contains("./vstp --fips")
                .contains("vstp-fips.jar")
                .contains("docs/guide/fips.md")
                .doesNotContain("cannot reach")
                .hasLineCount(1);
    }
}
