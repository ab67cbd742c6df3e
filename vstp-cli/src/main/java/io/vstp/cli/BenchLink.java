package io.vstp.cli;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsSessionInfo;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One transport as {@code vstp bench} sees it: send a frame, complete when it is done — answered by the echo
 * service (TCP/TLS) or acknowledged (UDP/DTLS). Opening one connects (and, for DTLS, handshakes) so that neither
 * counts in the measurement.
 */
interface BenchLink extends AutoCloseable {
    /** Sends {@code frame} (taken over); completes when it was answered or acknowledged. Any thread. */
    CompletableFuture<Void> exchange(Frame frame);

    /** True once the link cannot carry frames any more (the connection closed). */
    boolean broken();

    /** How many exchanges the peer allows in flight ({@link Integer#MAX_VALUE} when it sets no limit). */
    int maxInFlight();

    /** The negotiated protocol, e.g. {@code TLSv1.3} or {@code DTLS 1.2}; null in plaintext. */
    String tlsProtocol();

    /** The negotiated cipher suite; null in plaintext. */
    String tlsCipher();

    default String security() {
        return tlsProtocol() == null ? null : tlsProtocol() + " " + tlsCipher();
    }

    @Override
    void close();

    static BenchLink openRemote(BenchCommand.Transport kind, Target target, ClientOptions options)
            throws InterruptedException {
        if (!kind.datagram) {
            return Tcp.open(options.client(), target, options);
        }
        DtlsClientOptions dtls = kind.secure ? options.dtls() : null;
        return Udp.open(target, dtls, options.timeout);
    }

    static BenchLink openLocal(BenchCommand.Transport kind, BenchLocalServer server, ClientOptions options)
            throws InterruptedException {
        Target target = server.target();
        if (kind == BenchCommand.Transport.NETTY) {
            return BenchNetty.Link.open(target, options.timeout);
        }
        if (!kind.datagram) {
            VstpClient.Builder b = VstpClient.builder().threads(1).requestTimeout(options.timeout);
            return Tcp.open(
                    kind.secure ? b.tls(server.clientTls()).build() : b.plain().build(), target, options);
        }
        DtlsClientOptions dtls = kind.secure
                ? DtlsClientOptions.builder().tls(server.clientTls()).build()
                : null;
        return Udp.open(target, dtls, options.timeout);
    }

    /** Request/response on one TCP (TLS) connection; the server's echo service answers. */
    final class Tcp implements BenchLink {
        private final VstpClient client;
        private final VstpConnection connection;

        private Tcp(VstpClient client, VstpConnection connection) {
            this.client = client;
            this.connection = connection;
        }

        static Tcp open(VstpClient client, Target target, ClientOptions options) throws InterruptedException {
            try {
                return new Tcp(client, options.connect(client, target));
            } catch (InterruptedException | RuntimeException e) {
                client.close();
                throw e;
            }
        }

        @Override
        public CompletableFuture<Void> exchange(Frame frame) {
            return connection.request(frame).thenAccept(Frame::release);
        }

        @Override
        public boolean broken() {
            return connection.closeFuture().isDone();
        }

        @Override
        public int maxInFlight() {
            int max = connection.serverMaxInFlight();
            return max > 0 ? max : Integer.MAX_VALUE;
        }

        @Override
        public String tlsProtocol() {
            return connection.tlsProtocol();
        }

        @Override
        public String tlsCipher() {
            return connection.tlsCipherSuite();
        }

        @Override
        public void close() {
            try {
                connection.close(Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // closing anyway
            } finally {
                client.close();
            }
        }
    }

    /** Reliable sends from one UDP endpoint (a DTLS client, or plaintext) to the server. */
    final class Udp implements BenchLink {
        private final VstpUdpEndpoint endpoint;
        private final InetSocketAddress server;
        private final Duration timeout;
        private final DtlsSessionInfo session;

        private Udp(VstpUdpEndpoint endpoint, InetSocketAddress server, Duration timeout, DtlsSessionInfo session) {
            this.endpoint = endpoint;
            this.server = server;
            this.timeout = timeout;
            this.session = session;
        }

        /**
         * Binds an endpoint, handshakes (DTLS), then sends one probe frame reliably, so that an unreachable server
         * is reported as such before the run starts.
         */
        static Udp open(Target target, DtlsClientOptions dtls, Duration timeout) throws InterruptedException {
            InetSocketAddress server = new InetSocketAddress(target.host(), target.port());
            VstpUdpEndpoint endpoint = UdpClientEndpoints.open(target, dtls, timeout, (peer, frame) -> frame.release());
            try {
                DtlsSessionInfo session =
                        dtls == null ? null : endpoint.dtlsSession(server).orElse(null);
                probe(endpoint, server, target, timeout);
                return new Udp(endpoint, server, timeout, session);
            } catch (InterruptedException | RuntimeException e) {
                endpoint.close();
                throw e;
            }
        }

        private static void probe(VstpUdpEndpoint endpoint, InetSocketAddress server, Target target, Duration timeout)
                throws InterruptedException {
            try {
                endpoint.sendReliable(server, Frame.builder(FrameType.DATA).build())
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new CliException(
                        ExitCodes.UNREACHABLE,
                        "no acknowledgement from " + target + " within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                Throwable cause = VstpCommand.unwrap(e);
                throw new CliException(
                        ExitCodes.UNREACHABLE, "cannot reach " + target + ": " + cause.getMessage(), cause);
            }
        }

        @Override
        public CompletableFuture<Void> exchange(Frame frame) {
            return endpoint.sendReliable(server, frame).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean broken() {
            return false;
        }

        @Override
        public int maxInFlight() {
            return Integer.MAX_VALUE;
        }

        @Override
        public String tlsProtocol() {
            return session == null ? null : session.protocolVersion();
        }

        @Override
        public String tlsCipher() {
            return session == null ? null : session.cipherSuite().name();
        }

        @Override
        public void close() {
            endpoint.close();
        }
    }

    /**
     * Whether {@code failure} ends the run: the peer stopped answering (a timeout: going on would only wait), or the
     * connection is closing or closed, or the error concerns the whole connection. Other failures (an ERR for one
     * request) are counted and the run goes on.
     */
    static boolean endsRun(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return true;
        }
        if (failure instanceof VstpException v) {
            ErrorCode c = v.code();
            return c == ErrorCode.REQUEST_TIMEOUT
                    || c == ErrorCode.SHUTTING_DOWN
                    || c == ErrorCode.CONNECTION_CLOSED
                    || v.scope() == VstpException.Scope.CONNECTION;
        }
        return false;
    }
}
