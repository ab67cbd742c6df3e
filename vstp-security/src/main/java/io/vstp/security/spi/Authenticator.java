package io.vstp.security.spi;

import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One way of proving who a peer is: JWT, token introspection, mTLS, or a plugin's own. The server asks each
 * configured authenticator in turn; the first that recognises the credentials decides.
 *
 * <p>Called on an event loop: return a stage and do slow work (HTTP, disk) elsewhere.
 */
@FunctionalInterface
public interface Authenticator {
    /**
     * @return empty when these credentials are not of a kind this authenticator handles (the next one is asked);
     *         the principal when they prove one; a stage failed with
     *         {@link io.vstp.transport.auth.AuthenticationException} when they are of its kind and refused
     */
    CompletionStage<Optional<Principal>> authenticate(Credentials credentials);
}
