package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.qkd.Etsi014Client.Form;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.qkd.KmeSimulator;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against the KME simulator over real HTTPS with mutual TLS on 127.0.0.1. */
class Etsi014ClientTest {
    private static final String SAE_A = "SAE_A";
    private static final String SAE_B = "SAE_B";
    private static final String SAE_C = "SAE_C";
    private static final Issued CA = TestPki.ca("VSTP QKD test CA");
    private static final Issued UNKNOWN_CA = TestPki.ca("A CA the KME does not trust");
    /** The KME's side: a server certificate for 127.0.0.1, trusting SAE certificates from {@link #CA}. */
    private static final SSLContext KME_TLS = TestPki.server(CA, "127.0.0.1").tlsContext(CA);

    private static KmeSimulator kme;
    private static Etsi014Client saeA;
    private static Etsi014Client saeB;
    private static Etsi014Client saeC;

    @BeforeAll
    static void startKme() throws Exception {
        kme = KmeSimulator.builder(KME_TLS)
                .kmeId("KME_1")
                .sae(SAE_A, SAE_B, SAE_C)
                .maxKeysPerRequest(16)
                .build()
                .start();
        saeA = client(TestPki.client(CA, SAE_A).tlsContext(CA));
        saeB = client(TestPki.client(CA, SAE_B).tlsContext(CA));
        saeC = client(TestPki.client(CA, SAE_C).tlsContext(CA));
    }

    @AfterAll
    static void stopKme() {
        kme.close();
    }

    private static Etsi014Client client(SSLContext tls) {
        return Etsi014Client.builder(kme.url(), tls).build();
    }

    @Test
    void slaveGetsTheBytesTheMasterGotWithPost() throws Exception {
        List<QkdKey> sent = saeA.getKey(SAE_B, 3, 256);
        assertThat(sent).hasSize(3).allSatisfy(k -> assertThat(k.key()).hasSize(32));
        assertThat(sent).extracting(QkdKey::keyId).doesNotHaveDuplicates();

        List<String> ids = sent.stream().map(QkdKey::keyId).toList();
        List<String> reversed = List.of(ids.get(2), ids.get(0), ids.get(1));
        List<QkdKey> received = saeB.getKeyWithKeyIds(SAE_A, reversed);

        assertThat(received).extracting(QkdKey::keyId).containsExactlyElementsOf(reversed);
        assertThat(received).containsExactly(sent.get(2), sent.get(0), sent.get(1));
    }

    @Test
    void slaveGetsTheBytesTheMasterGotWithGet() throws Exception {
        QkdKey sent = saeA.getKey(SAE_B, 1, 512, Form.GET).get(0);
        QkdKey received =
                saeB.getKeyWithKeyIds(SAE_A, List.of(sent.keyId()), Form.GET).get(0);

        assertThat(received.sizeBits()).isEqualTo(512);
        assertThat(received).isEqualTo(sent);
    }

    @Test
    void bothSaesDeriveTheSameKeyFromTheHybridKemAndTheQkdKey() throws Exception {
        EntropyPool random = new EntropyPool();
        HybridKem.KeyPair b = HybridKem.generate(random);

        QkdKey qkdAtA = saeA.getKey(SAE_B, 1, 256).get(0);
        random.mix(saeA.getKey(SAE_B, 1, 256).get(0).key());
        HybridKem.Encapsulated atA = HybridKem.encapsulate(b.publicKey(), qkdAtA.key(), random);
        byte[] keyAtA = QkdKeyMixing.derive(atA.sharedSecret(), qkdAtA, "file key".getBytes(), 32);

        // A sends the encapsulation and the key ID to B; B fetches the QKD key from the KME.
        QkdKey qkdAtB = saeB.getKeyWithKeyIds(SAE_A, List.of(qkdAtA.keyId())).get(0);
        byte[] secretAtB = HybridKem.decapsulate(b.privateKey(), atA.encapsulation(), qkdAtB.key());
        byte[] keyAtB = QkdKeyMixing.derive(secretAtB, qkdAtB, "file key".getBytes(), 32);

        assertThat(secretAtB).isEqualTo(atA.sharedSecret());
        assertThat(keyAtB).isEqualTo(keyAtA);
        // Without the QKD key, B gets a different secret: the QKD key really is part of it.
        assertThat(HybridKem.decapsulate(b.privateKey(), atA.encapsulation(), new byte[0]))
                .isNotEqualTo(atA.sharedSecret());
    }

    @Test
    void statusDescribesThePairAndTheLimits() throws Exception {
        KmeStatus status = saeA.status(SAE_B);

        assertThat(status.sourceKmeId()).isEqualTo("KME_1");
        assertThat(status.masterSaeId()).isEqualTo(SAE_A);
        assertThat(status.slaveSaeId()).isEqualTo(SAE_B);
        assertThat(status.keySize()).isEqualTo(256);
        assertThat(status.maxKeyPerRequest()).isEqualTo(16);
        assertThat(status.minKeySize()).isEqualTo(128);
        assertThat(status.maxKeySize()).isEqualTo(8192);
        assertThat(status.storedKeyCount()).isPositive().isLessThanOrEqualTo(status.maxKeyCount());
        assertThat(status.maxSaeIdCount()).isZero();
    }

