package io.vstp.transport.tls;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLParameters;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The regular (non-FIPS) BouncyCastle providers behind {@link TlsProvider#BOUNCY_CASTLE}: instances private to
 * VSTP, never registered with {@link java.security.Security}, so the rest of the JVM keeps its provider order.
 *
 * <p><b>Why an extra provider around BCJSSE.</b> BCJSSE (bctls 1.84) implements the ML-DSA signature schemes
 * (draft-ietf-tls-mldsa) but leaves them out of its default list; the only ways to enable them are the
 * process-wide {@code jdk.tls.client.SignatureSchemes}/{@code jdk.tls.server.SignatureSchemes} properties, or
 * {@link BCSSLParameters#setSignatureSchemes} on each engine. Netty builds its {@link SSLContext} itself from
 * the provider it is given ({@code SslContextBuilder.sslContextProvider}) and wraps every engine for ALPN, out of
 * reach. So the provider handed to Netty is {@link #sslContextProvider()}: its {@code SSLContext.TLS} is
 * BCJSSE's, except that every engine it creates gets {@link #SIGNATURE_SCHEMES} first. No system property is
 * touched.
 *
 * <p>Loaded only when the BCJSSE provider is used (or an ML-DSA key is read): the FIPS build ships bc-fips
 * instead of bcprov, which has no {@link BouncyCastleProvider}.
 */
final class BouncyCastleJsse {
    /**
     * The signature schemes BCJSSE connections offer and accept (RFC 8446 §4.2.3 names), most preferred first:
     * BCJSSE's own defaults (ECDSA, EdDSA, RSA-PSS, and RSA PKCS#1 for certificate signatures) with ML-DSA-44, -65
     * and -87 added in front, so that a peer with both kinds of certificate authenticates post-quantum.
     */
    static final List<String> SIGNATURE_SCHEMES = List.of(
            "mldsa65",
            "mldsa87",
            "mldsa44",
            "ecdsa_secp256r1_sha256",
            "ecdsa_secp384r1_sha384",
            "ecdsa_secp521r1_sha512",
            "ed25519",
            "ed448",
            "rsa_pss_rsae_sha256",
            "rsa_pss_rsae_sha384",
            "rsa_pss_rsae_sha512",
            "rsa_pss_pss_sha256",
            "rsa_pss_pss_sha384",
            "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256",
            "rsa_pkcs1_sha384",
            "rsa_pkcs1_sha512");

    private BouncyCastleJsse() {}

    /** Created on first use: BouncyCastleProvider takes a moment to build its algorithm tables. */
    private static final class Instances {
        static final Provider CRYPTO = new BouncyCastleProvider();
        static final Provider JSSE = new BouncyCastleJsseProvider(CRYPTO);
        static final Provider SSL_CONTEXT = new SignatureSchemeProvider(JSSE);
    }

    /** The BouncyCastle JCA provider: ML-DSA keys, signatures and certificate path checks. */
    static Provider crypto() {
        return Instances.CRYPTO;
    }

    /** BCJSSE over {@link #crypto()}: its PKIX trust managers check ML-DSA certificate chains. */
    static Provider jsse() {
        return Instances.JSSE;
    }

    /** The provider to give Netty: BCJSSE's {@code SSLContext.TLS} with {@link #SIGNATURE_SCHEMES} on every engine. */
    static Provider sslContextProvider() {
        return Instances.SSL_CONTEXT;
    }

    /** Offers a single service, SSLContext.TLS, made by BCJSSE and adjusted per engine. */
    private static final class SignatureSchemeProvider extends Provider {
        private static final long serialVersionUID = 1L;

        SignatureSchemeProvider(Provider jsse) {
            super("VSTP-BCJSSE", "1", "BCJSSE with the ML-DSA signature schemes enabled on every engine");
            putService(new Service(this, "SSLContext", "TLS", SignatureSchemeContext.class.getName(), null, null) {
                @Override
                public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                    return new SignatureSchemeContext(SSLContext.getInstance("TLS", jsse));
                }
            });
        }
    }

    /**
     * BCJSSE's context, with the signature schemes set on each engine it creates. Sockets are not offered: VSTP
     * runs TLS on engines only, and a socket made here would silently lack the ML-DSA schemes.
     */
    private static final class SignatureSchemeContext extends SSLContextSpi {
        private final SSLContext bcjsse;

        SignatureSchemeContext(SSLContext bcjsse) {
            this.bcjsse = bcjsse;
        }

        private static SSLEngine withSignatureSchemes(SSLEngine engine) {
            BCSSLEngine bcEngine = (BCSSLEngine) engine;
            BCSSLParameters parameters = bcEngine.getParameters();
            parameters.setSignatureSchemes(SIGNATURE_SCHEMES.toArray(String[]::new));
            bcEngine.setParameters(parameters);
            return engine;
        }

        @Override
        protected void engineInit(KeyManager[] keyManagers, TrustManager[] trustManagers, SecureRandom random)
                throws KeyManagementException {
            bcjsse.init(keyManagers, trustManagers, random);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return withSignatureSchemes(bcjsse.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return withSignatureSchemes(bcjsse.createSSLEngine(host, port));
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException("VSTP's BCJSSE context makes SSLEngines only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("VSTP's BCJSSE context makes SSLEngines only");
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return bcjsse.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return bcjsse.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return bcjsse.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return bcjsse.getSupportedSSLParameters();
        }
    }
}
