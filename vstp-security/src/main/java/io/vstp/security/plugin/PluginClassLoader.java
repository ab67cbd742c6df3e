package io.vstp.security.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;
import java.util.ServiceLoader;

/**
 * A plugin jar's loader. {@code META-INF/services} lookups see only the jar itself, never the parent's files, so
 * {@link ServiceLoader} finds exactly the jar's providers (and a broken classpath service file cannot refuse every
 * jar).
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    PluginClassLoader(String file, URL jar, ClassLoader parent) {
        super("vstp-plugin:" + file, new URL[] {jar}, parent);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (name.startsWith("META-INF/services/")) {
            return findResources(name);
        }
        return super.getResources(name);
    }
}
