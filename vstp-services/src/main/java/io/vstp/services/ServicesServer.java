package io.vstp.services;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.core.internal.Failures;
import io.vstp.security.SecurityPolicy;
import io.vstp.services.files.FileService;
import io.vstp.services.files.FilesProtocol;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.VstpServer;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.session.SessionAuth;
import io.vstp.transport.session.SessionFrames;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A VSTP server of the services (docs/spec/services.md): a TCP server and a UDP endpoint on the same port, both
 * answering with a {@link ServiceDispatcher} over a {@link FileService} in one directory, with its expiry of
 * abandoned uploads. What {@code vstp serve} runs, and {@code vstp demo} in-process.
 *
 * <pre>{@code
 * try (ServicesServer server = ServicesServer.builder().directory(Path.of("/srv/files"))
 *         .tls(TlsServerOptions.builder().home(home).build()).accessControl(policy).start()) {
 *     System.out.println(server.description());
 *     ...
 * }
 * }</pre>
 *
 * <p>Over UDP, a datagram carries no credentials: with access control, a request is allowed only if anonymous peers
 * may make it, or the DTLS association proved a principal first (services.md §2a, §2b).
 */
public final class ServicesServer implements AutoCloseable {
    private final String host;
    private final VstpServer tcp;
    private final VstpUdpEndpoint udp;
    private final FileService files;
    private final ExecutorService io;
    private final SecurityPolicy security;

    private ServicesServer(
            String host,
            VstpServer tcp,
            VstpUdpEndpoint udp,
            FileService files,
            ExecutorService io,
            SecurityPolicy security) {
        this.security = security;
        this.host = host;
        this.tcp = tcp;
        this.udp = udp;
        this.files = files;
        this.io = io;
    }

    /**
     * A builder: port 6969 on 127.0.0.1, TCP and UDP, the default wire versions, no access control; the directory
     * and either {@link Builder#tls} or {@link Builder#plain} must be given.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** How a {@link ServicesServer} starts. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 6969;
        private Path directory;
        private TlsServerOptions tls;
        private boolean plain;
        private boolean udp = true;
        private ProtocolOptions protocol = ProtocolOptions.DEFAULT;
        private SecurityPolicy security;
        private FileService.PartialUploads partials = FileService.PartialUploads.DEFAULT;

        private Builder() {}

        /**
         * Where to listen.
         *
         * @param host an address or name of this machine; "0.0.0.0" or "::" for every interface
         * @return this builder
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * The port of both TCP and UDP.
         *
         * @param port 0 for any free one
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * The directory the files service serves.
         *
         * @param directory created if missing
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /**
         * TLS 1.3 over TCP and DTLS 1.2 over UDP, with this certificate.
         *
         * @param tls the server's TLS settings
         * @return this builder
         */
        public Builder tls(TlsServerOptions tls) {
            this.tls = tls;
            this.plain = false;
            return this;
        }

        /**
         * No TLS and no DTLS: anyone on the path reads and changes everything.
         *
         * @return this builder
         */
        public Builder plain() {
            this.tls = null;
            this.plain = true;
            return this;
        }

        /**
         * Whether to answer over UDP too (on by default).
         *
         * @param udp false for TCP only
         * @return this builder
         */
        public Builder udp(boolean udp) {
            this.udp = udp;
            return this;
        }

        /**
         * The wire versions and limits of the TCP server.
         *
         * @param protocol the protocol options
         * @return this builder
         */
        public Builder protocol(ProtocolOptions protocol) {
            this.protocol = protocol;
            return this;
        }

        /**
         * Authentication and authorisation, closed with the server; none by default. If {@link #start()} fails,
         * the policy stays the caller's to close.
         *
         * @param security the policy, or null for none
         * @return this builder
         */
        public Builder accessControl(SecurityPolicy security) {
            this.security = security;
            return this;
        }

