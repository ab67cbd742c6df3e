package io.vstp.cli;

import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
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

    @Option(names = "--plain", description = "No TLS/DTLS: v1 plaintext, what the Rust crate speaks.")
    boolean plain;

    @Option(names = "--cert", paramLabel = "PEM", description = "Certificate chain (default: self-signed, kept in the VSTP home).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Private key for --cert.")
    Path key;

    @Option(names = "--client-ca", paramLabel = "PEM", description = "Require client certificates issued by this CA (TCP).")
    Path clientCa;

    @Option(names = "--no-udp", description = "Serve TCP only.")
    boolean noUdp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((cert == null) != (key == null)) {
            throw new CliException(ExitCodes.USAGE, "--cert and --key go together");
        }
        ServerRuntime server = ServerRuntime.start(host, port, dir, tlsOptions(), !noUdp);
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
