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
    private final Path configFile;

    ConfigDefaults(Map<String, String> env, Path configFile) {
        this.env = env;
        this.configFile = configFile;
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
        Path file = explicit != null
                ? Path.of(explicit)
                : io.vstp.transport.internal.HomeDirectory.resolve().resolve("config.properties");
        return new ConfigDefaults(env, file);
    }

    /**
     * The first key of the config file that is neither an option of some command (its long name without dashes)
     * nor an {@code auth.*} setting (checked where it is used), as one line naming the file, the line and the closest
     * known key; null when every key is known. A mistyped key would otherwise be ignored without a word.
     */
    String unknownKey(CommandLine root) {
        if (file.isEmpty()) {
            return null;
        }
        java.util.Set<String> known = new java.util.TreeSet<>();
        collect(root, known);
        java.util.List<String> lines;
        try {
            lines = Files.readAllLines(configFile);
        } catch (IOException e) {
            return null; // read once already; a race with an editor is not worth an error here
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            String key = line.split("[=:\\s]", 2)[0].strip();
            if (key.isEmpty() || key.startsWith("auth.") || known.contains(key)) {
                continue;
            }
            String closest = known.stream()
                    .min(java.util.Comparator.comparingInt(k -> distance(k, key)))
                    .orElse(null);
            return "config file " + configFile + " line " + (i + 1) + ": unknown key '" + key + "'"
                    + (closest != null && distance(closest, key) <= 3 ? "; did you mean '" + closest + "'?" : "");
        }
        return null;
    }

    private static void collect(CommandLine cl, java.util.Set<String> known) {
        for (OptionSpec o : cl.getCommandSpec().options()) {
            known.add(o.longestName().replaceFirst("^-+", ""));
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, known));
    }

    /** Levenshtein distance, for the suggestion. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(
                        Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
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
