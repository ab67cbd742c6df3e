package io.vstp.security.plugin;

import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.Authorizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of the loaded plugins: the created {@link Authenticator}s and {@link Authorizer}s by name,
 * and what {@link PluginRegistry#plugins()} lists. The registry swaps whole snapshots atomically, so a caller on an
 * event loop reads {@link PluginRegistry#current()} once per handshake or request, without locks, and sees one
 * consistent version of every plugin.
 *
 * <p>Holding a snapshot keeps its plugins' class loaders alive: read it per use, do not cache it.
 */
public final class PluginSet {
    /** No plugins. */
    public static final PluginSet EMPTY = new PluginSet(List.of(), Map.of(), Map.of());

    private final List<PluginInfo> plugins;
    private final Map<String, Authenticator> authenticators;
    private final Map<String, Authorizer> authorizers;
    private final List<Authenticator> authenticatorList;
    private final List<Authorizer> authorizerList;

    PluginSet(
            List<PluginInfo> plugins, Map<String, Authenticator> authenticators, Map<String, Authorizer> authorizers) {
        this.plugins = List.copyOf(plugins);
        this.authenticators = Collections.unmodifiableMap(new LinkedHashMap<>(authenticators));
        this.authorizers = Collections.unmodifiableMap(new LinkedHashMap<>(authorizers));
        this.authenticatorList = List.copyOf(authenticators.values());
        this.authorizerList = List.copyOf(authorizers.values());
    }

    /** Every loaded plugin: classpath providers first, then the directory's jars by file name. */
    public List<PluginInfo> plugins() {
        return plugins;
    }

    /** The created authenticators, in {@link #plugins()} order. */
    public List<Authenticator> authenticators() {
        return authenticatorList;
    }

    /** The created authorizers, in {@link #plugins()} order. */
    public List<Authorizer> authorizers() {
        return authorizerList;
    }

    /** The authenticator the provider named {@code name} created. */
    public Optional<Authenticator> authenticator(String name) {
        return Optional.ofNullable(authenticators.get(name));
    }

    /** The authorizer the provider named {@code name} created. */
    public Optional<Authorizer> authorizer(String name) {
        return Optional.ofNullable(authorizers.get(name));
    }

    /** The listed plugin of this kind and name. */
    public Optional<PluginInfo> info(PluginKind kind, String name) {
        return plugins.stream()
                .filter(p -> p.kind() == kind && p.name().equals(name))
                .findFirst();
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        plugins.forEach(p -> names.add(p.toString()));
        return "PluginSet" + names;
    }
}