    @Test
    void aKeyIsDeliveredToTheSlaveOnlyOnce() throws Exception {
        String id = saeA.getKey(SAE_B, 1, 256).get(0).keyId();
        saeB.getKeyWithKeyIds(SAE_A, List.of(id));

        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of(id)))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("not found")
                .satisfies(e -> assertThat(((QkdException) e).httpStatus()).hasValue(400));
    }

    @Test
    void anotherSaeCannotFetchTheSlavesKey() throws Exception {
        String id = saeA.getKey(SAE_B, 1, 256).get(0).keyId();

        assertThatThrownBy(() -> saeC.getKeyWithKeyIds(SAE_A, List.of(id)))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("was not made for SAE SAE_C");
        assertThatThrownBy(() -> saeA.getKeyWithKeyIds(SAE_A, List.of(id)))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 401");
        // The refused attempts consumed nothing: the slave still gets its key.
        assertThat(saeB.getKeyWithKeyIds(SAE_A, List.of(id))).hasSize(1);
    }

    @Test
    void aRefusedRequestConsumesNoneOfItsKeys() throws Exception {
        String id = saeA.getKey(SAE_B, 1, 256).get(0).keyId();

        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of(id, "00000000-0000-0000-0000-000000000000")))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 400");
        assertThat(saeB.getKeyWithKeyIds(SAE_A, List.of(id))).hasSize(1);
    }

    @Test
    void aClientWithoutCertificateIsRefused() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", CA.certificate());
        trust.init(anchors);
        SSLContext noCertificate = SSLContext.getInstance("TLS");
        noCertificate.init(null, trust.getTrustManagers(), null);

        assertThatThrownBy(() -> client(noCertificate).status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("the KME at " + kme.url())
                .hasMessageContaining("certificate");
    }

    @Test
    void aClientCertificateFromACaTheKmeDoesNotTrustIsRefused() {
        Etsi014Client stranger = client(TestPki.client(UNKNOWN_CA, SAE_A).tlsContext(CA));

        assertThatThrownBy(() -> stranger.getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("certificate");
    }

    @Test
    void aTrustedCertificateOfAnUnregisteredSaeIsRefused() {
        Etsi014Client unregistered = client(TestPki.client(CA, "SAE_UNKNOWN").tlsContext(CA));

        assertThatThrownBy(() -> unregistered.getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("does not name an SAE registered at this KME");
    }

    @Test
    void aKmeWhoseCertificateIsNotTrustedIsRefused() throws Exception {
        Issued sae = TestPki.client(CA, SAE_A);
        SSLContext trustsOtherCa =
                KmeTls.context(sae.key(), List.of(sae.certificate()), List.of(UNKNOWN_CA.certificate()));

        assertThatThrownBy(() -> client(trustsOtherCa).status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("TLS with the KME")
                .hasMessageContaining("trusted CA");
    }

    @Test
    void requestsOutsideTheKmesLimitsGetItsErrorMessage() {
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 17, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("number must be 1..16");
        assertThatThrownBy(() -> saeA.getKey("SAE_NOBODY", 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("SAE SAE_NOBODY is not known");
    }

    @Test
    void callerMistakesAreIllegalArguments() {
        assertThatThrownBy(() -> saeA.getKey("SAE/../B", 1, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 0, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 1, 250)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeA.getKey(SAE_B, 1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of("a", "b"), Form.GET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of("a", "a")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of("a&key_ID=b")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Etsi014Client.isValidKeyId("a&key_ID=b")).isFalse();
        assertThat(Etsi014Client.isValidKeyId("3f2a6c1e-0b7d-4e58-9a41-6f0c2d8b7e11"))
                .isTrue();
        assertThatThrownBy(() -> saeB.getKeyWithKeyIds(SAE_A, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("number of key IDs must be 1..")
                .hasMessageEndingWith(", not 0");
        assertThatThrownBy(() -> Etsi014Client.builder(java.net.URI.create("http://127.0.0.1:1"), KME_TLS))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKmeThatIsNotThereIsAClearError() throws Exception {
        java.net.URI nowhere;
        try (java.net.ServerSocket closed =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            nowhere = java.net.URI.create("https://127.0.0.1:" + closed.getLocalPort());
        }
        Etsi014Client client = Etsi014Client.builder(
                        nowhere, TestPki.client(CA, SAE_A).tlsContext(CA))
                .build();

        assertThatThrownBy(() -> client.status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("could not connect to the KME at " + nowhere);
    }
}
