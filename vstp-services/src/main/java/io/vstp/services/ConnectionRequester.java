package io.vstp.services;

import io.vstp.core.frame.Frame;
import io.vstp.transport.ClientStream;
import io.vstp.transport.VstpConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A {@link Requester} over one TCP connection (TLS 1.3 unless the connection is plaintext). */
public final class ConnectionRequester implements Requester {
    private final VstpConnection connection;
    private final AutoCloseable owner;

    private ConnectionRequester(VstpConnection connection, AutoCloseable owner) {
        this.connection = connection;
        this.owner = owner;
    }

    /**
     * Requests over {@code connection}.
     *
     * @param connection an open connection; closed (gracefully, within 5 s) by {@link #close()}
     * @return the requester
     */
    public static ConnectionRequester over(VstpConnection connection) {
        return new ConnectionRequester(connection, null);
    }

    /**
     * Requests over {@code connection}, closing {@code owner} after it, such as the
     * {@link io.vstp.transport.VstpClient} that made the connection and is used for nothing else.
     *
     * @param connection an open connection; closed by {@link #close()}
     * @param owner      closed after the connection
     * @return the requester
     */
    public static ConnectionRequester over(VstpConnection connection, AutoCloseable owner) {
        return new ConnectionRequester(connection, owner);
    }

    @Override
    public CompletableFuture<Frame> request(Frame request) {
        return connection.request(request);
    }

    @Override
    public ClientStream openStream() throws Exception {
        return connection.wireVersion() == 2 ? connection.openStream().get() : null;
    }

    @Override
    public String security() {
        return (connection.tlsProtocol() == null
                        ? "plaintext TCP"
                        : connection.tlsProtocol() + " " + connection.tlsCipherSuite()
                                + (connection.tlsGroup() != null ? " " + connection.tlsGroup() : "")
                                + ", server certificate "
                                + connection.peerCertificateFingerprint())
                + "; " + connection.wireSummary()
                + (connection.authenticatedSubject() != null
                        ? "; authenticated as " + connection.authenticatedSubject()
                        : "");
    }

    /**
     * The connection the requests go over.
     *
     * @return the connection
     */
    public VstpConnection connection() {
        return connection;
    }

    @Override
    public void close() {
        try {
            connection.close(Duration.ofSeconds(5)).join();
        } catch (RuntimeException e) {
            // closing a broken connection: nothing left to do
        }
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                // the owner's own close failing leaves nothing this requester could do
            }
        }
    }
}
