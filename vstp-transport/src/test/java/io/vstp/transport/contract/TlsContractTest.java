package io.vstp.transport.contract;

import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract over TCP with TLS 1.3: the server's self-signed certificate, trusted on first use. */
class TlsContractTest extends TransportContract {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    @Override
    Connection connect(Responder responder) throws Exception {
        return StreamConnection.start(
                VstpServer.builder()
                        .tls(TlsServerOptions.builder().home(serverHome).build()),
                VstpClient.builder()
                        .threads(1)
                        .tls(TlsClientOptions.builder().home(clientHome).build())
                        .build(),
                responder);
    }
}
