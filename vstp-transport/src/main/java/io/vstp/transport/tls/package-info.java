/**
 * TLS 1.3 for VSTP over TCP: {@link io.vstp.transport.tls.ServerTls} and {@link io.vstp.transport.tls.ClientTls}
 * make Netty {@link io.netty.handler.ssl.SslHandler}s from {@link io.vstp.transport.tls.TlsServerOptions} and
 * {@link io.vstp.transport.tls.TlsClientOptions}.
 *
 * <p>Lives here: provider choice (OpenSSL through netty-tcnative, or the JDK), the generated self-signed server
 * certificate, PEM files and their reload, the client's trust decision (CA and host name, pins,
 * {@code known_hosts} with trust on first use), and {@link io.vstp.transport.tls.CertificateFingerprints}.
 * Does not live here: sockets, pipelines, handshake timeouts (the server and client packages), and
 * authentication above TLS (vstp-security). User guide: {@code docs/guide/tls.md}.
 */
package io.vstp.transport.tls;
