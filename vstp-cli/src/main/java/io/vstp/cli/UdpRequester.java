package io.vstp.cli;

import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.session.SessionFrames;
import io.vstp.transport.udp.VstpUdpEndpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Requester} over UDP (DTLS unless plaintext): each request carries a {@code req-id}, goes out with
 * {@code sendReliable}, and the server answers with a reliable frame carrying the same {@code req-id}
 * (docs/spec/services.md §2).
 */
final class UdpRequester implements Requester {
    private final VstpUdpEndpoint endpoint;
    private final InetSocketAddress server;
    private final Duration timeout;
    private final boolean plain;
    private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    private UdpRequester(ClientOptions options, Target target) throws InterruptedException {
        this.server = new InetSocketAddress(target.host(), target.port());
        this.timeout = options.timeout;
        this.plain = options.plain;
        // DTLS handshakes here, so trust and reachability fail as over TCP, before any request.
        this.endpoint = UdpClientEndpoints.open(target, options.plain ? null : options.dtls(), options.timeout,
                this::onFrame);
    }

    static UdpRequester open(ClientOptions options, Target target) throws InterruptedException {
        if (options.tokens() != null) {
            throw new CliException(ExitCodes.USAGE, "--token and --token-file work over TCP only: UDP has no "
                    + "handshake to carry credentials (docs/spec/services.md §2a)");
        }
        return new UdpRequester(options, target);
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
        Headers.Builder h = Headers.builder();
        request.headers().forEach(h::add);
        h.add(SessionFrames.REQ_ID, Long.toString(id));
        Frame tagged = new Frame(request.type(), request.flags(), h.build(), request.payload());
        endpoint.sendReliable(server, tagged).whenComplete((v, e) -> {
            if (e != null) {
                pending.remove(id);
                result.completeExceptionally(e);
            }
        });
        result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pending.remove(id));
        return result;
    }

    @Override
    public String security() {
        if (plain) {
            return "plaintext UDP";
        }
        return endpoint.dtlsSession(server).map(s -> s.protocolVersion() + " " + s.cipherSuite()
                + s.peerCertificateFingerprint().map(f -> ", server certificate " + f).orElse(""))
                .orElse("DTLS (no session yet)");
    }

    @Override
    public void close() {
        endpoint.close();
        pending.values().forEach(f -> f.cancel(false));
    }
}
