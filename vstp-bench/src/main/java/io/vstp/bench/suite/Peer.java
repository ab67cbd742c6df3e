package io.vstp.bench.suite;

import java.util.concurrent.CompletableFuture;

/**
 * One system under measurement, server and clients in this process on 127.0.0.1: VSTP over one of its transports,
 * or a baseline (raw Netty, grpc-java, rsocket-java, Aeron). A workload ({@link Workloads}) drives it through the
 * few operations every system can do, so that each figure compares the same work.
 *
 * <p>Lifecycle: {@link #start} once, then the workload's operations, then {@link #close}. A peer supports only the
 * operations its system has; the others throw {@link UnsupportedOperationException}, and the suite never asks.
 */
public interface Peer extends AutoCloseable {
    /** Starts the server side (sink or echo, as {@code setup.mode()} says) and connects the clients. */
    void start(PeerSetup setup) throws Exception;

    /**
     * One-way: sends one frame of the setup's payload on client connection {@code connection}, blocking while that
     * connection cannot take more (its outbound buffer is full), so a sender can never outrun the system. Called
     * by one thread per connection.
     */
    void send(int connection) throws Exception;

    /** Frames the server side has received so far (one-way workloads). Any thread. */
    long received();

    /** One request to the server's echo; completes when the response arrived. Any thread. */
    CompletableFuture<?> request(int connection);

    /** Sends one message of {@code setup.size()} bytes reliably; completes once the peer has all of it. */
    default CompletableFuture<?> transfer() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no reliable message transfer");
    }

    /** What was measured, for the results: protocol, security, provider, anything that differs from the name. */
    String detail();

    /** Bytes the server read from its sockets over the whole run (TLS records included), or -1 if unknown. */
    default long serverBytesReceived() {
        return -1;
    }

    @Override
    void close() throws Exception;
}
