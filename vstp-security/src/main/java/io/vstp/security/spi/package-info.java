/**
 * The plugin SPI of {@code vstp-security}: {@link io.vstp.security.spi.Authenticator} and
 * {@link io.vstp.security.spi.Authorizer}, made by providers that {@link java.util.ServiceLoader} finds. A plugin jar
 * depends on this package and on {@code io.vstp.transport.auth} only.
 */
package io.vstp.security.spi;
