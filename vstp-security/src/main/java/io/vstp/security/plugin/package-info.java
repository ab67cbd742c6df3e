/**
 * Authentication and authorisation plugins: {@link io.vstp.security.plugin.PluginRegistry} finds
 * {@link io.vstp.security.spi} providers on the class path and in a plugin directory, reloads changed jars without a
 * restart, refuses broken ones, and publishes what is loaded as an immutable {@link io.vstp.security.plugin.PluginSet}
 * (docs/guide/plugins.md).
 *
 * <p>Public: the registry, {@code PluginSet}, {@code PluginInfo}, {@code PluginError} and {@code PluginKind}. The
 * rest is package-private and serves the registry, one job per class (see {@code PluginRegistry}'s "Inside").
 * The SPI plugins implement is not here but in {@code io.vstp.security.spi}.
 */
package io.vstp.security.plugin;
