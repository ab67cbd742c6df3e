package io.vstp.transport.udp.dtls;

import io.vstp.transport.tls.CertificateFingerprints;
import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.tls.ClientTls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.tls.AbstractTlsClient;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BouncyCastle's client side of one handshake: DTLS 1.2 only, the configured AEAD suites, extended master secret
 * required, and the server certificate judged by {@link ClientTls#verifyServerCertificate} (validity, pins, CA
 * and host name, {@code known_hosts}), exactly as for TCP. One instance per handshake; runs on a handshake thread.
 */
final class BcDtlsClient extends AbstractTlsClient {
    private static final Logger LOG = LoggerFactory.getLogger(BcDtlsClient.class.getPackageName());

    /** A session this client may offer again, with the server certificate verified when it was made. */
    record ResumableSession(TlsSession session, String serverFingerprint) {}

    private final int[] cipherSuites;
    private final ClientTls trust;
    private final String host;
    private final int port;
    private final ResumableSession toResume;
    private final int handshakeTimeoutMillis;
    private final Association association;
    private volatile String serverFingerprint;
    private volatile DtlsSessionInfo negotiated;
    private volatile ResumableSession resumable;

    BcDtlsClient(
            BcTlsCrypto crypto,
            int[] cipherSuites,
            ClientTls trust,
            String host,
            int port,
            ResumableSession toResume,
            int handshakeTimeoutMillis,
            Association association) {
        super(crypto);
        this.cipherSuites = cipherSuites;
        this.trust = trust;
        this.host = host;
        this.port = port;
        this.toResume = toResume;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.association = association;
    }

    /** What the handshake negotiated; null until it completed. */
    DtlsSessionInfo negotiated() {
        return negotiated;
    }

    /** The session to offer on the next connection to this server; null if it cannot be resumed. */
    ResumableSession resumable() {
        return resumable;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), cipherSuites);
    }

    @Override
    public TlsSession getSessionToResume() {
        return toResume != null && toResume.session().isResumable() ? toResume.session() : null;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return true;
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                verify(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
                return null; // no client certificates over DTLS yet (DtlsClientOptions refuses them)
            }
        };
    }

    private void verify(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "the server presented no certificate");
        }
        List<X509Certificate> x509 = new ArrayList<>(chain.getLength());
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < chain.getLength(); i++) {
                x509.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(chain.getCertificateAt(i).getEncoded())));
            }
            trust.verifyServerCertificate(x509, host, port);
        } catch (CertificateVerificationException e) {
            // The alert tells the server why; the exception (with both fingerprints) reaches connect()'s caller.
            throw new TlsFatalAlert(alertFor(e.reason()), e.getMessage(), e);
        } catch (CertificateException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, e.getMessage(), e);
        }
        serverFingerprint = CertificateFingerprints.sha256(x509.get(0));
    }

    private static short alertFor(CertificateVerificationException.Reason reason) {
        switch (reason) {
            case EXPIRED:
            case NOT_YET_VALID:
                return AlertDescription.certificate_expired;
            case KNOWN_HOSTS_UNAVAILABLE:
                return AlertDescription.certificate_unknown;
            default:
                return AlertDescription.bad_certificate;
        }
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        SecurityParameters parameters = context.getSecurityParametersConnection();
        boolean resumed = parameters.isResumedSession();
        // A resumed handshake shows no certificate: the fingerprint is the one verified for the original session.
        String fingerprint = resumed ? toResume.serverFingerprint() : serverFingerprint;
        TlsSession session = context.getSession();
        resumable = session != null && session.isResumable() && session.getSessionID().length > 0
                ? new ResumableSession(session, fingerprint)
                : null;
        negotiated = new DtlsSessionInfo(
                association.peer,
                parameters.getNegotiatedVersion().getName(),
                DtlsCipherSuite.ofCode(parameters.getCipherSuite()),
                resumed,
                Optional.ofNullable(fingerprint));
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        association.alertReceived(alertLevel, alertDescription);
        LOG.atDebug()
                .setMessage(() -> "DTLS alert from server " + association.peer + ": " + AlertLevel.getText(alertLevel)
                        + " " + AlertDescription.getText(alertDescription))
                .log();
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        LOG.atDebug()
                .setMessage(() -> "DTLS alert to server " + association.peer + ": "
                        + AlertLevel.getText(alertLevel) + " " + AlertDescription.getText(alertDescription)
                        + (message != null ? " (" + message + ")" : ""))
                .log();
    }
}
