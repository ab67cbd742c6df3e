package io.vstp.transport.auth;

/**
 * The answer to "may this principal do this?". The {@code reason} is for the server's audit log only: the peer
 * learns nothing but {@code PERMISSION_DENIED}, so a refusal leaks neither the rules nor which one matched.
 */
public record AccessDecision(boolean allowed, String reason) {
    public static AccessDecision allow(String reason) {
        return new AccessDecision(true, reason);
    }

    public static AccessDecision deny(String reason) {
        return new AccessDecision(false, reason);
    }
}
