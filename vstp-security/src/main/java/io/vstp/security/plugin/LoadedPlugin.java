package io.vstp.security.plugin;

/**
 * A created authenticator or authorizer and what {@link PluginRegistry#plugins()} lists about it.
 *
 * @param instance an {@link io.vstp.security.spi.Authenticator} or {@link io.vstp.security.spi.Authorizer}, by
 *                 {@link PluginInfo#kind()}
 */
record LoadedPlugin(PluginInfo info, Object instance) {}
