package io.vstp.bench.suite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Library versions for {@link Peer#detail()} that the libraries do not tell at run time (their own manifests are
 * gone from the shaded jar): {@code baselines.properties}, which Maven fills in from vstp-bench/pom.xml.
 */
final class Versions {
    private static final Properties VERSIONS = load();

    private Versions() {}

    static String get(String name) {
        return VERSIONS.getProperty(name, "?");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("baselines.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
