package io.vstp.examples;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.security.SecurityOptions;
import io.vstp.security.SecurityPolicy;
import io.vstp.security.token.DevTokenIssuer;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.SessionException;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Authentication and authorisation in one program (docs/guide/security.md): a server that trusts JWTs from a
 * development key, role rules (readers may list, writers may also upload), two clients with tokens, the decisions,
 * and the audit log. The key and its JWKS live in a fresh temporary directory: DEVELOPMENT ONLY.
 *
 * <p>Run: {@code java -jar vstp-examples/target/vstp-examples.jar auth}.
 */
public final class AuthDemo {
    private AuthDemo() {}

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("vstp-auth-demo-");
        Path keys = home.resolve("dev-tokens");
        DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(keys.resolve("key.json"));
        issuer.writeJwks(keys.resolve("jwks.json"));
        Path audit = home.resolve("audit.log");

        SecurityPolicy policy = new SecurityOptions(
                        Map.of(
                                "auth.jwt.jwks-file",
                                keys.resolve("jwks.json").toString(),
                                "auth.jwt.issuer",
                                DevTokenIssuer.DEFAULT_ISSUER,
                                "auth.jwt.audience",
                                DevTokenIssuer.DEFAULT_AUDIENCE,
                                "auth.role.reader",
                                "echo, files:read",
                                "auth.role.writer",
                                "echo, files:read, files:write",
                                "auth.audit",
                                audit.toString()),
                        home,
                        Map.of())
                .build();
        // The handler sees who is asking; the rules already decided whether it may.
        RequestHandler handler = RequestHandler.of((request, session) -> Frame.builder(FrameType.DATA)
                .payload("done for " + session.principal().subject() + " "
                        + session.principal().roles())
                .build());

        try (policy;
                VstpServer server = VstpServer.builder()
                        .port(0)
                        .handler(handler)
                        .accessControl(policy)
                        .tls(TlsServerOptions.builder()
                                .home(home.resolve("server"))
                                .build())
                        .start()) {
            System.out.println(
                    "server  127.0.0.1:" + server.port() + ", JWTs from the development key, deny by default");
            for (String[] user : List.of(new String[] {"alice", "writer"}, new String[] {"bob", "reader"})) {
                String token = issuer.issue(user[0], List.of(user[1]));
                try (VstpClient client = VstpClient.builder()
                                .bearerToken(() -> token)
                                .tls(TlsClientOptions.builder()
                                        .home(home.resolve("client"))
                                        .build())
                                .build();
                        VstpConnection conn =
                                client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS)) {
                    System.out.printf(
                            "%-6s  authenticated as %s, credentials expire %s%n",
                            user[0], conn.authenticatedSubject(), conn.credentialsExpireAt());
                    for (String op : List.of("list", "put-begin")) {
                        Frame request = Frame.builder(FrameType.DATA)
                                .header("service", "files")
                                .header("op", op)
                                .header("path", "reports/q3.pdf")
                                .build();
                        try {
                            Frame answer = conn.request(request).get(5, TimeUnit.SECONDS);
                            System.out.printf("        files:%-9s -> %s%n", op, answer.payloadAsString());
                            answer.release();
                        } catch (ExecutionException e) {
                            ErrorCode code = ((SessionException) e.getCause()).code();
                            System.out.printf("        files:%-9s -> %s%n", op, code);
                        }
                    }
                }
            }
            try (VstpClient anonymous = VstpClient.builder()
                    .tls(TlsClientOptions.builder().home(home.resolve("client")).build())
                    .build()) {
                anonymous
                        .connect("127.0.0.1", server.port())
                        .get(10, TimeUnit.SECONDS)
                        .close();
            } catch (ExecutionException e) {
                System.out.println("nobody  " + e.getCause().getMessage());
            }
        }
        System.out.println("audit   " + audit + " (no token in it):");
        Files.readAllLines(audit).forEach(line -> System.out.println("        " + line));
    }
}
