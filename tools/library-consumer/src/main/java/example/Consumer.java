package example;

import io.vstp.security.plugin.PluginRegistry;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.Requester;
import io.vstp.services.ServicesServer;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.TransferProgress;
import io.vstp.transport.VstpClient;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** A verified upload and download over TLS 1.3, written only against the library's API. Prints "ok". */
public final class Consumer {
    public static void main(String[] args) throws Exception {
        // ServiceLoader refuses a named module that does not declare `uses` for the service it loads: scanning for
        // plugins (none here) is what proves io.vstp.security declares both.
        try (PluginRegistry plugins = PluginRegistry.builder().start()) {
            if (!plugins.errors().isEmpty() || !plugins.plugins().isEmpty()) {
                throw new AssertionError("an empty plugin scan gave " + plugins.plugins() + " " + plugins.errors());
            }
        }
        Path work = Files.createTempDirectory("vstp-consumer-");
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(work.resolve("file.bin"), bytes);
        try (ServicesServer server = ServicesServer.builder().port(0).directory(work.resolve("served"))
                .tls(TlsServerOptions.builder().home(work.resolve("server")).build()).start();
             VstpClient client = VstpClient.builder().tls(TlsClientOptions.builder().home(work.resolve("client"))
                     .pin(server.fingerprint()).build()).build();
             Requester requester = ConnectionRequester.over(client.connect("127.0.0.1", server.port()).get())) {
            FilesClient files = new FilesClient(requester);
            files.put(file, "file.bin", false, TransferProgress.NONE);
            FilesClient.Result back = files.get("file.bin", work.resolve("back.bin"), TransferProgress.NONE);
            if (!Arrays.equals(Files.readAllBytes(work.resolve("back.bin")), bytes)) {
                throw new AssertionError("the file came back different");
            }
            System.out.println("ok " + back.bytes() + " bytes, sha256 " + back.sha256());
        }
    }
}
