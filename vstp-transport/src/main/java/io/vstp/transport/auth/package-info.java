/**
 * The server's authentication and authorisation hooks: {@link io.vstp.transport.auth.AccessControl} (implemented by
 * {@code vstp-security}), the {@link io.vstp.transport.auth.Principal} a session carries, and the
 * {@link io.vstp.transport.auth.Credentials} and {@link io.vstp.transport.auth.Action} it decides on. No token
 * parsing, key handling or rule language lives here.
 */
package io.vstp.transport.auth;
