/**
 * End-to-end protection of files: hybrid encryption, signed manifests, the key ring and QKD keys. Every package but
 * {@code internal} is API; Jackson reads the QKD key manager's JSON as a tree, so nothing is opened to it.
 */
module io.vstp.crypto {
    requires org.bouncycastle.provider;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports io.vstp.crypto;
    exports io.vstp.crypto.e2e;
    exports io.vstp.crypto.kem;
    exports io.vstp.crypto.keys;
    exports io.vstp.crypto.qkd;
    exports io.vstp.crypto.sign;
}
