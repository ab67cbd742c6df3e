package io.vstp.security.plugin;

import io.vstp.security.plugin.JarDirectory.Fingerprint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One version of a plugin jar that loaded completely: its class loader, its private copy and its plugins. */
final class LoadedJar {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());

    final String file;
    /** Updated when the file is touched without changing its bytes, so the next scan does not copy it again. */
    Fingerprint fingerprint;

    final String sha256;
    final String version;
    final PluginClassLoader loader;
    final Path copy;
    final List<LoadedPlugin> plugins;

    LoadedJar(
            String file,
            Fingerprint fingerprint,
            String sha256,
            String version,
            PluginClassLoader loader,
            Path copy,
            List<LoadedPlugin> plugins) {
        this.file = file;
        this.fingerprint = fingerprint;
        this.sha256 = sha256;
        this.version = version;
        this.loader = loader;
        this.copy = copy;
        this.plugins = List.copyOf(plugins);
    }

    /** {@code authenticator 'acme' 1.2, authorizer 'acme' 1.2}, for the log. */
    String describePlugins() {
        List<String> names = new ArrayList<>();
        plugins.forEach(p -> names.add(
                p.info().kind() + " '" + p.info().name() + "' " + p.info().version()));
        return String.join(", ", names);
    }

    /** Closes its instances and its class loader and deletes its copy: this version can never run again. */
    void close() {
        PluginLoader.closeInstances(plugins, loader);
        closeQuietly(loader);
        JarDirectory.deleteQuietly(copy);
    }

    static void closeQuietly(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("closing a plugin class loader", e);
        }
    }
}