        /**
         * How long unfinished uploads are kept and how much they may hold together.
         *
         * @param partials the bounds
         * @return this builder
         */
        public Builder partialUploads(FileService.PartialUploads partials) {
            this.partials = partials;
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running server
         * @throws IOException          the directory cannot be used, or the port cannot be bound
         * @throws InterruptedException when interrupted while binding
         * @throws IllegalStateException neither {@link #tls} nor {@link #plain} was chosen, or no directory given
         */
        public ServicesServer start() throws IOException, InterruptedException {
            if (directory == null) {
                throw new IllegalStateException("no directory to serve");
            }
            if (tls == null && !plain) {
                throw new IllegalStateException("choose tls(...) or, knowingly, plain()");
            }
            return ServicesServer.start(host, port, directory, tls, udp, protocol, security, partials);
        }
    }

    private static ServicesServer start(
            String host,
            int port,
            Path dir,
            TlsServerOptions tls,
            boolean withUdp,
            ProtocolOptions protocol,
            SecurityPolicy security,
            FileService.PartialUploads partials)
            throws InterruptedException, IOException {
        FileService files = new FileService(dir, partials);
        // Only a timer: the sweep itself is file work, queued fairly with the clients'.
        java.util.concurrent.ScheduledExecutorService io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vstp-files-timer");
            t.setDaemon(true);
            return t;
        });
        // Abandoned uploads go on their own: checked four times per maximum age, at most hourly.
        long every = Math.max(1000, Math.min(partials.maxAge().toMillis() / 4, 3_600_000L));
        io.scheduleWithFixedDelay(files::expirePartials, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        ServiceDispatcher services = new ServiceDispatcher(files);
        VstpServer tcp;
        try {
            tcp = startTcp(host, port, tls, services, protocol, security);
        } catch (RuntimeException | InterruptedException | IOException e) {
            io.shutdown();
            files.close();
            throw e;
        }
        VstpUdpEndpoint udp = null;
        try {
            if (withUdp) {
                udp = startUdp(host, tcp.port(), tls, services, security);
            }
        } catch (RuntimeException | InterruptedException | IOException e) {
            tcp.close();
            io.shutdown();
            files.close();
            throw e;
        }
        return new ServicesServer(host, tcp, udp, files, io, security);
    }

    /**
     * The port both TCP and UDP listen on.
     *
     * @return the port (the one chosen when 0 was asked)
     */
    public int port() {
        return tcp.port();
    }

    /**
     * The files service this server answers with, for its counters (requests queued, dropped, files hashed).
     *
     * @return the service, shared by TCP and UDP
     */
    public FileService files() {
        return files;
    }

    /**
     * What clients pin.
     *
     * @return the certificate's fingerprint ({@code sha256:…}), or null in plaintext
     */
    public String fingerprint() {
        return tcp.certificateFingerprint();
    }

    /**
     * The JSSE provider that runs TLS.
     *
     * @return its name, such as "SunJSSE" or "BCJSSE"
     */
    public String tlsProvider() {
        return tcp.tlsProvider();
    }

    /**
     * One line for a log: transports, address, security, directory.
     *
     * @return e.g. "tcp+udp 127.0.0.1:6969, TLS 1.3 + DTLS 1.2, certificate sha256:…, files in /srv"
     */
    public String description() {
        String security = tcp.tls()
                ? "TLS 1.3"
                        + (FipsMode.active()
                                ? " in FIPS mode (" + tcp.tlsProvider() + ")"
                                : tcp.tlsProvider().equals("BCJSSE") ? " (BCJSSE)" : "")
                        + (udp != null ? " + DTLS 1.2" : "") + ", certificate "
                        + tcp.certificateFingerprint()
                : "plaintext (no TLS)";
        return (udp != null ? "tcp+udp " : "tcp ") + display(host) + ":" + tcp.port() + ", " + security + ", files in "
                + files.root() + (this.security != null ? ", authentication required" : "");
    }

