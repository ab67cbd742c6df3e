package io.vstp.cli;

import io.vstp.core.frame.Frame;
import java.util.concurrent.CompletableFuture;

/** Request/response over whichever transport a command uses (TCP/TLS connection or UDP/DTLS endpoint). */
interface Requester extends AutoCloseable {
    /** Over UDP (DTLS unless plaintext) when {@code udp}, else over one TCP connection (TLS unless plaintext). */
    static Requester open(ClientOptions options, Target target, boolean udp) throws InterruptedException {
        return udp ? UdpRequester.open(options, target) : TcpRequester.open(options, target);
    }

    /** Sends {@code request} (taken over) and completes with the response, which the caller releases. */
    CompletableFuture<Frame> request(Frame request);

    /**
     * A wire-v2 stream to the server for an ordered sequence of requests (docs/spec/wire-v2.md §7), or null when
     * the transport has none (UDP, or a server that speaks only wire v1).
     */
    default io.vstp.transport.session.ClientStream openStream() throws Exception {
        return null;
    }

    /** A line describing the secure channel, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256", or "plaintext". */
    String security();

    @Override
    void close();
}
