/**
 * Bearer-token authentication: {@link io.vstp.security.token.JwtAuthenticator} checks signed JWTs against an
 * identity provider's keys (JWKS endpoint, JWKS file or PEM key), {@link
 * io.vstp.security.token.IntrospectionAuthenticator}
 * asks an OAuth 2.0 server about opaque tokens (RFC 7662), both reading roles through
 * {@link io.vstp.security.token.ClaimRoles}. {@link io.vstp.security.token.DevTokenIssuer} issues tokens from a
 * local key for development and tests only.
 *
 * <p>Refusals carry a message for the peer that names the class of problem and never the token or the
 * configuration; nothing here logs a token (the introspection cache and logs use its SHA-256).
 */
package io.vstp.security.token;
