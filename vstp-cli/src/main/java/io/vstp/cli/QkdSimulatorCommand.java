package io.vstp.cli;

import io.vstp.testkit.qkd.KmeSimulator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vstp qkd-sim}: a simulated ETSI GS QKD 014 key management entity, for trying QKD-mixed end-to-end
 * encryption without quantum hardware. Its keys come from a SecureRandom, so it protects nothing by itself: it is a
 * test double of a real KME, with the same API, mutual TLS and one-time delivery.
 */
@Command(
        name = "qkd-sim",
        mixinStandardHelpOptions = true,
        description = {
            "Run a simulated ETSI GS QKD 014 KME (TESTING ONLY: its keys are ordinary random numbers).",
            "SAEs authenticate with client certificates whose CN is their SAE ID (vstp cert client --name SAE_ID).",
            "Runs until interrupted."
        })
final class QkdSimulatorCommand implements Callable<Integer> {
    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "0", description = "Port (default: any free port).")
    int port;

    @Option(names = "--cert", required = true, paramLabel = "PEM", description = "The KME's server certificate chain.")
    Path cert;

    @Option(names = "--key", required = true, paramLabel = "PEM", description = "Its private key.")
    Path key;

    @Option(
            names = "--ca",
            required = true,
            paramLabel = "PEM",
            description = "CA whose client certificates identify SAEs.")
    Path ca;

    @Option(
            names = "--sae",
            required = true,
            paramLabel = "SAE_ID",
            description = "An SAE allowed to use it. Repeatable.")
    List<String> saes = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        io.vstp.transport.fips.FipsMode.refuse(
                "the QKD key simulator (qkd-sim)",
                "QKD keys only feed end-to-end " + "encryption, which is not available in FIPS mode");
        KmeSimulator simulator = KmeSimulator.builder(QkdOptions.tls(cert, key, ca))
                .address(new InetSocketAddress(host, port))
                .sae(saes.toArray(String[]::new))
                .build()
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            simulator.close();
                            stopped.countDown();
                        },
                        "qkd-sim-shutdown"));
        spec.commandLine()
                .getOut()
                .printf(
                        "qkd-sim: KME simulator (TESTING ONLY) listening on %s for SAEs %s%n",
                        simulator.url(), String.join(", ", saes));
        spec.commandLine().getOut().flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
