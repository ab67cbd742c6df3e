package io.vstp.transport.contract;

import io.vstp.core.frame.Frame;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The contract's connection over TCP, with or without TLS: the transport's own request and response. */
final class StreamConnection implements TransportContract.Connection {
    private final VstpServer server;
    private final VstpClient client;
    private final VstpConnection connection;

    private StreamConnection(VstpServer server, VstpClient client, VstpConnection connection) {
        this.server = server;
        this.client = client;
        this.connection = connection;
    }

    /** Starts {@code serverBuilder} with the responder as its handler and connects {@code client} to it. */
    static StreamConnection start(
            VstpServer.Builder serverBuilder, VstpClient client, TransportContract.Responder responder)
            throws Exception {
        VstpServer server = serverBuilder
                .host("127.0.0.1")
                .port(0)
                .threads(1)
                .handler((request, session) -> responder.answer(request))
                .start();
        try {
            return new StreamConnection(
                    server, client, client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            client.close();
            server.close();
            throw e;
        }
    }

    @Override
    public CompletableFuture<Frame> request(Frame request, Duration timeout) {
        return connection.request(request, timeout);
    }

    @Override
    public void closeClient() {
        client.close();
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
