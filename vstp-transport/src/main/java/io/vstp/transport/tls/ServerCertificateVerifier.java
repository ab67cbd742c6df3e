package io.vstp.transport.tls;

import io.netty.handler.ssl.OpenSslCertificateException;
import io.vstp.transport.tls.CertificateVerificationException.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's decision whether to trust a server certificate, in the order {@link TlsClientOptions} documents:
 * validity, configured pins, CA chain plus host name, {@code known_hosts} with trust on first use.
 *
 * <p>Runs on the event loop during the handshake; for servers not trusted by a CA it reads (and on first use
 * appends to) the {@code known_hosts} file, which is small. Every refusal is a
 * {@link CertificateVerificationException} whose message a person can act on.
 *
 * <p>Only the server side of {@link X509ExtendedTrustManager} is meaningful; this is never installed on a server.
 */
final class ServerCertificateVerifier extends X509ExtendedTrustManager {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificateVerifier.class.getPackageName());

    // OpenSSL verification results (x509_vfy.h); stable ABI numbers, used because tcnative's own constants are
    // only on the runtime class path.
    private static final int X509_V_ERR_UNSPECIFIED = 1;
    private static final int X509_V_ERR_CERT_NOT_YET_VALID = 9;
    private static final int X509_V_ERR_CERT_HAS_EXPIRED = 10;
    private static final int X509_V_ERR_CERT_UNTRUSTED = 27;
    private static final int X509_V_ERR_CERT_REJECTED = 28;
    private static final int X509_V_ERR_HOSTNAME_MISMATCH = 62;

    /** The CA trust managers (system store, CA file); a chain is CA-trusted if any of them accepts it. */
    private final List<X509ExtendedTrustManager> caTrust;

    private final Set<String> pins;
    private final KnownHosts knownHosts;
    private final boolean trustOnFirstUse;
    private final boolean openSsl;

    ServerCertificateVerifier(
            List<X509ExtendedTrustManager> caTrust,
            Set<String> pins,
            KnownHosts knownHosts,
            boolean trustOnFirstUse,
            boolean openSsl) {
        this.caTrust = List.copyOf(caTrust);
        this.pins = Set.copyOf(pins);
        this.knownHosts = knownHosts;
        this.trustOnFirstUse = trustOnFirstUse;
        this.openSsl = openSsl;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (engine == null || engine.getPeerHost() == null) {
            throw new CertificateException("VSTP verifies server certificates only on engines created with the "
                    + "server's host and port (ClientTls.newHandler)");
        }
        try {
            verify(chain, authType, engine.getPeerHost(), engine.getPeerPort(), engine, null);
        } catch (CertificateVerificationException e) {
            throw openSsl ? withOpenSslAlert(e) : e;
        }
    }

    /**
     * Netty's OpenSSL binding turns any other exception into {@code X509_V_ERR_UNSPECIFIED}, which BoringSSL
     * sends as an {@code internal_error} alert: the server's log would then blame the server. Wrapping carries
     * the right verification result (so a {@code certificate_expired} or {@code bad_certificate} alert) and
     * keeps our exception as the cause, where {@link CertificateVerificationException#findIn} finds it.
     */
    private static CertificateException withOpenSslAlert(CertificateVerificationException e) {
        int code;
        switch (e.reason()) {
            case EXPIRED:
                code = X509_V_ERR_CERT_HAS_EXPIRED;
                break;
            case NOT_YET_VALID:
                code = X509_V_ERR_CERT_NOT_YET_VALID;
                break;
            case HOSTNAME_MISMATCH:
                code = X509_V_ERR_HOSTNAME_MISMATCH;
                break;
            case UNTRUSTED:
                code = X509_V_ERR_CERT_UNTRUSTED;
                break;
            case PIN_MISMATCH:
            case KNOWN_HOSTS_MISMATCH:
                code = X509_V_ERR_CERT_REJECTED;
                break;
            default:
                code = X509_V_ERR_UNSPECIFIED;
        }
        try {
            return new OpenSslCertificateException(e.getMessage(), e, code);
        } catch (IllegalArgumentException unknownCode) {
            return e; // a BoringSSL without this code: the handshake still fails, with internal_error
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        if (socket == null || !(socket.getRemoteSocketAddress() instanceof InetSocketAddress)) {
            throw new CertificateException("VSTP verifies server certificates only on connected sockets");
        }
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        verify(chain, authType, remote.getHostString(), remote.getPort(), null, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("VSTP needs the server's host and port to verify its certificate");
    }

    /**
     * The same decision for a chain that arrived outside the JDK's TLS stack (DTLS, whose handshake BouncyCastle
     * runs). "UNKNOWN" is the key exchange the JDK itself reports for TLS 1.3: PKIX then checks that the leaf may
     * sign, which is what both ECDHE_ECDSA and ECDHE_RSA need from it.
     */
    void verify(X509Certificate[] chain, String host, int port) throws CertificateException {
        verify(chain, "UNKNOWN", host, port, null, null);
    }

    private void verify(
            X509Certificate[] chain, String authType, String host, int port, SSLEngine engine, Socket socket)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        X509Certificate leaf = chain[0];
        String endpoint = KnownHosts.endpoint(host, port);
        String presented = CertificateFingerprints.sha256(leaf);

        checkValidity(leaf, endpoint, presented);

        if (!pins.isEmpty()) {
            if (pins.contains(presented)) {
                return;
            }
            throw new CertificateVerificationException(
                    Reason.PIN_MISMATCH,
                    endpoint,
                    presented,
                    "certificate pin mismatch for " + endpoint + ": configured pin" + (pins.size() > 1 ? "s " : " ")
                            + String.join(", ", pins) + ", server presented " + presented,
                    null);
        }

        CertificateException caFailure = checkCaTrust(chain, authType, engine, socket);
        if (caFailure == null) {
            if (!HostnameMatcher.matches(leaf, host)) {
                throw new CertificateVerificationException(
                        Reason.HOSTNAME_MISMATCH,
                        endpoint,
                        presented,
                        "server certificate for " + endpoint + " is issued by a trusted CA but not for host '" + host
                                + "' (it names " + HostnameMatcher.describe(leaf) + "); dial one of those names",
                        null);
            }
            return;
        }

        checkKnownHosts(endpoint, presented, caFailure);
    }

    /**
     * Only the leaf: it is what a pin identifies, and PKIX checks the rest of a CA chain. Checking every
     * presented certificate would refuse servers that still send an expired cross-signed root, which path
     * building ignores.
     */
    private static void checkValidity(X509Certificate leaf, String endpoint, String presented)
            throws CertificateVerificationException {
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new CertificateVerificationException(
                    Reason.EXPIRED,
                    endpoint,
                    presented,
                    "server certificate for " + endpoint + " expired on "
                            + leaf.getNotAfter().toInstant() + " (presented " + presented + ")",
                    e);
        } catch (CertificateNotYetValidException e) {
            throw new CertificateVerificationException(
                    Reason.NOT_YET_VALID,
                    endpoint,
                    presented,
                    "server certificate for " + endpoint + " is not valid before "
                            + leaf.getNotBefore().toInstant() + " (presented " + presented
                            + "); is one of the clocks wrong?",
                    e);
        }
    }

    /** Null if some CA trust manager accepts the chain, else the first manager's refusal (for messages). */
    private CertificateException checkCaTrust(
            X509Certificate[] chain, String authType, SSLEngine engine, Socket socket) {
        List<CertificateException> refusals = new ArrayList<>();
        for (X509ExtendedTrustManager trust : caTrust) {
            try {
                // The engine lets the JDK apply the handshake's algorithm constraints; host name checking is
                // off on the engine (see ClientTls) and done by HostnameMatcher instead.
                if (engine != null) {
                    trust.checkServerTrusted(chain, authType, engine);
                } else {
                    trust.checkServerTrusted(chain, authType, socket);
                }
                return null;
            } catch (CertificateException e) {
                refusals.add(e);
            } catch (RuntimeException e) {
                refusals.add(new CertificateException(e.toString(), e));
            }
        }
        return refusals.isEmpty()
                ? new CertificateException("no CA is trusted (system trust store off, no CA file)")
                : refusals.get(0);
    }

    private void checkKnownHosts(String endpoint, String presented, CertificateException caFailure)
            throws CertificateVerificationException {
        try {
            KnownHosts.Entry entry = knownHosts.find(endpoint);
            if (entry == null) {
                if (!trustOnFirstUse) {
                    throw new CertificateVerificationException(
                            Reason.UNTRUSTED,
                            endpoint,
                            presented,
                            "server certificate for " + endpoint + " is not trusted: it does not chain to a trusted "
                                    + "CA (" + caFailure.getMessage() + "), " + knownHosts.file() + " has no line "
                                    + "for it, and trust on first use is off. If " + presented + " is the server's "
                                    + "certificate, pin it or add '" + endpoint + " " + presented + "' to "
                                    + knownHosts.file(),
                            caFailure);
                }
                entry = knownHosts.addIfAbsent(endpoint, presented);
                if (entry.fingerprint().equals(presented)) {
                    KnownHosts.Entry recorded = entry;
                    LOG.atInfo()
                            .setMessage(() -> "trusting " + endpoint + " on first use: recorded " + presented + " in "
                                    + knownHosts.file() + " line " + recorded.line())
                            .log();
                    return;
                }
            }
            if (entry.fingerprint().equals(presented)) {
                return;
            }
            throw new CertificateVerificationException(
                    Reason.KNOWN_HOSTS_MISMATCH,
                    endpoint,
                    presented,
                    "certificate pin mismatch for " + endpoint + ": known_hosts has " + entry.fingerprint()
                            + ", server presented " + presented + ". The server's certificate changed, or someone is "
                            + "intercepting the connection. If the change is expected, delete line " + entry.line()
                            + " of " + knownHosts.file() + " and connect again",
                    null);
        } catch (IOException e) {
            throw new CertificateVerificationException(
                    Reason.KNOWN_HOSTS_UNAVAILABLE,
                    endpoint,
                    presented,
                    "server certificate for " + endpoint + " does not chain to a trusted CA and " + knownHosts.file()
                            + " cannot be used: " + PemFiles.describe(e),
                    e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("not a server trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("not a server trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        // Sent to nobody (clients do not send certificate_authorities); an empty list keeps it that way.
        return new X509Certificate[0];
    }
}
