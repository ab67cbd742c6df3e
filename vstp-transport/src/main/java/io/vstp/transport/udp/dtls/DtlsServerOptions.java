package io.vstp.transport.udp.dtls;

import io.vstp.transport.tls.TlsConfigException;
import io.vstp.transport.tls.TlsServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link DtlsDatagramLink#server DTLS server} runs: the certificate (the same {@link TlsServerOptions} as
 * the TCP transport: self-signed under the VSTP home, or PEM files), the suites it accepts, and its limits.
 * Immutable; build with {@link #builder()}.
 */
public final class DtlsServerOptions {
    /** As long as the TCP transport allows; generous for a few round trips with retransmissions (1 s, 2 s, 4 s). */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** An association unused this long is forgotten; the peer's next datagram then needs a new handshake. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Bounds memory (a few KiB per association) and handshake work that clients with valid cookies can cause. */
    public static final int DEFAULT_MAX_ASSOCIATIONS = 1024;
    /**
     * Datagrams waiting per association (inbound while its handshake runs, outbound while a client connects).
     * A handshake flight is a handful of datagrams; 64 also absorbs a burst sent right behind {@code connect}.
     */
    public static final int DEFAULT_MAX_QUEUED_DATAGRAMS = 64;
    /**
     * Threads that run handshakes (BouncyCastle's DTLS handshake blocks its thread while it waits for the peer).
     * More handshakes than this wait their turn, within their timeout.
     */
    public static final int DEFAULT_HANDSHAKE_THREADS = 4;
    /** Sessions kept for resumption; about 200 bytes each. Zero turns resumption off. */
    public static final int DEFAULT_SESSION_CACHE_SIZE = 4096;
    /** How long a session can be resumed after its full handshake (RFC 5246 §F.1.4 suggests at most 24 h). */
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(1);

    private final TlsServerOptions tls;
    private final List<DtlsCipherSuite> cipherSuites;
    private final Duration handshakeTimeout;
    private final Duration idleTimeout;
    private final int maxAssociations;
    private final int maxQueuedDatagrams;
    private final int handshakeThreads;
    private final int sessionCacheSize;
    private final Duration sessionLifetime;

    private DtlsServerOptions(Builder b) {
        this.tls = b.tls;
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.handshakeTimeout = b.handshakeTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxAssociations = b.maxAssociations;
        this.maxQueuedDatagrams = b.maxQueuedDatagrams;
        this.handshakeThreads = b.handshakeThreads;
        this.sessionCacheSize = b.sessionCacheSize;
        this.sessionLifetime = b.sessionLifetime;
    }

    /** The defaults, with the self-signed certificate under the default VSTP home. */
    public static DtlsServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public TlsServerOptions tls() {
        return tls;
    }

    /** The suites accepted, in the order given (the client's order decides among them). */
    public List<DtlsCipherSuite> cipherSuites() {
        return cipherSuites;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public int maxAssociations() {
        return maxAssociations;
    }

    public int maxQueuedDatagrams() {
        return maxQueuedDatagrams;
    }

    public int handshakeThreads() {
        return handshakeThreads;
    }

    public int sessionCacheSize() {
        return sessionCacheSize;
    }

    public Duration sessionLifetime() {
        return sessionLifetime;
    }

    @Override
    public String toString() {
        return "DtlsServerOptions[" + tls + ", suites=" + cipherSuites + ", handshakeTimeout=" + handshakeTimeout
                + ", idleTimeout=" + idleTimeout + ", maxAssociations=" + maxAssociations + ", maxQueued="
                + maxQueuedDatagrams + ", handshakeThreads=" + handshakeThreads + ", sessionCache="
                + sessionCacheSize + ", sessionLifetime=" + sessionLifetime + "]";
    }

    public static final class Builder {
        private TlsServerOptions tls;
        private List<DtlsCipherSuite> cipherSuites = DtlsCipherSuite.DEFAULTS;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxAssociations = DEFAULT_MAX_ASSOCIATIONS;
        private int maxQueuedDatagrams = DEFAULT_MAX_QUEUED_DATAGRAMS;
        private int handshakeThreads = DEFAULT_HANDSHAKE_THREADS;
        private int sessionCacheSize = DEFAULT_SESSION_CACHE_SIZE;
        private Duration sessionLifetime = DEFAULT_SESSION_LIFETIME;

        private Builder() {}

        /** The certificate, as for TCP; {@link TlsServerOptions#defaults()} if not set. */
        public Builder tls(TlsServerOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The suites accepted; {@link DtlsCipherSuite#DEFAULTS} if not set. */
        public Builder cipherSuites(List<DtlsCipherSuite> suites) {
            this.cipherSuites = List.copyOf(suites);
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder maxAssociations(int max) {
            this.maxAssociations = max;
            return this;
        }

        public Builder maxQueuedDatagrams(int max) {
            this.maxQueuedDatagrams = max;
            return this;
        }

        public Builder handshakeThreads(int threads) {
            this.handshakeThreads = threads;
            return this;
        }

        /** Sessions kept for resumption; 0 turns resumption off. */
        public Builder sessionCacheSize(int size) {
            this.sessionCacheSize = size;
            return this;
        }

        public Builder sessionLifetime(Duration lifetime) {
            this.sessionLifetime = Objects.requireNonNull(lifetime, "lifetime");
            return this;
        }

        /**
         * @throws TlsConfigException if a client CA is configured (mutual authentication is not implemented for
         *     DTLS yet, and silently accepting every client would be worse than refusing to start)
         * @throws IllegalArgumentException if a limit is out of range or no suite is given
         */
        public DtlsServerOptions build() {
            if (tls == null) {
                tls = TlsServerOptions.defaults();
            }
            if (tls.clientCaFile().isPresent()) {
                throw new TlsConfigException("client certificates (clientCaFile "
                        + tls.clientCaFile().get()
                        + ") are not supported over DTLS yet; remove the client CA for the UDP transport");
            }
            DtlsClientOptions.checkCommon(
                    cipherSuites, handshakeTimeout, idleTimeout, maxAssociations, maxQueuedDatagrams, handshakeThreads);
            if (sessionCacheSize < 0) {
                throw new IllegalArgumentException("sessionCacheSize must not be negative, got " + sessionCacheSize);
            }
            DtlsClientOptions.checkPositive("sessionLifetime", sessionLifetime);
            return new DtlsServerOptions(this);
        }
    }
}
