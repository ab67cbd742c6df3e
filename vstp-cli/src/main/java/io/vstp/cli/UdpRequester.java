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

    /**
     * Opens the endpoint (the DTLS handshake first) and, with a token, proves who this association is before any
     * request (services.md §2b). A token never goes over plaintext UDP, where anyone on the path could read it.
     */
    static UdpRequester open(ClientOptions options, Target target) throws InterruptedException {
        java.util.function.Supplier<String> tokens = options.tokens();
        if (tokens != null && options.plain) {
            throw new CliException(ExitCodes.USAGE, "--token and --token-file are never sent over plaintext UDP, "
                    + "where anyone on the path could read them: drop --plain (DTLS) or use TCP");
        }
        UdpRequester requester = new UdpRequester(options, target);
        if (tokens != null) {
            try {
                requester.authenticate(tokens.get());
            } catch (RuntimeException | InterruptedException e) {
                requester.close();
                throw e;
            }
        }
        return requester;
    }

    /** The token as the payload of a request with {@code auth: bearer}; the server binds it to this association. */
    private void authenticate(String token) throws InterruptedException {
        Frame credentials = new Frame(FrameType.DATA, io.vstp.core.frame.Flags.NONE, Headers.builder(1)
                .add(io.vstp.transport.session.SessionAuth.AUTH, io.vstp.transport.session.SessionAuth.BEARER).build(),
                io.netty.buffer.Unpooled.wrappedBuffer(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        try {
            request(credentials).get().release();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = VstpCommand.unwrap(e);
            if (c instanceof java.util.concurrent.TimeoutException) {
                throw new CliException(ExitCodes.UNREACHABLE, "no answer to the credentials from " + server);
            }
            throw c instanceof RuntimeException r ? r : new CliException(ExitCodes.FAILED, String.valueOf(c), c);
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
