package io.vstp.cli;

import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.udp.NettyDatagramLink;
import io.vstp.transport.udp.UdpLimits;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The UDP client endpoint of every command (send, put, get, bench): bound where the server can answer, and over DTLS
 * with the handshake done before the first request, so an unknown certificate, a changed pin or a silent server
 * get the same one-line errors and exit codes as over TCP instead of a request timing out.
 */
final class UdpClientEndpoints {
    private UdpClientEndpoints() {
    }

    /** @param dtls null for plaintext UDP; {@code handler} receives what the server sends */
    static VstpUdpEndpoint open(Target target, DtlsClientOptions dtls, Duration timeout,
                                VstpUdpEndpoint.Handler handler) throws InterruptedException {
        InetSocketAddress server = new InetSocketAddress(target.host(), target.port());
        if (server.isUnresolved()) {
            throw new CliException(ExitCodes.UNREACHABLE, "unknown host " + target.host());
        }
        // Bind where the server can answer: loopback for a local server, every interface otherwise.
        boolean v6 = server.getAddress() instanceof Inet6Address;
        String bind = server.getAddress().isLoopbackAddress() ? (v6 ? "::1" : "127.0.0.1") : (v6 ? "::" : "0.0.0.0");
        if (dtls == null) {
            return VstpUdpEndpoint.builder().host(bind).handler(handler).plain().start();
        }
        NettyDatagramLink socket = NettyDatagramLink.bind(new InetSocketAddress(bind, 0), null,
                UdpLimits.DEFAULT.maxDatagramSize());
        DtlsDatagramLink link;
        try {
            link = DtlsDatagramLink.client(socket, dtls);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        VstpUdpEndpoint endpoint = VstpUdpEndpoint.builder().link(link).handler(handler).start();
        try {
            handshake(link, server, target, timeout);
            return endpoint;
        } catch (InterruptedException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    private static void handshake(DtlsDatagramLink link, InetSocketAddress server, Target target, Duration timeout)
            throws InterruptedException {
        try {
            link.connect(server).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CliException(ExitCodes.UNREACHABLE, "no DTLS handshake with " + target + " within "
                    + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = VstpCommand.unwrap(e);
            CertificateVerificationException cv = CertificateVerificationException.findIn(cause).orElse(null);
            if (cv != null && cv.reason() == CertificateVerificationException.Reason.UNTRUSTED) {
                throw new CliException(ExitCodes.TRUST, "unknown server " + target + " presents certificate "
                        + cv.presentedFingerprint() + "; run again with --pin " + cv.presentedFingerprint()
                        + " (or --tofu to trust and remember it)", cause);
            }
            if (cv != null) {
                throw new CliException(ExitCodes.TRUST, "DTLS with " + target + " refused: " + cv.getMessage(), cause);
            }
            throw new CliException(ExitCodes.UNREACHABLE, "DTLS handshake with " + target + " failed: "
                    + cause.getMessage(), cause);
        }
    }
}
