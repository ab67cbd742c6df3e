package io.vstp.security.plugin;

/** What a plugin makes: one kind per SPI. A plugin may provide one of each under the same name. */
public enum PluginKind {
    /** An {@link io.vstp.security.spi.AuthenticatorProvider}. */
    AUTHENTICATOR,
    /** An {@link io.vstp.security.spi.AuthorizerProvider}. */
    AUTHORIZER;

    /** {@code authenticator} or {@code authorizer}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
