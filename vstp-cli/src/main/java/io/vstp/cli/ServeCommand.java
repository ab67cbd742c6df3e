package io.vstp.cli;

import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import io.vstp.transport.ProtocolOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vstp serve}: one server on TCP and UDP on the same port, TLS 1.3 and DTLS by default with the
 * auto-generated certificate, echo and files services. Runs until Ctrl-C or SIGTERM, then shuts down gracefully.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run a VSTP server on TCP and UDP (same port): echo, and files in --dir.",
            "Prints one line containing 'listening', the address and the certificate fingerprint when ready."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "6969", description = "TCP and UDP port; 0 picks a free one "
            + "(default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", defaultValue = "vstp-files", description = "Directory the files service serves "
            + "(default ./${DEFAULT-VALUE}; created if missing).")
    Path dir;

    @Option(names = "--plain", description = "No TLS/DTLS: plaintext, e.g. for the Rust crate (which gets wire v1).")
    boolean plain;

    @Option(names = "--cert", paramLabel = "PEM", description = "Certificate chain (default: self-signed, kept in the VSTP home).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Private key for --cert.")
    Path key;

    @Option(names = "--client-ca", paramLabel = "PEM", description = "Require client certificates issued by this CA (TCP).")
    Path clientCa;

    @Option(names = "--wire", paramLabel = "VERSION", defaultValue = "2", description = "Highest wire version to "
            + "accept over TCP: 2 (clients that offer it get streams, HPACK headers, compression) or 1.")
    int wire;

    @Option(names = "--no-udp", description = "Serve TCP only.")
    boolean noUdp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((cert == null) != (key == null)) {
            throw new CliException(ExitCodes.USAGE, "--cert and --key go together");
        }
        if (wire != 1 && wire != 2) {
            throw new CliException(ExitCodes.USAGE, "--wire must be 1 or 2, was " + wire);
        }
        ServerRuntime server = ServerRuntime.start(host, port, dir, tlsOptions(), !noUdp,
                ProtocolOptions.DEFAULT.withV2(wire == 2));
        spec.commandLine().getOut().println("vstp: listening on " + server.description());
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "vstp-serve-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }

    private TlsServerOptions tlsOptions() {
        if (plain) {
            return null;
        }
        TlsServerOptions.Builder b = TlsServerOptions.builder();
        if (cert != null) {
            b.certificateChainFile(cert).privateKeyFile(key);
        }
        if (clientCa != null) {
            b.clientCaFile(clientCa);
        }
        return b.build();
    }

}
