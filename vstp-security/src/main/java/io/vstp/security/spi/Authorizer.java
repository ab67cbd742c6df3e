package io.vstp.security.spi;

import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.Principal;

/**
 * One voice in an authorisation decision. The server allows a request only if at least one authoriser votes
 * {@link Vote#ALLOW} and none votes {@link Vote#DENY}: deny by default, and any deny wins.
 *
 * <p>Called on an event loop for every request: must be fast and must not block.
 */
@FunctionalInterface
public interface Authorizer {
    enum Vote {
        ALLOW,
        DENY,
        ABSTAIN
    }

    Vote vote(Principal principal, Action action);
}
