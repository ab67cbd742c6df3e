package io.vstp.cli;

import io.vstp.services.ConnectionRequester;
import io.vstp.services.DatagramRequester;
import io.vstp.services.Requester;
import io.vstp.transport.VstpClient;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The library's {@link Requester}s, opened from a command's options, with its errors and exit codes. */
final class Requesters {
    private Requesters() {}

    /** Over UDP (DTLS unless plaintext) when {@code udp}, else over one TCP connection (TLS unless plaintext). */
    static Requester open(ClientOptions options, Target target, boolean udp) throws InterruptedException {
        return udp ? udp(options, target) : tcp(options, target);
    }

    /** Over one TCP connection (TLS 1.3 unless plaintext), which owns its client. */
    static ConnectionRequester tcp(ClientOptions options, Target target) throws InterruptedException {
        VstpClient client = options.client();
        try {
            return ConnectionRequester.over(options.connect(client, target), client);
        } catch (RuntimeException | InterruptedException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Over UDP: the endpoint opens (the DTLS handshake first, so trust and reachability fail as over TCP, before any
     * request) and, with a token, proves who this association is before any request (services.md §2b). A token is
     * never sent over plaintext UDP, where anyone on the path could read it.
     */
    static DatagramRequester udp(ClientOptions options, Target target) throws InterruptedException {
        Supplier<String> tokens = options.tokens();
        if (tokens != null && options.plain) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--token and --token-file are never sent over plaintext UDP, "
                            + "where anyone on the path could read them: drop --plain (DTLS) or use TCP");
        }
        InetSocketAddress server = UdpClientEndpoints.address(target);
        DatagramRequester requester = UdpClientEndpoints.translated(
                target,
                options.timeout,
                () -> DatagramRequester.connect(server, options.plain ? null : options.dtls(), options.timeout));
        if (tokens != null) {
            try {
                requester.authenticate(tokens.get());
            } catch (TimeoutException e) {
                requester.close();
                throw new CliException(ExitCodes.UNREACHABLE, "no answer to the credentials from " + server);
            } catch (RuntimeException | InterruptedException e) {
                requester.close();
                throw e;
            } catch (Exception e) {
                requester.close();
                throw new CliException(ExitCodes.FAILED, String.valueOf(e), e);
            }
        }
        return requester;
    }
}
