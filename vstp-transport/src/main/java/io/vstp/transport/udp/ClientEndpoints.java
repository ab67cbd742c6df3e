package io.vstp.transport.udp;

import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client's UDP endpoint for talking with one server: bound where the server can answer, and over DTLS with the
 * handshake done before it is returned, so an unknown certificate, a changed pin or a silent server fail here, as
 * they would when a TCP client connects, instead of as a request timing out later.
 */
public final class ClientEndpoints {
    private ClientEndpoints() {}

    /**
     * Opens an endpoint for {@code server}.
     *
     * @param server  the server's address, resolved
     * @param dtls    the DTLS client settings (trust, pins), or null for plaintext UDP
     * @param timeout how long the DTLS handshake may take
     * @param handler receives what arrives (answers from the server)
     * @return the started endpoint, bound to loopback for a loopback server and to every interface otherwise
     * @throws UnknownHostException  the server's address is unresolved
     * @throws TimeoutException      no DTLS handshake within {@code timeout}
     * @throws ExecutionException    the handshake failed; the cause says why (a
     *                               {@link io.vstp.transport.tls.CertificateVerificationException} for trust)
     * @throws InterruptedException  when interrupted during the handshake
     */
    public static VstpUdpEndpoint connect(
            InetSocketAddress server, DtlsClientOptions dtls, Duration timeout, VstpUdpEndpoint.Handler handler)
            throws UnknownHostException, TimeoutException, ExecutionException, InterruptedException {
        if (server.isUnresolved()) {
            throw new UnknownHostException("unknown host " + server.getHostString());
        }
        boolean v6 = server.getAddress() instanceof Inet6Address;
        String bind = server.getAddress().isLoopbackAddress() ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0");
        if (dtls == null) {
            return VstpUdpEndpoint.builder().host(bind).handler(handler).plain().start();
        }
        NettyDatagramLink socket =
                NettyDatagramLink.bind(new InetSocketAddress(bind, 0), null, UdpLimits.DEFAULT.maxDatagramSize());
        DtlsDatagramLink link;
        try {
            link = DtlsDatagramLink.client(socket, dtls);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        VstpUdpEndpoint endpoint;
        try {
            endpoint = VstpUdpEndpoint.builder().link(link).handler(handler).start();
        } catch (InterruptedException | RuntimeException e) {
            link.close();
            throw e;
        }
        try {
            link.connect(server).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return endpoint;
        } catch (InterruptedException | TimeoutException | ExecutionException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }
}
