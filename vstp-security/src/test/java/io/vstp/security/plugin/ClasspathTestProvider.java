package io.vstp.security.plugin;

import io.vstp.security.spi.Authenticator;
import io.vstp.security.spi.AuthenticatorProvider;
import io.vstp.transport.auth.Principal;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A provider on the test class path (META-INF/services in src/test/resources): accepts the token {@code cp}. */
public final class ClasspathTestProvider implements AuthenticatorProvider {
    public static final String NAME = "classpath-test";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Authenticator create(Map<String, String> settings) {
        String subject = settings.getOrDefault("subject", "cp-user");
        return credentials -> CompletableFuture.completedFuture(
                "cp".equals(credentials.bearerToken())
                        ? Optional.of(new Principal(subject, Set.of(), Map.of(), NAME, null))
                        : Optional.empty());
    }
}