    /**
     * A host as it stands before ":port".
     *
     * @param host a name or address
     * @return an IPv6 address in brackets, anything else as it is
     */
    public static String display(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Stops taking connections, lets requests in progress finish (within 5 s), and closes everything. */
    @Override
    public void close() {
        tcp.shutdown(Duration.ofSeconds(5)).join();
        if (udp != null) {
            udp.close();
        }
        io.shutdown();
        files.close();
        if (security != null) {
            security.close();
        }
    }

    private static VstpServer startTcp(
            String host,
            int port,
            TlsServerOptions tls,
            ServiceDispatcher services,
            ProtocolOptions protocol,
            SecurityPolicy security)
            throws InterruptedException, IOException {
        VstpServer.Builder b = VstpServer.builder()
                .host(host)
                .port(port)
                .handler(services)
                .protocol(protocol)
                .accessControl(security);
        try {
            return (tls == null ? b.plain() : b.tls(tls)).start();
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            Throwable c = Failures.cause(e);
            throw new IOException("cannot listen on " + display(host) + ":" + port + ": " + c.getMessage(), c);
        }
    }

    /**
     * @param security null for none; otherwise a datagram, which carries no credentials, may do only what anonymous
     *                 peers may (services.md §2a): by default the echo, which the Rust crate's clients use
     */
    private static VstpUdpEndpoint startUdp(
            String host, int udpPort, TlsServerOptions tls, ServiceDispatcher services, SecurityPolicy security)
            throws InterruptedException, IOException {
        VstpUdpEndpoint[] self = new VstpUdpEndpoint[1];
        DatagramCredentials proved = new DatagramCredentials(self);
        VstpUdpEndpoint.Builder b = VstpUdpEndpoint.builder()
                .host(host)
                .port(udpPort)
                .handler((peer, frame) -> {
                    if (frame.headers().value(SessionAuth.AUTH) != null) {
                        authenticateDatagram(self[0], security, proved, peer, frame);
                        return;
                    }
                    if (security == null) {
                        onDatagramRequest(self[0], services, peer, frame);
                        return;
                    }
                    Principal principal = proved.current(peer);
                    AccessDecision d = principal == null
                            ? security.authorizeAnonymous(frame.headers(), "udp", peer)
                            : security.authorizeDatagram(principal, frame.headers(), "dtls", peer);
                    if (d.allowed()) {
                        onDatagramRequest(self[0], services, peer, frame);
                    } else {
                        refuseDatagram(self[0], peer, frame, principal != null);
                    }
                });
        try {
            self[0] = (tls == null
                            ? b.plain()
                            : b.dtlsServer(DtlsServerOptions.builder()
                                    .tls(withoutClientCa(tls))
                                    .build()))
                    .start();
            return self[0];
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IOException("cannot listen on udp " + display(host) + ":" + udpPort + ": " + e.getMessage(), e);
        }
    }

    /** DTLS has no client certificates yet (docs/guide/dtls.md): mutual TLS stays a TCP feature. */
    private static TlsServerOptions withoutClientCa(TlsServerOptions tls) {
        return tls.clientCaFile().isPresent()
                ? tls.toBuilder().clientCaFile(null).build()
                : tls;
    }

    /**
     * A UDP request that anonymous peers may not make: datagrams carry no credentials (services.md §2a). A request
     * with {@code req-id} learns why; anything else is dropped.
     */
    private static void refuseDatagram(
            VstpUdpEndpoint endpoint, InetSocketAddress peer, Frame frame, boolean authenticated) {
        String reqId = frame.headers().value(SessionFrames.REQ_ID);
        frame.release();
        if (reqId != null) {
            endpoint.sendReliable(
                    peer,
                    authenticated
                            ? SessionFrames.err(ErrorCode.PERMISSION_DENIED, "permission denied", reqId)
                            : SessionFrames.err(
                                    ErrorCode.UNAUTHENTICATED,
                                    "this server authenticates its clients: send "
                                            + "credentials over DTLS (--token-file), or use TCP",
                                    reqId));
        }
    }

    private static void authenticateDatagram(
            VstpUdpEndpoint endpoint,
            SecurityPolicy security,
            DatagramCredentials proved,
            InetSocketAddress peer,
            Frame frame) {
        String reqId = frame.headers().value(SessionFrames.REQ_ID);
        if (reqId == null || security == null) {
            frame.release();
            if (reqId != null) { // a server that does not authenticate ignores credentials (session.md §3.1)
                endpoint.sendReliable(
                        peer,
                        SessionFrames.withHeader(Frame.builder(FrameType.DATA).build(), SessionFrames.REQ_ID, reqId));
            }
            return;
        }
        io.vstp.transport.udp.dtls.DtlsSessionInfo arrivedOn = proved.association(peer);
        if (arrivedOn == null) {
            frame.release(); // never read: a token that crossed plaintext is the sender's to revoke
            endpoint.sendReliable(
                    peer,
                    SessionFrames.err(
                            ErrorCode.UNAUTHENTICATED,
                            "credentials are refused over "
                                    + "plaintext UDP, where anyone on the path could read them: use DTLS or TCP",
                            reqId));
            return;
        }
        String token;
        try {
            token = SessionAuth.bearerToken(frame);
        } catch (AuthenticationException e) {
            endpoint.sendReliable(peer, SessionFrames.err(ErrorCode.UNAUTHENTICATED, e.detail(), reqId));
            return;
        } finally {
            frame.release();
        }
        String answerTo = reqId;
        security.authenticate(new Credentials(token, java.util.List.of(), peer, "dtls:" + peer))
                .whenComplete((principal, e) -> {
                    if (e != null || principal == null) {
                        endpoint.sendReliable(
                                peer,
                                SessionFrames.err(
                                        ErrorCode.UNAUTHENTICATED,
                                        e != null ? SessionAuth.refusal(e) : "authentication failed",
                                        answerTo));
                    } else if (!proved.bind(peer, principal, arrivedOn)) {
                        endpoint.sendReliable(
                                peer,
                                SessionFrames.err(
                                        ErrorCode.UNAUTHENTICATED,
                                        "the DTLS " + "association ended, or the server holds too many: try again",
                                        answerTo));
                    } else {
                        Headers.Builder ok = Headers.builder(3);
                        SessionAuth.describe(ok, principal, java.time.Instant.now());
                        ok.add(SessionFrames.REQ_ID, answerTo);
                        endpoint.sendReliable(
                                peer, new Frame(FrameType.DATA, Flags.NONE, ok.build(), Unpooled.EMPTY_BUFFER));
                    }
                });
    }

    /**
     * Requests over UDP: a frame with {@code req-id} gets its response (or ERR) back reliably with the same
     * {@code req-id}; a DATA frame without one (the crate's style) is echoed once, best effort, as one datagram a
     * crate can read, or answered by ERR {@code FRAME_TOO_LARGE} when the echo would not fit one (services.md §2).
     */
    private static void onDatagramRequest(
            VstpUdpEndpoint endpoint, ServiceDispatcher services, InetSocketAddress peer, Frame frame) {
        String reqId = frame.headers().value(SessionFrames.REQ_ID);
        if (reqId == null) {
            if (frame.headers().value(FilesProtocol.SERVICE_HEADER) != null) {
                frame.release(); // services other than echo need a req-id to answer to
                return;
            }
            services.handleDatagram(frame, peer).whenComplete((echo, error) -> {
                frame.release();
                if (echo != null) {
                    // In the one form a crate reads (udp.md §4); too large for it, it learns why from an ERR.
                    endpoint.sendCrateReadable(peer, echo).whenComplete((v, e) -> {
                        if (e instanceof VstpException x && x.code() == ErrorCode.FRAME_TOO_LARGE) {
                            endpoint.sendCrateReadable(
                                    peer,
                                    SessionFrames.err(
                                            ErrorCode.FRAME_TOO_LARGE,
                                            "echo not sent: " + x.detail() + "; send the request with a req-id to get "
                                                    + "the answer reliably, in fragments",
                                            null));
                        }
                    });
                }
            });
            return;
        }
        services.handleDatagram(frame, peer).whenComplete((response, error) -> {
            frame.release();
            Frame out;
            if (error != null) {
                out = SessionFrames.err(Failures.code(error), Failures.detail(error), reqId);
            } else if (response == null) {
                return;
            } else {
                out = SessionFrames.withHeader(response, SessionFrames.REQ_ID, reqId);
            }
            endpoint.sendReliable(peer, out);
        });
    }
}
