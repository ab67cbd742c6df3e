package io.vstp.cli;

import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.udp.ClientEndpoints;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The UDP client endpoint of every command (send, put, get, bench), from the library's {@link ClientEndpoints}, with
 * the same one-line errors and exit codes as over TCP for an unknown certificate, a changed pin or a silent server.
 */
final class UdpClientEndpoints {
    private UdpClientEndpoints() {}

    /** What opens an endpoint (or a requester over one) and may fail as {@link ClientEndpoints#connect} does. */
    @FunctionalInterface
    interface Opening<T> {
        T open() throws UnknownHostException, TimeoutException, ExecutionException, InterruptedException;
    }

    /** @param dtls null for plaintext UDP; {@code handler} receives what the server sends */
    static VstpUdpEndpoint open(
            Target target, DtlsClientOptions dtls, Duration timeout, VstpUdpEndpoint.Handler handler)
            throws InterruptedException {
        return translated(target, timeout, () -> ClientEndpoints.connect(address(target), dtls, timeout, handler));
    }

    static InetSocketAddress address(Target target) {
        return new InetSocketAddress(target.host(), target.port());
    }

    /** Runs {@code opening}, its failures as the command reports them. */
    static <T> T translated(Target target, Duration timeout, Opening<T> opening) throws InterruptedException {
        try {
            return opening.open();
        } catch (UnknownHostException e) {
            throw new CliException(ExitCodes.UNREACHABLE, "unknown host " + target.host());
        } catch (TimeoutException e) {
            throw new CliException(
                    ExitCodes.UNREACHABLE,
                    "no DTLS handshake with " + target + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = VstpCommand.unwrap(e);
            CertificateVerificationException cv =
                    CertificateVerificationException.findIn(cause).orElse(null);
            if (cv != null && cv.reason() == CertificateVerificationException.Reason.UNTRUSTED) {
                throw new CliException(
                        ExitCodes.TRUST,
                        "unknown server " + target + " presents certificate "
                                + cv.presentedFingerprint() + "; run again with --pin " + cv.presentedFingerprint()
                                + " (or --tofu to trust and remember it)",
                        cause);
            }
            if (cv != null) {
                throw new CliException(ExitCodes.TRUST, "DTLS with " + target + " refused: " + cv.getMessage(), cause);
            }
            throw new CliException(
                    ExitCodes.UNREACHABLE, "DTLS handshake with " + target + " failed: " + cause.getMessage(), cause);
        }
    }
}
