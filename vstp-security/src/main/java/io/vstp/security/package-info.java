/**
 * Authentication and authorisation for VSTP servers: {@link io.vstp.security.SecurityPolicy} (the transport's
 * {@link io.vstp.transport.auth.AccessControl}), built from configuration by {@link io.vstp.security.SecurityOptions}.
 * Token validation lives in {@code token}, certificate identities in {@code mtls}, role rules in {@code rbac}, the
 * audit log in {@code audit}, plugins in {@code plugin} and {@code spi}.
 */
package io.vstp.security;
