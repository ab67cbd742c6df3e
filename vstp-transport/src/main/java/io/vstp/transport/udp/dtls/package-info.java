/**
 * DTLS 1.2 for the UDP transport: {@link io.vstp.transport.udp.dtls.DtlsDatagramLink} wraps a
 * {@link io.vstp.transport.udp.DatagramLink} and protects every datagram, with BouncyCastle's DTLS
 * ({@code org.bouncycastle.tls}) underneath.
 *
 * <p>Lives here: associations per peer, the stateless cookie exchange, session resumption, the bridge between
 * BouncyCastle's blocking handshake and Netty's event loop, and the AEAD-only suite list. Does not live here:
 * certificates and the client's trust decision (reused from {@code io.vstp.transport.tls}, so that UDP and TCP
 * follow the same rules), fragmentation and reliability (the UDP endpoint above the link). User guide:
 * {@code docs/guide/dtls.md}.
 */
package io.vstp.transport.udp.dtls;
