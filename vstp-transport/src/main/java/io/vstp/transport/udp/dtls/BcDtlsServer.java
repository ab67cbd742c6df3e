package io.vstp.transport.udp.dtls;

import java.io.IOException;
import java.util.Optional;
import org.bouncycastle.tls.AbstractTlsServer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BouncyCastle's server side of one handshake, configured as VSTP wants it: DTLS 1.2 only, the configured AEAD
 * suites, extended master secret required (RFC 7627: it binds resumed sessions to the full handshake), session
 * IDs from {@link ServerSessionCache}. One instance per handshake; runs on a handshake thread.
 */
final class BcDtlsServer extends AbstractTlsServer {
    private static final Logger LOG = LoggerFactory.getLogger(BcDtlsServer.class.getPackageName());

    private final ServerCredentials credentials;
    private final int[] cipherSuites;
    private final ServerSessionCache sessions;
    private final int handshakeTimeoutMillis;
    private final Association association;
    private volatile DtlsSessionInfo negotiated;

    BcDtlsServer(
            BcTlsCrypto crypto,
            ServerCredentials credentials,
            int[] cipherSuites,
            ServerSessionCache sessions,
            int handshakeTimeoutMillis,
            Association association) {
        super(crypto);
        this.credentials = credentials;
        this.cipherSuites = cipherSuites;
        this.sessions = sessions;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.association = association;
    }

    /** What the handshake negotiated; null until it completed. */
    DtlsSessionInfo negotiated() {
        return negotiated;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        // BouncyCastle's DTLS has no 1.3 yet (its DTLS 1.3 code paths are marked TODO and not reachable).
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), cipherSuites);
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        return credentials.signer(context);
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
    public byte[] getNewSessionID() {
        if (!sessions.isEnabled()) {
            return null; // an empty session ID: the client cannot offer this session again
        }
        byte[] id = new byte[32];
        getCrypto().getSecureRandom().nextBytes(id);
        return id;
    }

    @Override
    public TlsSession getSessionToResume(byte[] sessionID) {
        return sessions.get(sessionID);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        // Read here: BouncyCastle clears parts of the security parameters when the handshake method returns.
        SecurityParameters parameters = context.getSecurityParametersConnection();
        TlsSession session = context.getSession();
        if (session != null && session.isResumable()) {
            sessions.put(session);
        }
        negotiated = new DtlsSessionInfo(
                association.peer,
                parameters.getNegotiatedVersion().getName(),
                DtlsCipherSuite.ofCode(parameters.getCipherSuite()),
                parameters.isResumedSession(),
                Optional.empty());
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        association.alertReceived(alertLevel, alertDescription);
        LOG.atDebug()
                .setMessage(() -> "DTLS alert from client " + association.peer + ": " + AlertLevel.getText(alertLevel)
                        + " " + AlertDescription.getText(alertDescription))
                .log();
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        LOG.atDebug()
                .setMessage(() -> "DTLS alert to client " + association.peer + ": "
                        + AlertLevel.getText(alertLevel) + " " + AlertDescription.getText(alertDescription)
                        + (message != null ? " (" + message + ")" : ""))
                .log();
    }
}
