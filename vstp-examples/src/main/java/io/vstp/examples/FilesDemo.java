package io.vstp.examples;

import io.vstp.services.ConnectionRequester;
import io.vstp.services.DatagramRequester;
import io.vstp.services.Requester;
import io.vstp.services.ServicesServer;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.TransferProgress;
import io.vstp.transport.VstpClient;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The files service as a library: a {@link ServicesServer} serving a directory over TLS 1.3 and DTLS, and a
 * {@link FilesClient} that uploads a file, is cut off half-way through a second upload and resumes it, then
 * downloads both back over DTLS; every transfer is checked by SHA-256 on both sides.
 *
 * <p>Run: {@code java -jar vstp-examples/target/vstp-examples.jar files [MiB]} (default 16).
 */
public final class FilesDemo {
    private FilesDemo() {}

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        Path work = Files.createTempDirectory("vstp-files-demo-");
        Path file = work.resolve("data.bin");
        byte[] bytes = new byte[mib << 20];
        new Random(1).nextBytes(bytes);
        Files.write(file, bytes);

        try (ServicesServer server = ServicesServer.builder()
                .port(0)
                .directory(work.resolve("served"))
                .tls(TlsServerOptions.builder().home(work.resolve("server")).build())
                .start()) {
            System.out.println("server  " + server.description());
            // The client knows this server's certificate: pinned, so nothing is asked and nothing else is trusted.
            TlsClientOptions trust = TlsClientOptions.builder()
                    .home(work.resolve("client"))
                    .pin(server.fingerprint())
                    .build();

            try (VstpClient client = VstpClient.builder().tls(trust).build();
                    Requester tls = ConnectionRequester.over(
                            client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS))) {
                FilesClient files = new FilesClient(tls);
                FilesClient.Result put = files.put(file, "data.bin", false, TransferProgress.NONE);
                System.out.printf("put     %d bytes in %.2f s over %s%n", put.bytes(), put.seconds(), tls.security());

                // A second upload, cut off after its first acknowledged chunk ...
                try {
                    files.put(file, "again.bin", false, new TransferProgress() {
                        @Override
                        public void update(long done) {
                            throw new IllegalStateException("cut off at " + done + " bytes");
                        }
                    });
                } catch (IllegalStateException expected) {
                    System.out.println("put     " + expected.getMessage());
                }
                // ... resumes from what the server kept.
                FilesClient.Result resumed = files.put(file, "again.bin", false, TransferProgress.NONE);
                System.out.printf("put     resumed at %d of %d bytes%n", resumed.resumedFrom(), resumed.bytes());
                check(resumed.resumedFrom() > 0, "the second upload did not resume");
            }

            try (DatagramRequester dtls = DatagramRequester.connect(
                    new InetSocketAddress("127.0.0.1", server.port()),
                    DtlsClientOptions.builder().tls(trust).build(),
                    Duration.ofSeconds(10))) {
                FilesClient files = new FilesClient(dtls);
                for (String name : new String[] {"data.bin", "again.bin"}) {
                    Path back = work.resolve("back-" + name);
                    FilesClient.Result got = files.get(name, back, TransferProgress.NONE);
                    check(java.util.Arrays.equals(Files.readAllBytes(back), bytes), name + " came back different");
                    System.out.printf(
                            "get     %s: %d bytes in %.2f s over %s, sha256 %s%n",
                            name, got.bytes(), got.seconds(), dtls.security(), got.sha256());
                }
            }
        }
        try (var paths = Files.walk(work)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
        System.out.println("ok");
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            System.err.println("FAILED: " + failure);
            System.exit(1);
        }
    }
}
