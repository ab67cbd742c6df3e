/**
 * Authentication and authorisation plugins: {@link io.vstp.security.plugin.PluginRegistry} finds
 * {@link io.vstp.security.spi} providers on the class path and in a plugin directory, reloads changed jars without a
 * restart, refuses broken ones, and publishes what is loaded as an immutable {@link io.vstp.security.plugin.PluginSet}
 * (docs/guide/plugins.md).
 */
package io.vstp.security.plugin;
