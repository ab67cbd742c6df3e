package io.vstp.transport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS 1.3 for a VSTP server: makes an {@link SslHandler} for every accepted connection.
 *
 * <p><b>Lifecycle.</b> {@link #create(TlsServerOptions)} loads (or, with no certificate configured, generates and
 * stores) the certificate and builds the TLS context once; it fails fast with a {@link TlsConfigException}. After
 * that, {@link #newHandler(ByteBufAllocator)} is cheap and thread-safe. Nothing needs closing.
 *
 * <p><b>Reload.</b> With configured PEM files, {@code newHandler} looks at their modification time, size and
 * file key at most once per {@link TlsServerOptions#reloadCheckInterval()}; when they changed it builds a new
 * context on the calling thread and new connections use it, while open connections keep theirs. If the new files
 * are broken (unreadable, half written, key and certificate not matching), the old context stays, the error is
 * logged once per change and kept in {@link #lastReloadFailure()}: a bad deployment never stops the service.
 *
 * <p><b>Session tickets.</b> With the OpenSSL provider, the keys that seal TLS 1.3 session tickets are this
 * server's from {@code create} on, and are replaced every {@link TlsServerOptions#sessionTicketKeyRotation()}
 * once {@link #scheduleSessionTicketKeyRotation} runs the rotation on a scheduler.
 * {@link io.vstp.transport.VstpServer} uses one of its event loops, so rotation stops with the server; a
 * {@code ServerTls} serving another pipeline must schedule it too, or its first key seals tickets for as long
 * as it runs. A reloaded certificate starts with a fresh key and none of the old ones: a client holding a ticket
 * then makes a full handshake and checks the new certificate, instead of resuming a session that the replaced
 * one authenticated (it may have been replaced because it leaked). The JDK provider keeps its own ticket keys;
 * {@link #sessionTicketKeyRotation()} is then empty.
 *
 * <p><b>Errors.</b> Messages name files and fingerprints, never key material.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class.getPackageName());

    private final TlsServerOptions options;
    private final TlsProvider provider;
    private final long reloadCheckNanos;
    private final AtomicLong nextReloadCheck;
    private volatile Loaded current;
    private volatile List<FileStamp> failedStamps = List.of();
    private volatile String lastReloadFailure;
    /** Null when the JDK provider or the TLS library's own keys are in use. */
    private final SessionTicketKeys ticketKeys;
    /** Held while keys change and while a reloaded context takes over, so no context misses a rotation. */
    private final Object ticketKeyLock = new Object();

    private final AtomicBoolean rotationScheduled = new AtomicBoolean();

    /** A built context and what it was built from. */
    private record Loaded(SslContext context, CertifiedKey certifiedKey, String fingerprint, List<FileStamp> stamps) {}

    /** Enough to notice a replaced file: in-place rewrites change mtime or size, renames change the file key. */
    private record FileStamp(Path file, Instant modified, long size, Object fileKey) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(
                    file, attributes.lastModifiedTime().toInstant(), attributes.size(), attributes.fileKey());
        }
    }

    private ServerTls(TlsServerOptions options, TlsProvider provider) {
        this.options = options;
        this.provider = provider;
        this.reloadCheckNanos = options.reloadCheckInterval().toNanos();
        this.nextReloadCheck = new AtomicLong(System.nanoTime() + reloadCheckNanos);
        this.ticketKeys = provider == TlsProvider.OPENSSL
                        && !options.sessionTicketKeyRotation().isZero()
                ? new SessionTicketKeys(new SecureRandom())
                : null;
    }

    /**
     * Sets up server TLS from {@code options}.
     *
     * @throws TlsConfigException if a file is missing or unreadable, the key does not match the certificate, the
     *     forced provider is unavailable, or the home directory cannot hold a generated certificate
     * @throws io.vstp.transport.fips.NotFipsApprovedException in FIPS mode, if the options ask for a provider, cipher
     *     suite or key-exchange group that FIPS mode does not have
     */
    public static ServerTls create(TlsServerOptions options) {
        Objects.requireNonNull(options, "options");
        ServerTls tls =
                new ServerTls(options, TlsProvider.select(options.provider().orElse(null)));
        List<FileStamp> stamps;
        try {
            stamps = tls.stampConfiguredFiles();
        } catch (IOException e) {
            // load() below fails with a message naming the file; if it does not (the file appeared meanwhile),
            // empty stamps make the first reload check read the files again.
            stamps = List.of();
        }
        Loaded loaded = tls.load(stamps);
        if (tls.ticketKeys != null) {
            tls.ticketKeys.installOn(loaded.context());
        }
        tls.current = loaded;
        LOG.atInfo()
                .setMessage(() -> "server TLS 1.3 with " + tls.provider.displayName() + ", certificate "
                        + loaded.fingerprint()
                        + (options.isSelfSigned()
                                ? " (self-signed, " + options.selfSignedCertificateFile() + ")"
                                : " (" + options.certificateChainFile().get() + ")")
                        + (options.clientCaFile().isPresent() ? ", client certificates required" : "") + ", "
                        + tls.describeTicketKeys())
                .log();
        if (tls.provider != TlsProvider.OPENSSL
                && !options.sessionTicketKeyRotation().isZero()
                && !options.sessionTicketKeyRotation().equals(TlsServerOptions.DEFAULT_SESSION_TICKET_KEY_ROTATION)) {
            LOG.warn(
                    "session ticket key rotation every {} is not applied: the {} TLS provider keeps its own ticket"
                            + " keys{}",
                    options.sessionTicketKeyRotation(),
                    tls.provider.displayName(),
                    tls.provider == TlsProvider.JDK ? " (jdk.tls.server.statelessKeyTimeout)" : "");
        }
        return tls;
    }

    /**
     * A new server-side handler for one connection, using the newest certificate. Put it first in the pipeline.
     * May reload configured files first (see the class comment); never throws because of them.
     */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        reloadIfDue();
        return current.context().newHandler(alloc);
    }

    /** {@code sha256:…} of the leaf certificate new connections get. */
    public String certificateFingerprint() {
        return current.fingerprint();
    }

    /** The certificate chain (leaf first) new connections get. */
    public List<X509Certificate> certificateChain() {
        return current.certifiedKey().chain();
    }

    /** {@code "OpenSSL"}, {@code "JDK"}, {@code "BCJSSE"} or, in FIPS mode, {@code "BCJSSE FIPS"}. */
    public String provider() {
        return provider.displayName();
    }

    /** Whether clients must present a certificate issued by the configured client CA. */
    public boolean requiresClientCertificate() {
        return options.clientCaFile().isPresent();
    }

    public TlsServerOptions options() {
        return options;
    }

    /**
     * How often this server replaces its session-ticket key; empty when the keys are the TLS library's own (the
     * JDK provider, or a zero rotation period).
     */
    public Optional<Duration> sessionTicketKeyRotation() {
        return ticketKeys != null ? Optional.of(options.sessionTicketKeyRotation()) : Optional.empty();
    }

    /** How often the session-ticket key was replaced since start. */
    public long sessionTicketKeyRotations() {
        if (ticketKeys == null) {
            return 0;
        }
        synchronized (ticketKeyLock) {
            return ticketKeys.rotations();
        }
    }

    /**
     * Replaces the session-ticket key every {@link #sessionTicketKeyRotation()} on {@code executor}, until the
     * executor shuts down. Does nothing when the keys are the TLS library's own.
     *
     * @throws IllegalStateException if rotation was already scheduled: two schedules would halve the period
     */
    public void scheduleSessionTicketKeyRotation(ScheduledExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        if (ticketKeys == null) {
            return;
        }
        if (!rotationScheduled.compareAndSet(false, true)) {
            throw new IllegalStateException("session ticket key rotation is already scheduled");
        }
        long periodNanos = options.sessionTicketKeyRotation().toNanos();
        executor.scheduleAtFixedRate(
                () -> {
                    try {
                        rotateSessionTicketKeys();
                    } catch (RuntimeException e) {
                        // A periodic task that throws is never run again: log, and try again next period.
                        LOG.warn("cannot rotate the session ticket key; the current one stays", e);
                    }
                },
                periodNanos,
                periodNanos,
                TimeUnit.NANOSECONDS);
    }

    /** One rotation now, as the schedule makes it; tests call it instead of waiting a period. */
    void rotateSessionTicketKeys() {
        if (ticketKeys == null) {
            throw new IllegalStateException("no session ticket keys of our own with " + provider.displayName()
                    + " and rotation " + options.sessionTicketKeyRotation());
        }
        long rotations;
        synchronized (ticketKeyLock) {
            ticketKeys.rotate();
            ticketKeys.installOn(current.context());
            rotations = ticketKeys.rotations();
        }
        LOG.atDebug()
                .setMessage(() -> "session ticket key rotated (" + rotations + " since start)")
                .log();
    }

    /** BoringSSL's session counters of the context new connections get, ticket outcomes included. */
    OpenSslSessionStats openSslSessionStats() {
        return ((OpenSslSessionContext) current.context().sessionContext()).stats();
    }

    private String describeTicketKeys() {
        if (ticketKeys != null) {
            return "session ticket key rotated every " + options.sessionTicketKeyRotation();
        }
        switch (provider) {
            case JDK:
                return "session ticket keys rotated by the JDK (jdk.tls.server.statelessKeyTimeout)";
            case OPENSSL:
                return "session ticket keys rotated by BoringSSL (every two days)";
            default:
                return "session ticket keys kept by " + provider.displayName();
        }
    }

    /** Why the last attempt to load changed files failed, if it did and no later attempt succeeded. */
    public Optional<String> lastReloadFailure() {
        return Optional.ofNullable(lastReloadFailure);
    }

    private void reloadIfDue() {
        if (options.isSelfSigned()) {
            return; // our own files, written by us only at startup
        }
        long due = nextReloadCheck.get();
        long now = System.nanoTime();
        if (now - due < 0 || !nextReloadCheck.compareAndSet(due, now + reloadCheckNanos)) {
            return; // not yet, or another thread is checking
        }
        List<FileStamp> stamps;
        try {
            stamps = stampConfiguredFiles();
        } catch (IOException e) {
            // Mid-replacement (deleted, not yet recreated) is normal; if it persists, the failure says so.
            recordReloadFailure(List.of(), "cannot read TLS files: " + PemFiles.describe(e));
            return;
        }
        if (stamps.equals(current.stamps())) {
            if (lastReloadFailure != null) {
                // The files are back as they were when loaded (e.g. a failed edit was reverted).
                failedStamps = List.of();
                lastReloadFailure = null;
            }
            return;
        }
        if (stamps.equals(failedStamps)) {
            return;
        }
        // Stamps are taken before reading: a change that lands while we read is seen by the next check.
        try {
            Loaded previous = current;
            Loaded reloaded = load(stamps);
            if (ticketKeys != null) {
                synchronized (ticketKeyLock) {
                    ticketKeys.replaceAll();
                    ticketKeys.installOn(reloaded.context());
                    current = reloaded;
                }
            } else {
                current = reloaded;
            }
            failedStamps = List.of();
            lastReloadFailure = null;
            LOG.atInfo()
                    .setMessage(() -> "reloaded server TLS certificate: " + previous.fingerprint() + " -> "
                            + reloaded.fingerprint() + " from "
                            + options.certificateChainFile().get())
                    .log();
        } catch (TlsConfigException e) {
            recordReloadFailure(stamps, e.getMessage());
        }
    }

    private void recordReloadFailure(List<FileStamp> stamps, String failure) {
        if (!failure.equals(lastReloadFailure) || !stamps.equals(failedStamps)) {
            LOG.warn(
                    "keeping server TLS certificate {}; the changed files cannot be used: {}",
                    current.fingerprint(),
                    failure);
        }
        failedStamps = stamps;
        lastReloadFailure = failure;
    }

    private List<FileStamp> stampConfiguredFiles() throws IOException {
        List<FileStamp> stamps = new ArrayList<>(3);
        if (!options.isSelfSigned()) {
            stamps.add(FileStamp.of(options.certificateChainFile().get()));
            stamps.add(FileStamp.of(options.privateKeyFile().get()));
        }
        if (options.clientCaFile().isPresent()) {
            stamps.add(FileStamp.of(options.clientCaFile().get()));
        }
        return stamps;
    }

    private Loaded load(List<FileStamp> stamps) {
        CertifiedKey certifiedKey = CertifiedKey.forServer(options);
        provider.requireUsable(
                certifiedKey,
                "the server certificate "
                        + (options.isSelfSigned()
                                ? options.selfSignedCertificateFile()
                                : options.certificateChainFile().get()));
        // BouncyCastle providers: no PKCS#12 key store in between (see CertifiedKeyManager).
        SslContextBuilder builder = provider.takesKeysDirectly()
                ? SslContextBuilder.forServer(new CertifiedKeyManager(certifiedKey))
                : SslContextBuilder.forServer(certifiedKey.key(), certifiedKey.chain());
        TlsContexts.configure(builder, provider, options.cipherSuites(), options.groups());
        if (options.clientCaFile().isPresent()) {
            List<X509Certificate> clientCas =
                    PemFiles.readCertificates(options.clientCaFile().get());
            if (provider == TlsProvider.BOUNCY_CASTLE) {
                // Chains checked by BouncyCastle's PKIX, which also verifies ML-DSA signatures.
                try {
                    builder.trustManager(ClientTls.trustManager(clientCas, BouncyCastleJsse.jsse()));
                } catch (java.security.GeneralSecurityException | IOException e) {
                    throw new TlsConfigException(
                            "cannot set up client CA trust with "
                                    + options.clientCaFile().get() + ": " + e.getMessage(),
                            e);
                }
            } else {
                builder.trustManager(clientCas);
            }
            builder.clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return new Loaded(builder.build(), certifiedKey, certifiedKey.fingerprint(), List.copyOf(stamps));
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException(
                    "cannot build the server TLS context (" + provider.displayName() + ") for " + certifiedKey + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
