package io.vstp.cli;

import io.vstp.crypto.e2e.EncryptedFileFormat;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.qkd.Etsi014Client;
import io.vstp.crypto.qkd.KmeTls;
import io.vstp.crypto.qkd.QkdException;
import io.vstp.crypto.qkd.QkdKey;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.TlsConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * A QKD key management entity (ETSI GS QKD 014) as an extra key source for end-to-end encryption: the sender asks
 * its KME for a key for the recipient's SAE and mixes it into the hybrid KEM; the recipient fetches the same key by
 * ID from its KME (docs/guide/qkd.md). Off unless {@code --qkd-kme} is given.
 */
final class QkdOptions {
    static final String EXTRA_PREFIX = "qkd:";
    static final int KEY_BITS = 256;

    @Option(
            names = "--qkd-kme",
            paramLabel = "URL",
            description = "ETSI GS QKD 014 key management entity "
                    + "(https://...) whose keys are mixed into end-to-end encryption.")
    URI kme;

    @Option(
            names = "--qkd-peer",
            paramLabel = "SAE_ID",
            description =
                    "The other side's SAE ID at the KME: the " + "recipient's for put --to, the sender's for get.")
    String peer;

    @Option(names = "--qkd-cert", paramLabel = "PEM", description = "This SAE's client certificate chain for the KME.")
    Path cert;

    @Option(names = "--qkd-key", paramLabel = "PEM", description = "The private key of --qkd-cert.")
    Path key;

    @Option(names = "--qkd-ca", paramLabel = "PEM", description = "CA certificates to trust for the KME.")
    Path ca;

    boolean enabled() {
        return kme != null;
    }

    /**
     * Where QKD keys come from, for telling ciphertexts made with them from those made without (empty when QKD is
     * off): the KME and the peer SAE.
     */
    String source() {
        return enabled() ? "qkd " + kme + " " + peer : "";
    }

    private Etsi014Client client() {
        if (peer == null || cert == null || key == null || ca == null) {
            throw new CliException(ExitCodes.USAGE, "--qkd-kme needs --qkd-peer, --qkd-cert, --qkd-key and --qkd-ca");
        }
        try {
            return Etsi014Client.builder(kme, tls(cert, key, ca)).build();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--qkd-kme: " + e.getMessage());
        }
    }

    /** The mutual TLS context of a KME connection (or of the simulator) from PEM files. */
    static SSLContext tls(Path certificateChain, Path privateKey, Path trustedCas) {
        try {
            return KmeTls.context(
                    PemFiles.readPrivateKey(privateKey),
                    PemFiles.readCertificates(certificateChain),
                    PemFiles.readCertificates(trustedCas));
        } catch (TlsConfigException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        } catch (QkdException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage() + " (" + certificateChain + ", " + privateKey + ")");
        }
    }

    /** {@code recipient} with a fresh QKD key for {@link #peer} mixed in. */
    Recipient withQkdKey(Recipient recipient) {
        QkdKey k = call(() -> client().getKey(peer, 1, KEY_BITS).get(0));
        String extraId = EXTRA_PREFIX + k.keyId();
        if (extraId.length() > EncryptedFileFormat.MAX_EXTRA_ID) {
            k.wipe();
            throw new CliException(
                    ExitCodes.FAILED,
                    "the KME's key ID " + k.keyId() + " is too long to record in the " + "file (at most "
                            + (EncryptedFileFormat.MAX_EXTRA_ID - EXTRA_PREFIX.length()) + " characters)");
        }
        return new Recipient(recipient.publicKey(), extraId, k.key());
    }

    /** The QKD key a file names by {@code extraId}, fetched from the KME as the slave of {@link #peer}. */
    byte[] fetch(String extraId) {
        if (!extraId.startsWith(EXTRA_PREFIX)) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "the file needs extra key material '" + extraId + "' of a kind this vstp does not know");
        }
        String id = extraId.substring(EXTRA_PREFIX.length());
        if (!Etsi014Client.isValidKeyId(id)) {
            // The header is not authenticated before this key opens it: a name no KME can have is a forged or
            // damaged file, refused as such rather than sent to the KME (or escaping as a bare exception).
            throw new CliException(
                    ExitCodes.TRUST,
                    "the file names QKD key ID '" + id + "', which ETSI GS QKD "
                            + "014 cannot carry: the file is damaged or forged");
        }
        if (!enabled()) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "the file was encrypted with a QKD key (" + extraId
                            + "): give --qkd-kme and the other --qkd-* options to fetch it");
        }
        return call(() -> client().getKeyWithKeyIds(peer, List.of(id)).get(0).key());
    }

    private interface KmeCall<T> {
        T call() throws QkdException;
    }

    private static <T> T call(KmeCall<T> call) {
        try {
            return call.call();
        } catch (QkdException e) {
            throw new CliException(ExitCodes.UNREACHABLE, e.getMessage());
        }
    }
}
