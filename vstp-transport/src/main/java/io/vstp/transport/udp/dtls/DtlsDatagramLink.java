package io.vstp.transport.udp.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.ClientTls;
import io.vstp.transport.tls.TlsConfigException;
import io.vstp.transport.udp.DatagramLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DTLSVerifier;
import org.bouncycastle.tls.DatagramSender;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DatagramLink} that protects every datagram with DTLS 1.2 (RFC 6347), over another link that carries
 * the records (usually a {@link io.vstp.transport.udp.NettyDatagramLink}). The UDP endpoint above sees plaintext
 * datagrams and does not know DTLS is there. Handshakes, records and cookies are BouncyCastle's
 * ({@code org.bouncycastle.tls}); certificates and trust are the TCP transport's ({@code io.vstp.transport.tls}).
 *
 * <h2>Lifecycle</h2>
 * {@link #server} and {@link #client} take over the inner link (its receiver is replaced; {@link #close()} closes
 * it). Each peer address gets an <em>association</em>: a handshake, then a record layer.
 * <ul>
 *   <li>Server: a datagram from an unknown address must be a ClientHello. Without a valid cookie it gets a
 *       HelloVerifyRequest (about 60 bytes, smaller than the ClientHello) and leaves no state behind
 *       (RFC 6347 §4.2.1); only a ClientHello that returns the cookie creates an association. A new ClientHello
 *       from an established peer (a restarted client on the same port) replaces its association once its cookie
 *       checks out.
 *   <li>Client: {@link #connect} starts a handshake, as does the first {@link #send} to a server with no
 *       association (that datagram and the next ones wait for the handshake, up to {@code maxQueuedDatagrams};
 *       if it fails they are dropped and counted). {@link #disconnect} sends close_notify and forgets the
 *       association but keeps the session: the next connection to that server resumes it (abbreviated
 *       handshake, RFC 5246 §7.3).
 *   <li>An association unused for {@code idleTimeout} is closed; one whose handshake takes longer than
 *       {@code handshakeTimeout} fails.
 * </ul>
 *
 * <h2>Threads</h2>
 * BouncyCastle's DTLS handshake blocks its thread while it waits for the peer, so handshakes run on a small pool
 * of {@code handshakeThreads} per link, fed by a bounded queue per association that the event loop fills. Once a
 * handshake completes, the event loop owns the association: it decrypts each datagram as it arrives and encrypts
 * each {@code send} (a {@code send} from another thread is handed to the event loop), the way Netty's
 * {@code SslHandler} does TLS. The record layer never waits there: its transport throws instead of blocking when
 * its queue is empty. All receiver calls run on {@link #eventLoop()}.
 *
 * <h2>Limits</h2>
 * At most {@code maxAssociations} associations (further ClientHellos get no answer); at most
 * {@code maxQueuedDatagrams} datagrams waiting per association; {@link #maxDatagramSize()} is the inner link's
 * size minus the largest record overhead of the allowed suites (37 bytes with AES-GCM).
 *
 * <h2>Errors</h2>
 * Nothing a peer sends raises an exception or a log line above DEBUG: bad datagrams are dropped and counted in
 * {@link #counters()}. A client's failed handshake completes {@link #connect}'s future with an
 * {@link SSLHandshakeException} whose message says why; a refused certificate is its cause's cause
 * ({@link CertificateVerificationException#findIn(Throwable)}), with the expected and presented fingerprints.
 *
 * <h2>Buffer ownership</h2>
 * {@link #send} releases the datagram at once (it is copied); datagrams given to the receiver are new buffers the
 * receiver must release. Inner-link buffers are released as soon as they are copied.
 */
public final class DtlsDatagramLink implements DatagramLink {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsDatagramLink.class.getPackageName());

    /** RFC 6347 §4.2.1 asks servers to change the cookie secret often; a client caught by a change just retries. */
    static final Duration COOKIE_SECRET_LIFETIME = Duration.ofMinutes(5);
    /** A handshake thread notices its timeout itself; this is for one that never got a thread in time. */
    private static final long HANDSHAKE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Largest UDP payload: no record can be larger, so the plaintext buffer fits any of them. */
    private static final int MAX_UDP_PAYLOAD = 65_507;

    private static final byte[] EMPTY_PLAINTEXT = new byte[1];

    private final DatagramLink inner;
    private final boolean isServer;
    private final BcTlsCrypto crypto;
    private final int[] cipherSuites;
    private final long handshakeTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int maxAssociations;
    private final int maxQueuedDatagrams;
    private final ThreadPoolExecutor handshakeThreads;

    // Server only.
    private final ServerCredentials credentials;
    private final ServerSessionCache serverSessions;
    private DTLSVerifier cookies;
    private long cookiesSince;

    // Client only.
    private final ClientTls trust;
    private final boolean resumption;
    /** The last session per server, for resumption; event loop only; as bounded as the associations. */
    private final Map<InetSocketAddress, BcDtlsClient.ResumableSession> clientSessions;

    /** Written on the event loop only; concurrent so that {@link #session} and {@link #counters} can read it. */
    private final Map<InetSocketAddress, Association> associations = new ConcurrentHashMap<>();
    /** Decrypted payloads land here before they are copied into a buffer; event loop only. */
    private final byte[] plaintext = new byte[MAX_UDP_PAYLOAD];

    private final ScheduledFuture<?> sweeper;
    private volatile Receiver receiver = (sender, datagram) -> datagram.release();
    private volatile int maxDatagramSize;
    private volatile boolean closed;

    private final LongAdder droppedNoAssociation = new LongAdder();
    private final LongAdder droppedBadRecords = new LongAdder();
    private final LongAdder droppedQueueFull = new LongAdder();
    private final LongAdder droppedOversized = new LongAdder();
    private final LongAdder droppedNotConnected = new LongAdder();
    private final LongAdder droppedAssociationLimit = new LongAdder();
    private final LongAdder helloVerifyRequests = new LongAdder();
    private final LongAdder handshakesSucceeded = new LongAdder();
    private final LongAdder handshakesFailed = new LongAdder();
    private final LongAdder handshakesResumed = new LongAdder();

    private DtlsDatagramLink(
            DatagramLink inner,
            boolean isServer,
            BcTlsCrypto crypto,
            List<DtlsCipherSuite> suites,
            Duration handshakeTimeout,
            Duration idleTimeout,
            int maxAssociations,
            int maxQueuedDatagrams,
            int threads,
            ServerCredentials credentials,
            ServerSessionCache serverSessions,
            ClientTls trust,
            boolean resumption) {
        this.inner = inner;
        this.isServer = isServer;
        this.crypto = crypto;
        this.cipherSuites = DtlsCipherSuite.codes(suites);
        this.handshakeTimeoutNanos = handshakeTimeout.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.maxAssociations = maxAssociations;
        this.maxQueuedDatagrams = maxQueuedDatagrams;
        this.credentials = credentials;
        this.serverSessions = serverSessions;
        this.trust = trust;
        this.resumption = resumption;
        this.clientSessions = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, BcDtlsClient.ResumableSession> e) {
                return size() > DtlsDatagramLink.this.maxAssociations;
            }
        };
        int overhead =
                suites.stream().mapToInt(DtlsCipherSuite::recordOverhead).max().getAsInt();
        this.maxDatagramSize = inner.maxDatagramSize() - overhead;
        if (maxDatagramSize < 1) {
            throw new IllegalArgumentException("the inner link's datagrams (" + inner.maxDatagramSize()
                    + " bytes) cannot hold a DTLS record (" + overhead + " bytes of overhead)");
        }
        if (isServer) {
            this.cookies = new DTLSVerifier(crypto);
            this.cookiesSince = System.nanoTime();
        }
        this.handshakeThreads = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                namedDaemonThreads(isServer ? "vstp-dtls-server-" : "vstp-dtls-client-"));
        handshakeThreads.allowCoreThreadTimeOut(true);
        long sweepMillis = Math.max(50, Math.min(1000, idleTimeout.toMillis() / 4));
        this.sweeper =
                inner.eventLoop().scheduleAtFixedRate(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        inner.receiver(this::receiveRecord);
    }

    /**
     * A DTLS server over {@code inner}: loads (or, self-signed, creates) the certificate as the TCP server does.
     * On success the link owns {@code inner}; on failure the caller still does.
     *
     * @throws TlsConfigException if the certificate cannot be loaded, its key is neither EC nor RSA, or none of
     *     the configured suites fits the key
     * @throws io.vstp.transport.fips.NotFipsApprovedException in FIPS mode (DTLS is not available there)
     */
    public static DtlsDatagramLink server(DatagramLink inner, DtlsServerOptions options) {
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(options, "options");
        refuseInFipsMode();
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        ServerCredentials credentials = ServerCredentials.of(CertifiedKey.forServer(options.tls()), crypto);
        List<DtlsCipherSuite> usable = options.cipherSuites().stream()
                .filter(suite -> suite.isEcdsa() == credentials.isEcdsa())
                .toList();
        if (usable.isEmpty()) {
            throw new TlsConfigException("none of the DTLS cipher suites " + options.cipherSuites() + " works with "
                    + "the server's " + (credentials.isEcdsa() ? "EC" : "RSA") + " key " + credentials.fingerprint());
        }
        DtlsDatagramLink link = new DtlsDatagramLink(
                inner,
                true,
                crypto,
                usable,
                options.handshakeTimeout(),
                options.idleTimeout(),
                options.maxAssociations(),
                options.maxQueuedDatagrams(),
                options.handshakeThreads(),
                credentials,
                new ServerSessionCache(
                        options.sessionCacheSize(), options.sessionLifetime().toNanos()),
                null,
                false);
        LOG.atInfo()
                .setMessage(() -> "DTLS 1.2 server on " + inner.localAddress() + ", certificate "
                        + credentials.fingerprint() + ", suites " + usable)
                .log();
        return link;
    }

    /**
     * A DTLS client over {@code inner}, trusting servers as the TCP client does. On success the link owns
     * {@code inner}; on failure the caller still does.
     *
     * @throws TlsConfigException if the CA file cannot be read
     * @throws io.vstp.transport.fips.NotFipsApprovedException in FIPS mode (DTLS is not available there)
     */
    public static DtlsDatagramLink client(DatagramLink inner, DtlsClientOptions options) {
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(options, "options");
        refuseInFipsMode();
        ClientTls trust = ClientTls.create(options.tls());
        return new DtlsDatagramLink(
                inner,
                false,
                new BcTlsCrypto(new SecureRandom()),
                options.cipherSuites(),
                options.handshakeTimeout(),
                options.idleTimeout(),
                options.maxAssociations(),
                options.maxQueuedDatagrams(),
                options.handshakeThreads(),
                null,
                null,
                trust,
                options.sessionResumption());
    }

    /**
     * Starts a handshake with {@code server}, or joins the one under way, or returns the established session.
     * The future completes on the event loop (use the {@code *Async} methods for work that may block), with an
     * {@link SSLHandshakeException} if the handshake fails or times out, or an {@link IllegalStateException} if
     * {@code maxAssociations} associations exist already or the link is closed.
     *
     * @throws IllegalStateException if this is a server link
     */
    public CompletableFuture<DtlsSessionInfo> connect(InetSocketAddress server) {
        Objects.requireNonNull(server, "server");
        if (isServer) {
            throw new IllegalStateException("a DTLS server link does not connect; clients connect to it");
        }
        CompletableFuture<DtlsSessionInfo> result = new CompletableFuture<>();
        if (server.isUnresolved()) {
            result.completeExceptionally(new IllegalArgumentException("unresolved server address " + server));
            return result;
        }
        onEventLoop(
                () -> {
                    Association association = associations.get(server);
                    if (association == null) {
                        association = startClientHandshake(server);
                    }
                    if (association == null) {
                        result.completeExceptionally(new IllegalStateException(
                                closed
                                        ? "the DTLS link is closed"
                                        : "already " + maxAssociations + " DTLS associations (maxAssociations)"));
                        return;
                    }
                    association.established.whenComplete((info, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                        } else {
                            result.complete(info);
                        }
                    });
                },
                () -> result.completeExceptionally(new IllegalStateException("the DTLS link is closed")));
        return result;
    }

    /**
     * Sends close_notify to {@code peer} and forgets its association (a handshake under way fails). A client
     * keeps the session, so that its next connection to this server resumes it. Nothing happens for an unknown
     * peer. Returns at once.
     */
    public void disconnect(InetSocketAddress peer) {
        Objects.requireNonNull(peer, "peer");
        onEventLoop(
                () -> {
                    Association association = associations.get(peer);
                    if (association != null) {
                        remove(association, true, new SSLException("disconnected from " + peer + " by this side"));
                    }
                },
                () -> {});
    }

    /** The established session with {@code peer}, if there is one. Any thread. */
    public Optional<DtlsSessionInfo> session(InetSocketAddress peer) {
        Association association = associations.get(peer);
        return association == null || association.state != Association.State.ESTABLISHED
                ? Optional.empty()
                : Optional.of(association.session);
    }

    /** What was dropped and how handshakes went, now. Any thread. */
    public DtlsCounters counters() {
        return new DtlsCounters(
                droppedNoAssociation.sum(),
                droppedBadRecords.sum(),
                droppedQueueFull.sum(),
                droppedOversized.sum(),
                droppedNotConnected.sum(),
                droppedAssociationLimit.sum(),
                helloVerifyRequests.sum(),
                handshakesSucceeded.sum(),
                handshakesFailed.sum(),
                handshakesResumed.sum(),
                associations.size());
    }

    /**
     * Encrypts and sends one datagram to {@code peer}; releases {@code datagram} at once (it is copied). Never
     * blocks. On a client, a peer with no association is connected to first (see the class comment); on a server
     * it is dropped and counted, since only clients start associations. Datagrams larger than
     * {@link #maxDatagramSize()} are dropped and counted.
     */
    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(datagram);
        } finally {
            datagram.release();
        }
        onEventLoop(() -> sendOnEventLoop(peer, bytes), droppedNotConnected::increment);
    }

    @Override
    public void receiver(Receiver receiver) {
        this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    /**
     * The inner link's size minus the largest record overhead of the allowed suites; lowered if a handshake
     * reports a smaller send limit ({@code DTLSTransport.getSendLimit()}).
     */
    @Override
    public int maxDatagramSize() {
        return maxDatagramSize;
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public EventLoop eventLoop() {
        return inner.eventLoop();
    }

    /**
     * Sends close_notify to every established peer (best effort: the inner link closes right after), fails
     * handshakes under way, stops the handshake threads and closes the inner link. Call it from outside the
     * event loop.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        onEventLoop(
                () -> {
                    sweeper.cancel(false);
                    for (Association association : new ArrayList<>(associations.values())) {
                        remove(association, true, new SSLException("the DTLS link is closed"));
                    }
                    done.complete(null);
                },
                () -> done.complete(null));
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.atDebug()
                    .setMessage(() -> "DTLS link close did not finish on the event loop: " + e)
                    .log();
        }
        handshakeThreads.shutdownNow();
        try {
            handshakeThreads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inner.close();
    }

    // ---- event loop ----

    /** The inner link's receiver: one datagram of DTLS records. */
    private void receiveRecord(InetSocketAddress sender, ByteBuf datagram) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(datagram);
        } finally {
            datagram.release();
        }
        if (closed) {
            return;
        }
        Association association = associations.get(sender);
        if (association == null) {
            if (isServer) {
                acceptClientHello(sender, bytes, null);
            } else {
                droppedNoAssociation.increment();
            }
            return;
        }
        if (isServer
                && association.state == Association.State.ESTABLISHED
                && DtlsRecords.isClientHello(bytes)
                && !DtlsRecords.hasClientRandom(bytes, association.clientRandom)) {
            acceptClientHello(sender, bytes, association);
            return;
        }
        if (!association.transport.offer(bytes)) {
            droppedQueueFull.increment();
            return;
        }
        if (association.state == Association.State.ESTABLISHED) {
            drain(association);
        }
    }

    /**
     * Server: a datagram from an address with no association, or a new ClientHello from an established one
     * ({@code replacing}). Only a ClientHello with a valid cookie leads to an association; everything else is
     * answered with at most a HelloVerifyRequest, or dropped.
     */
    private void acceptClientHello(InetSocketAddress sender, byte[] datagram, Association replacing) {
        if (!DtlsRecords.isClientHello(datagram)) {
            droppedNoAssociation.increment();
            return;
        }
        if (replacing == null && associations.size() >= maxAssociations) {
            droppedAssociationLimit.increment();
            return;
        }
        HelloVerifySender challenge = new HelloVerifySender(sender);
        DTLSRequest request = cookies.verifyRequest(cookieClientId(sender), datagram, 0, datagram.length, challenge);
        if (request == null) {
            if (!challenge.sent) {
                droppedNoAssociation.increment(); // too malformed for BouncyCastle to answer
            }
            return;
        }
        if (replacing != null) {
            remove(replacing, false, new SSLException("the client at " + sender + " started a new handshake"));
        }
        Association association = newAssociation(sender);
        association.clientRandom = DtlsRecords.clientRandom(datagram);
        associations.put(sender, association);
        submitHandshake(association, () -> runServerHandshake(association, request));
    }

    /** Client: a new association with {@code server} and its handshake; null at the association limit. */
    private Association startClientHandshake(InetSocketAddress server) {
        if (closed) {
            return null;
        }
        if (associations.size() >= maxAssociations) {
            droppedAssociationLimit.increment();
            return null;
        }
        Association association = newAssociation(server);
        associations.put(server, association);
        BcDtlsClient.ResumableSession toResume = resumption ? clientSessions.get(server) : null;
        submitHandshake(association, () -> runClientHandshake(association, toResume));
        return association;
    }

    private Association newAssociation(InetSocketAddress peer) {
        return new Association(
                peer,
                new QueuedDatagramTransport(inner, peer, maxQueuedDatagrams),
                System.nanoTime(),
                handshakeTimeoutNanos,
                maxQueuedDatagrams);
    }

    private void submitHandshake(Association association, Runnable handshake) {
        try {
            association.handshake = handshakeThreads.submit(handshake);
        } catch (RejectedExecutionException e) {
            remove(association, false, new SSLException("the DTLS link is closed"));
        }
    }

    private void sendOnEventLoop(InetSocketAddress peer, byte[] bytes) {
        if (closed) {
            droppedNotConnected.increment();
            return;
        }
        Association association = associations.get(peer);
        if (association != null && association.state == Association.State.ESTABLISHED) {
            encrypt(association, bytes); // checks the association's own limit, which its suite may make larger
            return;
        }
        if (bytes.length > maxDatagramSize) {
            droppedOversized.increment();
            return;
        }
        if (association == null) {
            if (isServer) {
                droppedNotConnected.increment();
                LOG.atDebug()
                        .setMessage(() -> "DTLS server has no association with " + peer + "; datagram dropped")
                        .log();
                return;
            }
            association = startClientHandshake(peer);
            if (association == null) {
                return;
            }
        }
        if (!association.queueSend(bytes)) {
            droppedQueueFull.increment();
        }
    }

    private void encrypt(Association association, byte[] bytes) {
        if (bytes.length > association.sendLimit) {
            droppedOversized.increment();
            return;
        }
        try {
            if (bytes.length == 0) {
                association.dtls.send(EMPTY_PLAINTEXT, 0, 0); // BouncyCastle refuses an offset into an empty array
            } else {
                association.dtls.send(bytes, 0, bytes.length);
            }
            association.lastActivity = System.nanoTime();
        } catch (IOException | RuntimeException e) {
            droppedNotConnected.increment();
            remove(association, false, e);
        }
    }

    /**
     * Runs the established record layer over everything queued for {@code association}: application data goes to
     * the receiver; retransmitted handshake records get our last flight again; alerts end the association.
     */
    private void drain(Association association) {
        while (association.state == Association.State.ESTABLISHED) {
            int length;
            try {
                // waitMillis 1, not 0 (forever): the transport never waits, and a bug there must not hang the loop.
                length = association.dtls.receive(plaintext, 0, plaintext.length, 1, association.transport);
            } catch (QueuedDatagramTransport.NothingQueued e) {
                break;
            } catch (IOException | RuntimeException e) {
                remove(association, false, e);
                break;
            }
            if (length >= 0) {
                association.lastActivity = System.nanoTime();
                deliver(association.peer, length);
            }
        }
        // close_notify or a fatal alert: BouncyCastle has answered it and closed the record layer.
        if (association.state == Association.State.ESTABLISHED
                && (association.peerClosed || association.transport.isClosed())) {
            remove(association, false, new SSLException("closed by the peer " + association.peer));
        }
        int unauthenticated = association.transport.takeUnaccepted();
        if (unauthenticated > 0) {
            droppedBadRecords.add(unauthenticated);
            LOG.atDebug()
                    .setMessage(() -> unauthenticated + " DTLS datagram(s) from " + association.peer
                            + " held no authentic record; dropped")
                    .log();
        }
    }

    private void deliver(InetSocketAddress peer, int length) {
        ByteBuf datagram = ByteBufAllocator.DEFAULT.buffer(length).writeBytes(plaintext, 0, length);
        try {
            receiver.receive(peer, datagram);
        } catch (RuntimeException e) {
            // A bug above us, not bad input: say so, once per datagram, and keep the association.
            LOG.warn("the receiver of a DTLS link threw on a datagram from {}", peer, e);
        }
    }

    private void handshakeSucceeded(
            Association association,
            DTLSTransport dtls,
            DtlsSessionInfo info,
            int sendLimit,
            BcDtlsClient.ResumableSession resumable) {
        if (associations.get(association.peer) != association) {
            closeQuietly(dtls); // closed or replaced while the handshake ran; remove() has failed its future
            return;
        }
        association.dtls = dtls;
        association.sendLimit = sendLimit;
        association.session = info;
        association.lastActivity = System.nanoTime();
        association.transport.nonBlocking();
        association.state = Association.State.ESTABLISHED;
        handshakesSucceeded.increment();
        if (info.resumed()) {
            handshakesResumed.increment();
        }
        if (sendLimit < maxDatagramSize) {
            maxDatagramSize = sendLimit;
        }
        if (!isServer && resumable != null) {
            clientSessions.put(association.peer, resumable);
        }
        LOG.atDebug()
                .setMessage(() -> "DTLS association with " + association.peer + ": " + info)
                .log();
        // If one of these fails, remove() discards (and counts) the rest, and the loop ends.
        for (byte[] pending = association.pollPendingSend(); pending != null; pending = association.pollPendingSend()) {
            encrypt(association, pending);
        }
        association.established.complete(info);
        drain(association);
    }

    private void handshakeFailed(Association association, Exception failure) {
        if (associations.get(association.peer) == association) {
            remove(association, false, failure);
        } else {
            association.established.completeExceptionally(handshakeException(association, failure));
        }
    }

    /**
     * Forgets an association: optionally says close_notify, fails its handshake (counted) if one is under way,
     * and drops what waited to be sent.
     */
    private void remove(Association association, boolean sayGoodbye, Throwable cause) {
        associations.remove(association.peer, association);
        Association.State was = association.state;
        association.state = Association.State.CLOSED;
        if (was == Association.State.ESTABLISHED && sayGoodbye && !association.transport.isClosed()) {
            closeQuietly(association.dtls);
        }
        association.transport.close();
        if (association.handshake != null && was == Association.State.HANDSHAKING) {
            association.handshake.cancel(true);
        }
        droppedNotConnected.add(association.discardPendingSends());
        if (was == Association.State.HANDSHAKING) {
            handshakesFailed.increment();
            if (!isServer) {
                clientSessions.remove(association.peer); // a session that failed to resume is not offered again
            }
            SSLHandshakeException failure = handshakeException(association, cause);
            LOG.atDebug().setMessage(failure::getMessage).log();
            association.established.completeExceptionally(failure);
        } else if (was == Association.State.ESTABLISHED) {
            LOG.atDebug()
                    .setMessage(() -> "DTLS association with " + association.peer + " ended: " + describe(cause))
                    .log();
        }
    }

    /** Idle expiry, handshakes that never got a thread, and the cookie secret's rotation. */
    private void sweep() {
        long now = System.nanoTime();
        for (Association association : new ArrayList<>(associations.values())) {
            if (association.state == Association.State.ESTABLISHED
                    && now - association.lastActivity > idleTimeoutNanos) {
                remove(association, true, new SSLException("idle for " + Duration.ofNanos(idleTimeoutNanos)));
            } else if (association.state == Association.State.HANDSHAKING
                    && now - association.handshakeDeadline > HANDSHAKE_GRACE_NANOS) {
                remove(association, false, new TlsTimeoutException("handshake not finished in time"));
            }
        }
        if (isServer && now - cookiesSince > COOKIE_SECRET_LIFETIME.toNanos()) {
            cookies = new DTLSVerifier(crypto);
            cookiesSince = now;
        }
    }

    // ---- handshake threads ----

    private void runServerHandshake(Association association, DTLSRequest request) {
        BcDtlsServer server = new BcDtlsServer(
                crypto, credentials, cipherSuites, serverSessions, association.remainingHandshakeMillis(), association);
        try {
            if (association.remainingHandshakeMillis() <= 0) {
                throw new TlsTimeoutException("no handshake thread was free before the handshake timeout");
            }
            DTLSTransport dtls = new DTLSServerProtocol().accept(server, association.transport, request);
            DtlsSessionInfo info = server.negotiated();
            int sendLimit = dtls.getSendLimit();
            onEventLoop(() -> handshakeSucceeded(association, dtls, info, sendLimit, null), () -> closeQuietly(dtls));
        } catch (IOException | RuntimeException e) {
            onEventLoop(() -> handshakeFailed(association, e), () -> {});
        }
    }

    private void runClientHandshake(Association association, BcDtlsClient.ResumableSession toResume) {
        BcDtlsClient client = new BcDtlsClient(
                crypto,
                cipherSuites,
                trust,
                association.peer.getHostString(),
                association.peer.getPort(),
                toResume,
                association.remainingHandshakeMillis(),
                association);
        try {
            if (association.remainingHandshakeMillis() <= 0) {
                throw new TlsTimeoutException("no handshake thread was free before the handshake timeout");
            }
            DTLSTransport dtls = new DTLSClientProtocol().connect(client, association.transport);
            DtlsSessionInfo info = client.negotiated();
            int sendLimit = dtls.getSendLimit();
            BcDtlsClient.ResumableSession resumable = client.resumable();
            onEventLoop(
                    () -> handshakeSucceeded(association, dtls, info, sendLimit, resumable), () -> closeQuietly(dtls));
        } catch (IOException | RuntimeException e) {
            onEventLoop(
                    () -> handshakeFailed(association, e),
                    () -> association.established.completeExceptionally(handshakeException(association, e)));
        }
    }

    // ---- helpers ----

    /** Runs {@code task} on the event loop (now, if already there); {@code ifClosed} if the loop is gone. */
    private void onEventLoop(Runnable task, Runnable ifClosed) {
        EventLoop loop = inner.eventLoop();
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            ifClosed.run();
        }
    }

    private SSLHandshakeException handshakeException(Association association, Throwable cause) {
        Optional<CertificateVerificationException> refusal = CertificateVerificationException.findIn(cause);
        String why = refusal.map(Throwable::getMessage).orElseGet(() -> describe(cause));
        SSLHandshakeException exception =
                new SSLHandshakeException("DTLS handshake with " + association.peer + " failed: " + why);
        exception.initCause(cause);
        return exception;
    }

    /** One line on why an association failed, without a stack trace. */
    private String describe(Throwable cause) {
        if (cause instanceof TlsFatalAlertReceived received) {
            return "the peer sent the alert " + AlertDescription.getText(received.getAlertDescription());
        }
        if (cause instanceof TlsTimeoutException) {
            return "no answer within the handshake timeout of " + Duration.ofNanos(handshakeTimeoutNanos) + " ("
                    + cause.getMessage() + ")";
        }
        if (cause instanceof TlsFatalAlert alert) {
            return "alert " + AlertDescription.getText(alert.getAlertDescription())
                    + (alert.getMessage() != null ? ": " + alert.getMessage() : "");
        }
        return cause == null ? "unknown" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /**
     * DTLS here runs on BouncyCastle's lightweight crypto ({@code BcTlsCrypto}), which is not part of the FIPS
     * module (the FIPS TLS jar does not even contain it); moving it onto the JCA crypto of the FIPS provider is
     * possible but not done, so FIPS mode has no UDP rather than an unvalidated one.
     */
    static void refuseInFipsMode() {
        io.vstp.transport.fips.FipsMode.refuse(
                "DTLS (UDP)",
                "VSTP's DTLS runs on BouncyCastle's lightweight TLS crypto, "
                        + "outside the FIPS module; use TCP, which runs TLS 1.3 on the FIPS module");
    }

    /** What the cookie is bound to besides the ClientHello: the address and port it came from. */
    private static byte[] cookieClientId(InetSocketAddress sender) {
        byte[] address = sender.getAddress().getAddress();
        byte[] id = new byte[address.length + 2];
        System.arraycopy(address, 0, id, 0, address.length);
        id[address.length] = (byte) (sender.getPort() >>> 8);
        id[address.length + 1] = (byte) sender.getPort();
        return id;
    }

    private static void closeQuietly(DTLSTransport dtls) {
        if (dtls == null) {
            return;
        }
        try {
            dtls.close();
        } catch (IOException | RuntimeException e) {
            // close_notify is a courtesy; the association is gone either way
        }
    }

    private static ThreadFactory namedDaemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "handshake-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Sends the server's HelloVerifyRequest straight to the inner link, and notes that it did. */
    private final class HelloVerifySender implements DatagramSender {
        private final InetSocketAddress peer;
        private boolean sent;

        HelloVerifySender(InetSocketAddress peer) {
            this.peer = peer;
        }

        @Override
        public int getSendLimit() {
            return inner.maxDatagramSize();
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            sent = true;
            helloVerifyRequests.increment();
            inner.send(peer, ByteBufAllocator.DEFAULT.buffer(len).writeBytes(buf, off, len));
        }
    }
}
