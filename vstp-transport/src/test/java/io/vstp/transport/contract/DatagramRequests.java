package io.vstp.transport.contract;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.SessionException;
import io.vstp.transport.session.SessionFrames;
import io.vstp.transport.udp.VstpUdpEndpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The contract's connection over UDP, with or without DTLS. UDP carries frames, not requests: request and response
 * are the application's rule on top of {@link VstpUdpEndpoint#sendReliable} (services.md §2, vstp-services'
 * {@code DatagramRequester}): the request carries a {@code req-id}, the answer or an ERR carries it back. This is
 * that rule, small, so the contract can hold the UDP transport to the same behaviour as TCP.
 */
final class DatagramRequests implements TransportContract.Connection {
    private final VstpUdpEndpoint server;
    private final VstpUdpEndpoint client;
    private final Map<String, CompletableFuture<Frame>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private DatagramRequests(VstpUdpEndpoint server, VstpUdpEndpoint client) {
        this.server = server;
        this.client = client;
    }

    static DatagramRequests start(
            VstpUdpEndpoint.Builder serverBuilder,
            VstpUdpEndpoint.Builder clientBuilder,
            TransportContract.Responder responder)
            throws Exception {
        AtomicReference<VstpUdpEndpoint> serverRef = new AtomicReference<>();
        VstpUdpEndpoint server = serverBuilder
                .host("127.0.0.1")
                .port(0)
                .handler((peer, request) -> answer(serverRef.get(), peer, request, responder))
                .start();
        serverRef.set(server);
        AtomicReference<DatagramRequests> requests = new AtomicReference<>();
        VstpUdpEndpoint client;
        try {
            client = clientBuilder
                    .host("127.0.0.1")
                    .port(0)
                    .handler((peer, answer) -> requests.get().received(answer))
                    .start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        requests.set(new DatagramRequests(server, client));
        return requests.get();
    }

    /** The server's side: the responder's answer, or an ERR for its failure, sent back with the request's req-id. */
    private static void answer(
            VstpUdpEndpoint server, InetSocketAddress peer, Frame request, TransportContract.Responder responder) {
        String reqId = request.headers().value(SessionFrames.REQ_ID);
        CompletionStage<Frame> answer;
        try {
            answer = responder.answer(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((frame, failure) -> {
            request.release();
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause()
                        : failure;
                ErrorCode code = cause instanceof VstpException v ? v.code() : ErrorCode.HANDLER_ERROR;
                server.sendReliable(peer, SessionFrames.err(code, String.valueOf(cause.getMessage()), reqId));
            } else if (frame != null) {
                server.sendReliable(peer, SessionFrames.withHeader(frame, SessionFrames.REQ_ID, reqId));
            }
        });
    }

    /** The client's side: an answer completes the request with its req-id; one nobody waits for is dropped. */
    private void received(Frame answer) {
        String reqId = answer.headers().value(SessionFrames.REQ_ID);
        CompletableFuture<Frame> request = reqId == null ? null : waiting.remove(reqId);
        if (request == null) {
            answer.release();
        } else if (answer.type().equals(FrameType.ERR)) {
            request.completeExceptionally(SessionFrames.readErr(answer, VstpException.Scope.REQUEST));
            answer.release();
        } else if (!request.complete(answer)) {
            answer.release();
        }
    }

    @Override
    public CompletableFuture<Frame> request(Frame request, Duration timeout) {
        String reqId = Long.toString(ids.incrementAndGet());
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        waiting.put(reqId, answer);
        client.sendReliable(server.localAddress(), SessionFrames.withHeader(request, SessionFrames.REQ_ID, reqId))
                .whenComplete((sent, failure) -> {
                    if (failure != null) {
                        fail(reqId, failure);
                    }
                });
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> fail(
                        reqId,
                        new SessionException(
                                ErrorCode.REQUEST_TIMEOUT,
                                VstpException.Scope.REQUEST,
                                "no answer within " + timeout)));
        return answer;
    }

    private void fail(String reqId, Throwable failure) {
        CompletableFuture<Frame> answer = waiting.remove(reqId);
        if (answer != null) {
            answer.completeExceptionally(failure);
        }
    }

    @Override
    public void closeClient() {
        client.close();
        waiting.keySet()
                .forEach(reqId -> fail(
                        reqId,
                        new SessionException(
                                ErrorCode.CONNECTION_CLOSED,
                                VstpException.Scope.CONNECTION,
                                "the client's endpoint closed")));
    }

    @Override
    public void close() {
        closeClient();
        server.close();
    }
}
