package io.vstp.security.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokenAuthenticatorTest {
    @TempDir
    Path tmp;

    private static Credentials bearer(String token) {
        return new Credentials(token, List.of(), new InetSocketAddress("127.0.0.1", 1), "s");
    }

    @Test
    void theTokenMadeOnFirstStartProvesItsOwnerAndIsKept() throws Exception {
        Path file = tmp.resolve("home/access-token");
        String token = AccessTokenAuthenticator.loadOrCreate(file, new SecureRandom());
        assertThat(token)
                .startsWith(AccessTokenAuthenticator.PREFIX)
                .hasSize(AccessTokenAuthenticator.PREFIX.length() + 43);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(AccessTokenAuthenticator.loadOrCreate(file, new SecureRandom()))
                .isEqualTo(token);

        AccessTokenAuthenticator auth = AccessTokenAuthenticator.load(file, Set.of("owner"));
        Optional<Principal> p =
                auth.authenticate(bearer(token)).toCompletableFuture().get(1, TimeUnit.SECONDS);
        assertThat(p).get().satisfies(x -> {
            assertThat(x.subject()).isEqualTo("owner");
            assertThat(x.roles()).containsExactly("owner");
            assertThat(x.method()).isEqualTo("access-token");
        });
        // Same length, last character changed: refused.
        String wrong = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        assertThat(auth.authenticate(bearer(wrong)).toCompletableFuture())
                .failsWithin(1, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("unknown access token");
        // A JWT, or no token, is some other authenticator's business.
        assertThat(auth.authenticate(bearer("eyJ.a.b")).toCompletableFuture().get())
                .isEmpty();
        assertThat(auth.authenticate(bearer(null)).toCompletableFuture().get()).isEmpty();
    }

    @Test
    void aFileOthersCanReadOrThatIsMalformedIsRefusedAtStart() throws Exception {
        Path open =
                Files.writeString(tmp.resolve("open"), AccessTokenAuthenticator.generate(new SecureRandom()) + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> AccessTokenAuthenticator.load(open, Set.of())).hasMessageContaining("chmod 600");

        Path shortToken = Files.writeString(tmp.resolve("short"), "vstp-at-tooshort\n");
        Files.setPosixFilePermissions(shortToken, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AccessTokenAuthenticator.load(shortToken, Set.of()))
                .hasMessageContaining("line 1");

        Path empty = Files.writeString(tmp.resolve("empty"), "# nothing\n");
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AccessTokenAuthenticator.load(empty, Set.of()))
                .hasMessageContaining("no access token");
    }

    @Test
    void severalTokensWithTheirSubjects() throws Exception {
        SecureRandom r = new SecureRandom();
        String alice = AccessTokenAuthenticator.generate(r);
        String ci = AccessTokenAuthenticator.generate(r);
        Path file = Files.writeString(tmp.resolve("tokens"), "# team\n" + alice + " alice\n\n" + ci + " ci-bot\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        AccessTokenAuthenticator auth = AccessTokenAuthenticator.load(file, Set.of("writer"));
        assertThat(auth.authenticate(bearer(ci)).toCompletableFuture().get())
                .get()
                .extracting(Principal::subject)
                .isEqualTo("ci-bot");
        assertThat(auth.authenticate(bearer(alice)).toCompletableFuture().get())
                .get()
                .extracting(Principal::subject)
                .isEqualTo("alice");
    }

    /** An existing token file is kept as it is, even when it holds no token: refused, never overwritten. */
    @Test
    void anExistingFileWithoutATokenIsRefusedNotReplaced() throws Exception {
        Path file = Files.writeString(tmp.resolve("access-token"), "# written by hand\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AccessTokenAuthenticator.loadOrCreate(file, new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + " holds no access token");
        assertThat(Files.readString(file)).isEqualTo("# written by hand\n");
        try (var left = Files.list(tmp)) {
            assertThat(left).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aFileOfMoreThanTenThousandTokensIsRefused() throws Exception {
        SecureRandom r = new SecureRandom();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i <= AccessTokenAuthenticator.MAX_TOKENS; i++) {
            text.append(AccessTokenAuthenticator.generate(r))
                    .append(" user-")
                    .append(i)
                    .append('\n');
        }
        Path file = Files.writeString(tmp.resolve("tokens"), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AccessTokenAuthenticator.load(file, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": more than 10000 tokens");
    }
}
