package io.vstp.services;

import io.vstp.core.frame.Frame;
import io.vstp.transport.ClientStream;
import java.util.concurrent.CompletableFuture;

/**
 * Request/response with one server, over whichever transport carries it: a TCP/TLS connection
 * ({@link ConnectionRequester}) or a UDP/DTLS endpoint ({@link DatagramRequester}). The clients of the services
 * (such as {@link io.vstp.services.files.FilesClient}) are written against this, so they work over both.
 */
public interface Requester extends AutoCloseable {
    /**
     * Sends a request.
     *
     * @param request taken over: released once sent
     * @return completes with the response, which the caller releases, or exceptionally with the server's ERR as a
     *         {@link io.vstp.core.error.VstpException}
     */
    CompletableFuture<Frame> request(Frame request);

    /**
     * A wire-v2 stream to the server for an ordered sequence of requests (docs/spec/wire-v2.md §7).
     *
     * @return the stream, or null when the transport has none (UDP, or a server that speaks only wire v1)
     * @throws Exception when the stream cannot be opened
     */
    default ClientStream openStream() throws Exception {
        return null;
    }

    /**
     * What protects the requests, for a report line.
     *
     * @return e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256 …", or "plaintext UDP"
     */
    String security();

    /** Closes the transport under the requests; requests still waiting fail. */
    @Override
    void close();
}
