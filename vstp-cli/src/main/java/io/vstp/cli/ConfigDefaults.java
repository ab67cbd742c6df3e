package io.vstp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where option values come from when the command line does not give them: a {@code VSTP_*} environment variable
 * first, then the config file, then the option's own default. {@code --port} is {@code VSTP_PORT} and
 * {@code port=} in the file; {@code --max-frame} is {@code VSTP_MAX_FRAME} and {@code max-frame=}. The file is
 * {@code $VSTP_CONFIG}, else {@code config.properties} in the VSTP home (Java properties syntax).
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;
    private final Properties file;

    ConfigDefaults(Map<String, String> env, Path configFile) {
        this.env = env;
        this.file = new Properties();
        if (configFile != null && Files.isRegularFile(configFile)) {
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new CliException(ExitCodes.IO, "cannot read config file " + configFile + ": " + e.getMessage());
            }
        }
    }

    static ConfigDefaults fromEnvironment() {
        Map<String, String> env = System.getenv();
        String explicit = env.get("VSTP_CONFIG");
        Path file = explicit != null ? Path.of(explicit) : io.vstp.transport.tls.HomeDirectory.resolve().resolve("config.properties");
        return new ConfigDefaults(env, file);
    }

    /** The config file's keys that start with {@code prefix} (sections such as {@code auth.}), prefix kept. */
    Map<String, String> section(String prefix) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                out.put(key, file.getProperty(key));
            }
        }
        return out;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String key = option.longestName().replaceFirst("^-+", "");
        String fromEnv = env.get("VSTP_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(key);
        return fromFile != null ? fromFile : option.defaultValue();
    }
}
