package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Precedence of option values: flag, then VSTP_* variable, then config file, then the built-in default. */
class ConfigDefaultsTest {
    @TempDir
    Path tmp;

    private ServeCommand parse(Map<String, String> env, String fileContent, String... args) throws Exception {
        Path file = tmp.resolve("config.properties");
        Files.writeString(file, fileContent);
        ServeCommand serve = new ServeCommand();
        CommandLine cl = new CommandLine(serve);
        cl.setDefaultValueProvider(new ConfigDefaults(env, file));
        cl.parseArgs(args);
        return serve;
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        assertThat(parse(Map.of(), "").port).isEqualTo(6969);
        assertThat(parse(Map.of(), "port=7000\n").port).isEqualTo(7000);
        assertThat(parse(Map.of("VSTP_PORT", "7100"), "port=7000\n").port).isEqualTo(7100);
        assertThat(parse(Map.of("VSTP_PORT", "7100"), "port=7000\n", "--port", "7200").port)
                .isEqualTo(7200);
        assertThat(parse(Map.of("VSTP_NO_UDP", "true"), "").noUdp).isTrue();
        assertThat(parse(Map.of(), "dir=/srv/files\n").dir).isEqualTo(Path.of("/srv/files"));
    }

    /** A mistyped key is reported with the file, the line and the key meant, not ignored. */
    @Test
    void aMistypedKeyIsReportedWithItsLine() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(
                tmp.resolve("typo.properties"), "# mine\nport=7000\ntimout = 5s\nauth.role.reader=echo\n");
        ConfigDefaults defaults = new ConfigDefaults(java.util.Map.of(), file);
        assertThat(defaults.unknownKey(VstpCommand.commandLine()))
                .isEqualTo("config file " + file + " line 3: unknown key 'timout'; did you mean 'timeout'?");
        java.nio.file.Path good = java.nio.file.Files.writeString(
                tmp.resolve("good.properties"), "port=7000\ntimeout=5s\nauth.role.reader=echo\n");
        assertThat(new ConfigDefaults(java.util.Map.of(), good).unknownKey(VstpCommand.commandLine()))
                .isNull();
    }
}
