package io.vstp.security.plugin;

import java.lang.ref.WeakReference;
import java.util.List;

/** Public, so code in a test plugin jar can report to the test (e.g. its class loader, weakly). */
public final class PluginProbe {
    /** Where a test plugin records its class loader; null when no test listens. */
    public static volatile List<WeakReference<ClassLoader>> loaders;

    /** What test plugins report (plain strings), e.g. {@code closed acme 1}. */
    public static final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PluginProbe() {}
}
