/**
 * Authentication and authorisation for the VSTP server; every package is API (settings, tokens, roles, mTLS
 * identities, audit, the plugin SPI and registry). Plugins are found with {@link java.util.ServiceLoader}: on the
 * module path they declare {@code provides io.vstp.security.spi.AuthenticatorProvider with ...}.
 */
module io.vstp.security {
    requires transitive io.vstp.transport;
    // JwtOptions takes nimbus' JWSAlgorithm; IntrospectionAuthenticator may be given an HttpClient.
    requires transitive com.nimbusds.jose.jwt;
    requires transitive java.net.http;
    requires java.naming;
    requires com.github.benmanes.caffeine;
    requires org.slf4j;

    exports io.vstp.security;
    exports io.vstp.security.audit;
    exports io.vstp.security.mtls;
    exports io.vstp.security.plugin;
    exports io.vstp.security.rbac;
    exports io.vstp.security.spi;
    exports io.vstp.security.token;

    uses io.vstp.security.spi.AuthenticatorProvider;
    uses io.vstp.security.spi.AuthorizerProvider;
}
