package io.vstp.security.spi;

import java.util.Map;

/**
 * A plugin that makes {@link Authorizer}s; discovered like {@link AuthenticatorProvider}
 * ({@code META-INF/services/io.vstp.security.spi.AuthorizerProvider}).
 */
public interface AuthorizerProvider {
    String name();

    /** @param settings the {@code auth.plugin.<name>.*} keys of the server's configuration, prefix removed */
    Authorizer create(Map<String, String> settings) throws Exception;
}
