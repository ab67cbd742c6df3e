package io.vstp.transport.udp.dtls;

import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link DtlsDatagramLink#client DTLS client} runs: how it trusts servers (the same {@link TlsClientOptions}
 * as the TCP transport: system CAs, a CA file, pins, {@code known_hosts} with trust on first use), the suites it
 * offers, and its limits. Immutable; build with {@link #builder()}. Defaults are those of
 * {@link DtlsServerOptions}.
 */
public final class DtlsClientOptions {
    private final TlsClientOptions tls;
    private final List<DtlsCipherSuite> cipherSuites;
    private final Duration handshakeTimeout;
    private final Duration idleTimeout;
    private final int maxAssociations;
    private final int maxQueuedDatagrams;
    private final int handshakeThreads;
    private final boolean sessionResumption;

    private DtlsClientOptions(Builder b) {
        this.tls = b.tls;
        this.cipherSuites = List.copyOf(b.cipherSuites);
        this.handshakeTimeout = b.handshakeTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxAssociations = b.maxAssociations;
        this.maxQueuedDatagrams = b.maxQueuedDatagrams;
        this.handshakeThreads = b.handshakeThreads;
        this.sessionResumption = b.sessionResumption;
    }

    /** The defaults, trusting servers as {@link TlsClientOptions#defaults()} does. */
    public static DtlsClientOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public TlsClientOptions tls() {
        return tls;
    }

    /** The suites offered, most preferred first. */
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

    /** Whether a reconnect to a server offers the session of the last connection to it (default true). */
    public boolean sessionResumption() {
        return sessionResumption;
    }

    @Override
    public String toString() {
        return "DtlsClientOptions[" + tls + ", suites=" + cipherSuites + ", handshakeTimeout=" + handshakeTimeout
                + ", idleTimeout=" + idleTimeout + ", maxAssociations=" + maxAssociations + ", maxQueued="
                + maxQueuedDatagrams + ", handshakeThreads=" + handshakeThreads + ", resumption="
                + sessionResumption + "]";
    }

    static void checkCommon(
            List<DtlsCipherSuite> suites,
            Duration handshakeTimeout,
            Duration idleTimeout,
            int maxAssociations,
            int maxQueuedDatagrams,
            int handshakeThreads) {
        if (suites.isEmpty()) {
            throw new IllegalArgumentException("at least one cipher suite is needed");
        }
        checkPositive("handshakeTimeout", handshakeTimeout);
        checkPositive("idleTimeout", idleTimeout);
        if (handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("handshakeTimeout must be under 24 days, got " + handshakeTimeout);
        }
        checkAtLeastOne("maxAssociations", maxAssociations);
        checkAtLeastOne("maxQueuedDatagrams", maxQueuedDatagrams);
        checkAtLeastOne("handshakeThreads", handshakeThreads);
    }

    static void checkPositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void checkAtLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    public static final class Builder {
        private TlsClientOptions tls;
        private List<DtlsCipherSuite> cipherSuites = DtlsCipherSuite.DEFAULTS;
        private Duration handshakeTimeout = DtlsServerOptions.DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration idleTimeout = DtlsServerOptions.DEFAULT_IDLE_TIMEOUT;
        private int maxAssociations = DtlsServerOptions.DEFAULT_MAX_ASSOCIATIONS;
        private int maxQueuedDatagrams = DtlsServerOptions.DEFAULT_MAX_QUEUED_DATAGRAMS;
        private int handshakeThreads = DtlsServerOptions.DEFAULT_HANDSHAKE_THREADS;
        private boolean sessionResumption = true;

        private Builder() {}

        /** How servers are trusted, as for TCP; {@link TlsClientOptions#defaults()} if not set. */
        public Builder tls(TlsClientOptions tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The suites offered, most preferred first; {@link DtlsCipherSuite#DEFAULTS} if not set. */
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

        public Builder sessionResumption(boolean enabled) {
            this.sessionResumption = enabled;
            return this;
        }

        /**
         * @throws TlsConfigException if a client certificate is configured (not supported over DTLS yet)
         * @throws IllegalArgumentException if a limit is out of range or no suite is given
         */
        public DtlsClientOptions build() {
            if (tls == null) {
                tls = TlsClientOptions.defaults();
            }
            if (tls.certificateChainFile().isPresent()) {
                throw new TlsConfigException(
                        "client certificates (" + tls.certificateChainFile().get()
                                + ") are not supported over DTLS yet; remove them for the UDP transport");
            }
            checkCommon(
                    cipherSuites, handshakeTimeout, idleTimeout, maxAssociations, maxQueuedDatagrams, handshakeThreads);
            return new DtlsClientOptions(this);
        }
    }
}
