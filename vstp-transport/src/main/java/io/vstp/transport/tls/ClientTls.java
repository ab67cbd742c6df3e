package io.vstp.transport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS 1.3 for a VSTP client: makes an {@link SslHandler} for every connection, verifying the server as
 * {@link TlsClientOptions} describes (validity, pins, CA and host name, {@code known_hosts} with trust on first
 * use).
 *
 * <p><b>Lifecycle.</b> {@link #create(TlsClientOptions)} reads the CA and client certificate files and builds the
 * context once; {@link #newHandler} is then cheap and thread-safe. Nothing needs closing.
 *
 * <p><b>Errors.</b> A refused server fails the handshake with an {@link javax.net.ssl.SSLHandshakeException} (with
 * BCJSSE, its parent {@link SSLException}) whose cause chain holds a {@link CertificateVerificationException}
 * with a readable message; {@link CertificateVerificationException#findIn(Throwable)} finds it.
 */
public final class ClientTls {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class.getPackageName());

    private final TlsClientOptions options;
    private final TlsProvider provider;
    private final SslContext context;
    private final ServerCertificateVerifier verifier;
    private final String clientCertificateFingerprint;

    private ClientTls(
            TlsClientOptions options,
            TlsProvider provider,
            SslContext context,
            ServerCertificateVerifier verifier,
            String clientCertificateFingerprint) {
        this.options = options;
        this.provider = provider;
        this.context = context;
        this.verifier = verifier;
        this.clientCertificateFingerprint = clientCertificateFingerprint;
    }

    /**
     * Sets up client TLS from {@code options}.
     *
     * @throws TlsConfigException if the CA or client certificate files cannot be read, the client key does not
     *     match its certificate, or the forced provider is unavailable
     * @throws io.vstp.transport.fips.NotFipsApprovedException in FIPS mode, if the options ask for a provider, cipher
     *     suite or key-exchange group that FIPS mode does not have
     */
    public static ClientTls create(TlsClientOptions options) {
        Objects.requireNonNull(options, "options");
        TlsProvider provider = TlsProvider.select(options.provider().orElse(null));
        ServerCertificateVerifier verifier = new ServerCertificateVerifier(
                caTrustManagers(options, provider),
                options.pinnedFingerprints(),
                new KnownHosts(options.knownHostsFile()),
                options.trustOnFirstUse(),
                provider == TlsProvider.OPENSSL);
        SslContextBuilder builder = TlsContexts.configure(
                        SslContextBuilder.forClient(), provider, options.cipherSuites(), options.groups())
                .trustManager(verifier)
                // Host names are checked by ServerCertificateVerifier, on the CA path only: with the stack's own
                // check on, a self-signed server reached by a name not in its certificate could never be pinned.
                .endpointIdentificationAlgorithm(null);
        String clientFingerprint = null;
        if (options.certificateChainFile().isPresent()) {
            CertifiedKey client = CertifiedKey.read(
                    options.certificateChainFile().get(),
                    options.privateKeyFile().get());
            provider.requireUsable(
                    client,
                    "the client certificate " + options.certificateChainFile().get());
            if (provider.takesKeysDirectly()) {
                builder.keyManager(new CertifiedKeyManager(client)); // no PKCS#12 key store in between
            } else {
                builder.keyManager(client.key(), client.chain());
            }
            clientFingerprint = client.fingerprint();
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsConfigException(
                    "cannot build the client TLS context (" + provider.displayName() + "): " + e.getMessage(), e);
        }
        LOG.atDebug()
                .setMessage(() -> "client TLS 1.3 with " + provider.displayName() + ", " + options)
                .log();
        return new ClientTls(options, provider, context, verifier, clientFingerprint);
    }

    /**
     * A new client-side handler for a connection to {@code host:port}. The host is what the server certificate
     * is checked against (CA path) and the {@code known_hosts} key; as a host name it is also sent as SNI.
     * Put the handler first in the pipeline.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        Objects.requireNonNull(host, "host");
        return context.newHandler(alloc, host, port);
    }

    /**
     * Decides whether to trust a server certificate chain (leaf first) received by a handshake that is not an
     * {@link SslHandler}'s, such as DTLS: the same checks, in the same order, with the same messages as
     * {@link #newHandler}'s connections. {@code host} and {@code port} are the server as dialled.
     *
     * @throws CertificateVerificationException if the chain is refused (expired, pin or known_hosts mismatch, ...)
     * @throws CertificateException if the chain is empty
     */
    public void verifyServerCertificate(List<X509Certificate> chain, String host, int port)
            throws CertificateException {
        Objects.requireNonNull(host, "host");
        verifier.verify(chain.toArray(new X509Certificate[0]), host, port);
    }

    /** {@code "OpenSSL"}, {@code "JDK"}, {@code "BCJSSE"} or, in FIPS mode, {@code "BCJSSE FIPS"}. */
    public String provider() {
        return provider.displayName();
    }

    /** The fingerprint of the client certificate this client presents for mutual TLS, if it has one. */
    public Optional<String> clientCertificateFingerprint() {
        return Optional.ofNullable(clientCertificateFingerprint);
    }

    public TlsClientOptions options() {
        return options;
    }

    private static List<X509ExtendedTrustManager> caTrustManagers(TlsClientOptions options, TlsProvider provider) {
        List<X509ExtendedTrustManager> managers = new ArrayList<>(2);
        // With the BouncyCastle providers chains are checked by their JSSE (signatures through the FIPS module, or
        // BouncyCastle's ML-DSA), whatever the provider order says.
        java.security.Provider jsse = provider.trustManagerProvider();
        try {
            // A pinned server is never checked against a CA (ServerCertificateVerifier): loading the system store,
            // a tenth of a second of every command's start-up, would be for nothing.
            if (options.trustSystemCertificates()
                    && options.pinnedFingerprints().isEmpty()) {
                managers.add(trustManager((KeyStore) null, jsse));
            }
            if (options.caFile().isPresent()) {
                managers.add(
                        trustManager(PemFiles.readCertificates(options.caFile().get()), jsse));
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException(
                    "cannot set up CA trust"
                            + options.caFile().map(f -> " with " + f).orElse("") + ": " + e.getMessage(),
                    e);
        }
        return managers;
    }

    /** The PKIX trust manager over {@code cas} from {@code jsse}, or from the first provider that has one if null. */
    static X509ExtendedTrustManager trustManager(List<X509Certificate> cas, java.security.Provider jsse)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (X509Certificate ca : cas) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        return trustManager(store, jsse);
    }

    /**
     * The default (PKIX) trust manager over {@code cas}, or over the system trust store if null; from
     * {@code jsse} if not null, else from the first provider that has one.
     */
    private static X509ExtendedTrustManager trustManager(KeyStore cas, java.security.Provider jsse)
            throws GeneralSecurityException {
        TrustManagerFactory factory = jsse != null
                ? TrustManagerFactory.getInstance("PKIX", jsse)
                : TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(cas);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new GeneralSecurityException("the default TrustManagerFactory made no X509ExtendedTrustManager");
    }
}
