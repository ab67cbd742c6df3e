package io.vstp.transport.tls;

import java.net.Socket;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager that holds exactly one {@link CertifiedKey}, with no key store.
 *
 * <p>Used in FIPS mode: Netty hands a key and chain to the JDK's SSLEngine API through an in-memory PKCS#12 key
 * store, which encrypts the key with PBE algorithms the FIPS module does not provide (nor should: the key never
 * needs wrapping here). Handing the key over directly avoids that step altogether.
 */
final class CertifiedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "vstp";

    private final CertifiedKey certifiedKey;
    private final String keyAlgorithm;
    /** Whether our EC key is on the named curve, per curve name asked about. */
    private final Map<String, Boolean> onCurve = new ConcurrentHashMap<>();

    CertifiedKeyManager(CertifiedKey certifiedKey) {
        this.certifiedKey = certifiedKey;
        this.keyAlgorithm = certifiedKey.key().getAlgorithm().toUpperCase(Locale.ROOT);
    }

    /**
     * Whether the stack may use our key for {@code keyType}: JSSE providers name key types by key algorithm
     * ({@code EC}, {@code RSA}, {@code RSASSA-PSS}), by algorithm and curve for TLS 1.3 signature schemes
     * ({@code EC/secp256r1}: BCJSSE), or, for TLS 1.2, by key exchange ({@code ECDHE_ECDSA}).
     */
    private boolean fits(String keyType) {
        if (keyType == null) {
            return false;
        }
        String type = keyType.toUpperCase(Locale.ROOT);
        switch (keyAlgorithm) {
            case "EC":
            case "ECDSA":
                if (type.startsWith("EC/")) {
                    return onCurve.computeIfAbsent(keyType.substring(3), this::isOnCurve);
                }
                return type.equals("EC") || type.contains("ECDSA") || type.startsWith("EC_");
            case "RSA":
                return type.startsWith("RSA");
            default:
                return type.equals(keyAlgorithm);
        }
    }

    /** Curves are told apart by their group order: distinct for all named curves TLS uses. */
    private boolean isOnCurve(String curveName) {
        if (!(certifiedKey.key() instanceof ECKey ecKey)) {
            return false;
        }
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(curveName));
            return parameters
                    .getParameterSpec(ECParameterSpec.class)
                    .getOrder()
                    .equals(ecKey.getParams().getOrder());
        } catch (GeneralSecurityException e) {
            return false; // a curve this JVM does not know cannot be ours
        }
    }

    private String aliasFor(String[] keyTypes) {
        if (keyTypes != null) {
            for (String keyType : keyTypes) {
                if (fits(keyType)) {
                    return ALIAS;
                }
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return fits(keyType) ? new String[] {ALIAS} : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return fits(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return fits(keyType) ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? certifiedKey.chain().toArray(new X509Certificate[0]) : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? certifiedKey.key() : null;
    }
}
