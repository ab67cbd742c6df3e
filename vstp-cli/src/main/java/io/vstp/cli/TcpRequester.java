package io.vstp.cli;

import io.vstp.core.frame.Frame;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** {@link Requester} over one TCP connection (TLS 1.3 unless plaintext). */
final class TcpRequester implements Requester {
    private final VstpClient client;
    private final VstpConnection connection;

    private TcpRequester(VstpClient client, VstpConnection connection) {
        this.client = client;
        this.connection = connection;
    }

    static TcpRequester open(ClientOptions options, Target target) throws InterruptedException {
        VstpClient client = options.client();
        try {
            return new TcpRequester(client, options.connect(client, target));
        } catch (RuntimeException | InterruptedException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Frame> request(Frame request) {
        return connection.request(request);
    }

    @Override
    public String security() {
        return (connection.tlsProtocol() == null ? "plaintext TCP"
                : connection.tlsProtocol() + " " + connection.tlsCipherSuite()
                + (connection.tlsGroup() != null ? " " + connection.tlsGroup() : "") + ", server certificate "
                + connection.peerCertificateFingerprint()) + "; " + connection.wireSummary()
                + (connection.authenticatedSubject() != null ? "; authenticated as " + connection.authenticatedSubject()
                        : "");
    }

    @Override
    public io.vstp.transport.session.ClientStream openStream() throws Exception {
        return connection.wireVersion() == 2 ? connection.openStream().get() : null;
    }

    VstpConnection connection() {
        return connection;
    }

    @Override
    public void close() {
        try {
            connection.close(Duration.ofSeconds(5)).join();
        } catch (RuntimeException e) {
            // closing a broken connection: nothing left to do
        }
        client.close();
    }
}
