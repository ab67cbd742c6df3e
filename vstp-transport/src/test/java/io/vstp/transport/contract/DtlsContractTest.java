package io.vstp.transport.contract;

import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The transport contract over UDP with DTLS 1.2: the server's self-signed certificate, trusted on first use. */
class DtlsContractTest extends TransportContract {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    @Override
    Connection connect(Responder responder) throws Exception {
        return DatagramRequests.start(
                VstpUdpEndpoint.builder()
                        .dtlsServer(DtlsServerOptions.builder()
                                .tls(TlsServerOptions.builder().home(serverHome).build())
                                .build()),
                VstpUdpEndpoint.builder()
                        .dtlsClient(DtlsClientOptions.builder()
                                .tls(TlsClientOptions.builder().home(clientHome).build())
                                .build()),
                responder);
    }
}
