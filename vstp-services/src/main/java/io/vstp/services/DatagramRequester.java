package io.vstp.services;

import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.session.SessionAuth;
import io.vstp.transport.session.SessionFrames;
import io.vstp.transport.udp.ClientEndpoints;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Requester} over UDP (DTLS unless the endpoint is plaintext): each request carries a {@code req-id}, goes
 * out with {@link VstpUdpEndpoint#sendReliable}, and the server answers with a reliable frame carrying the same
 * {@code req-id} (docs/spec/services.md §2). The endpoint belongs to this requester: it receives only answers.
 */
public final class DatagramRequester implements Requester {
    private final InetSocketAddress server;
    private final Duration timeout;
    private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final VstpUdpEndpoint endpoint;

    private DatagramRequester(InetSocketAddress server, Duration timeout, DtlsClientOptions dtls)
            throws UnknownHostException, TimeoutException, ExecutionException, InterruptedException {
        this.server = server;
        this.timeout = timeout;
        this.endpoint = ClientEndpoints.connect(server, dtls, timeout, this::onFrame);
    }

    /**
     * Requests to {@code server} over an endpoint of its own (see {@link ClientEndpoints#connect}).
     *
     * @param server  where the requests go; answers from anywhere else are dropped
     * @param dtls    the DTLS client settings (trust, pins), or null for plaintext UDP
     * @param timeout how long the DTLS handshake, and then each request, may wait for an answer
     * @return the requester, which closes its endpoint when closed
     * @throws UnknownHostException the server's address is unresolved
     * @throws TimeoutException     no DTLS handshake within {@code timeout}
     * @throws ExecutionException   the handshake failed; the cause says why
     * @throws InterruptedException when interrupted during the handshake
     */
    public static DatagramRequester connect(InetSocketAddress server, DtlsClientOptions dtls, Duration timeout)
            throws UnknownHostException, TimeoutException, ExecutionException, InterruptedException {
        return new DatagramRequester(server, timeout, dtls);
    }

    /**
     * Proves who this DTLS association is before any request (services.md §2b): the token goes as the payload of a
     * request with {@code auth: bearer}, and the server binds it to the association. Never over plaintext UDP,
     * where anyone on the path could read it.
     *
     * @param token a bearer token (JWT)
     * @throws InterruptedException when interrupted while waiting
     * @throws Exception            the server's refusal ({@link VstpException}), a timeout, or a send failure
     * @throws IllegalStateException over plaintext UDP
     */
    public void authenticate(String token) throws Exception {
        if (!endpoint.dtls()) {
            throw new IllegalStateException(
                    "a token is never sent over plaintext UDP, where anyone on the path " + "could read it");
        }
        Frame credentials = SessionAuth.withToken(FrameType.DATA, Headers.EMPTY, token);
        try {
            request(credentials).get().release();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    private void onFrame(InetSocketAddress peer, Frame frame) {
        long id = SessionFrames.longHeader(frame, SessionFrames.REQ_ID, -1);
        CompletableFuture<Frame> f = id >= 0 && peer.equals(server) ? pending.remove(id) : null;
        if (f == null) {
            frame.release();
            return;
        }
        if (frame.type().equals(FrameType.ERR)) {
            f.completeExceptionally(SessionFrames.readErr(frame, VstpException.Scope.REQUEST));
            frame.release();
        } else if (!f.complete(frame)) {
            frame.release();
        }
    }

    @Override
    public CompletableFuture<Frame> request(Frame request) {
        long id = nextId.getAndIncrement();
        CompletableFuture<Frame> result = new CompletableFuture<>();
        pending.put(id, result);
        endpoint.sendReliable(server, SessionFrames.withHeader(request, SessionFrames.REQ_ID, Long.toString(id)))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        pending.remove(id);
                        result.completeExceptionally(e);
                    }
                });
        result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id));
        return result;
    }

    @Override
    public String security() {
        if (!endpoint.dtls()) {
            return "plaintext UDP";
        }
        return endpoint.dtlsSession(server)
                .map(s -> s.protocolVersion() + " " + s.cipherSuite()
                        + s.peerCertificateFingerprint()
                                .map(f -> ", server certificate " + f)
                                .orElse(""))
                .orElse("DTLS (no session yet)");
    }

    /**
     * The endpoint the requests go over.
     *
     * @return the endpoint
     */
    public VstpUdpEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        endpoint.close();
        pending.values().forEach(f -> f.cancel(false));
    }
}
