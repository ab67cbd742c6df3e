package io.vstp.security.mtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateIdentityTest {
    static X509Certificate certificate(String dn, GeneralName... sans) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair keys = g.generateKeyPair();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(dn),
                BigInteger.valueOf(42),
                Date.from(Instant.now().minus(Duration.ofHours(1))),
                Date.from(Instant.now().plus(Duration.ofDays(1))),
                new X500Name(dn),
                keys.getPublic());
        if (sans.length > 0) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static Optional<Principal> identify(CertificateIdentity id, X509Certificate c) throws Exception {
        return id.authenticate(new Credentials(null, c == null ? List.of() : List.of(c), null, "s"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void subjectFromTheConfiguredNameAndRolesFromTheTable() throws Exception {
        X509Certificate c = certificate(
                "O=Example, OU=Devices, CN=sensor-7",
                new GeneralName(GeneralName.rfc822Name, "ops@example.com"),
                new GeneralName(GeneralName.dNSName, "sensor-7.example.com"),
                new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.com/sensor/7"));
        CertificateIdentity byCn = new CertificateIdentity(
                CertificateIdentity.SubjectName.CN, Map.of("sensor-7", Set.of("uploader")), Set.of("device"));
        Principal p = identify(byCn, c).orElseThrow();
        assertThat(p.subject()).isEqualTo("sensor-7");
        assertThat(p.roles()).containsExactlyInAnyOrder("device", "uploader");
        assertThat(p.method()).isEqualTo("mtls");
        assertThat(p.claims()).containsEntry("serial", "2a").containsKey("dn");

        assertThat(identify(new CertificateIdentity(CertificateIdentity.subjectName("san-uri"), Map.of(), Set.of()), c)
                        .orElseThrow()
                        .subject())
                .isEqualTo("spiffe://example.com/sensor/7");
        assertThat(identify(
                                new CertificateIdentity(
                                        CertificateIdentity.subjectName("SAN_EMAIL"), Map.of(), Set.of()),
                                c)
                        .orElseThrow()
                        .subject())
                .isEqualTo("ops@example.com");
        assertThat(identify(new CertificateIdentity(CertificateIdentity.subjectName("san-dns"), Map.of(), Set.of()), c)
                        .orElseThrow()
                        .subject())
                .isEqualTo("sensor-7.example.com");
        assertThat(identify(new CertificateIdentity(CertificateIdentity.subjectName("dn"), Map.of(), Set.of()), c)
                        .orElseThrow()
                        .subject())
                .isEqualTo("CN=sensor-7,OU=Devices,O=Example");
    }

    @Test
    void noCertificateIsNotMineAndAMissingNameIsRefused() throws Exception {
        CertificateIdentity bySan =
                new CertificateIdentity(CertificateIdentity.SubjectName.SAN_URI, Map.of(), Set.of());
        assertThat(identify(bySan, null)).isEmpty();
        X509Certificate plain = certificate("CN=plain");
        ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                ExecutionException.class, () -> identify(bySan, plain));
        assertThat(e.getCause()).hasMessageContaining("client certificate has no san-uri");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CertificateIdentity.subjectName("serial"))
                .hasMessageContaining("cn, dn, san-email");
    }
}
