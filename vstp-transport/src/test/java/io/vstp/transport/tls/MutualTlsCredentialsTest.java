package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.Session;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.auth.AccessControl;
import io.vstp.transport.auth.AccessDecision;
import io.vstp.transport.auth.Action;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate an mTLS handshake verified reaches the access control, and its principal the handler. */
class MutualTlsCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void verifiedClientCertificateIsTheCredentialAndTokenAndCertificateArriveTogether() throws Exception {
        Issued clientCa = TestPki.ca("client CA");
        Path clientCaFile = dir.resolve("client-ca.pem");
        Files.writeString(clientCaFile, PemFiles.certificatePem(clientCa.certificate()));
        Issued alice = TestPki.client(clientCa, "alice");
        PemPair aliceFiles = alice.written(dir, "alice");
        List<Credentials> seen = new CopyOnWriteArrayList<>();
        AccessControl byCertificate = new AccessControl() {
            @Override
            public CompletionStage<Principal> authenticate(Credentials credentials) {
                seen.add(credentials);
                return credentials
                        .clientCertificate()
                        .map(c -> CompletableFuture.completedFuture(new Principal(
                                c.getSubjectX500Principal().getName(), Set.of("device"), Map.of(), "mtls", null)))
                        .orElseGet(() -> CompletableFuture.failedFuture(new AuthenticationException("no certificate")));
            }

            @Override
            public AccessDecision authorize(Principal principal, Action action, Session session) {
                return AccessDecision.allow("test");
            }
        };
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .tls(TlsServerOptions.builder()
                                .home(dir.resolve("server"))
                                .clientCaFile(clientCaFile)
                                .build())
                        .accessControl(byCertificate)
                        .handler(RequestHandler.of((request, session) -> Frame.builder(FrameType.DATA)
                                .payload(session.principal().method() + " "
                                        + session.principal().subject())
                                .build()))
                        .start();
                VstpClient client = VstpClient.builder()
                        .threads(1)
                        .bearerToken(() -> "also-a-token")
                        .tls(TlsClientOptions.builder()
                                .home(dir.resolve("client"))
                                .certificateChainFile(aliceFiles.certificate())
                                .privateKeyFile(aliceFiles.key())
                                .build())
                        .build()) {
            VstpConnection conn = client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS);
            assertThat(conn.authenticatedSubject()).isEqualTo("CN=alice");
            assertThat(conn.credentialsExpireAt()).isNull();
            Frame reply = conn.request(
                            Frame.builder(FrameType.DATA).payload("who").build())
                    .get(5, TimeUnit.SECONDS);
            try {
                assertThat(reply.payloadAsString()).isEqualTo("mtls CN=alice");
            } finally {
                reply.release();
            }
            assertThat(seen).hasSize(1);
            Credentials c = seen.get(0);
            assertThat(c.clientCertificates()).hasSize(1);
            assertThat(c.clientCertificate().orElseThrow()).isEqualTo(alice.certificate());
            assertThat(c.bearerToken()).isEqualTo("also-a-token");
            assertThat(c.sessionId()).isEqualTo(conn.sessionId());
            conn.close();
        }
    }
}
