package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The regular build refuses {@code --fips} wherever it stands, before anything runs (here: before any connection
 * to a port where nothing listens is tried), and says how to get FIPS mode. vstp-fips tests the mode itself.
 */
class FipsOptionTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "--fips --version",
                "--fips send 127.0.0.1:9 --data x",
                "send 127.0.0.1:9 --fips --data x",
                "serve --fips --port 0"
            })
    void fipsIsRefusedOutsideTheFipsBuild(String arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VstpCommand.execute(arguments.split(" "), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().strip())
                .isEqualTo("vstp: --fips needs the FIPS build of vstp, which runs on the "
                        + "BouncyCastle FIPS module; this one does not. Run ./vstp --fips ... from the source tree (it "
                        + "builds "
                        + "vstp-fips/target/vstp-fips.jar), or java -jar vstp-fips.jar ...; see docs/guide/fips.md");
    }

    @Test
    void fipsFromTheEnvironmentIsRefusedToo() {
        picocli.CommandLine cl = VstpCommand.commandLine();
        cl.setDefaultValueProvider(new ConfigDefaults(Map.of("VSTP_FIPS", "true"), null));
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("send", "127.0.0.1:9", "--data", "x")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().strip())
                .startsWith(
                        "vstp: --fips (set by VSTP_FIPS or fips= in the config file) " + "needs the FIPS build of vstp")
                .doesNotContain("cannot reach");
    }
}
