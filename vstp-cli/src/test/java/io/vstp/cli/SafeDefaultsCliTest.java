package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.cli.CliEndToEndTest.Run;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vstp serve} is safe by default (docs/decisions/009-safe-by-default-server.md): without the access token a
 * client may use the echo and nothing else; anonymous reading and writing each need a flag that says so. Every
 * server here is the real command in its own process.
 */
class SafeDefaultsCliTest {
    @TempDir
    Path tmp;

    /** A running {@code vstp serve}, its address, fingerprint and everything it printed before it was ready. */
    private record Server(Process process, int port, String fingerprint, List<String> printed)
            implements AutoCloseable {
        String addr(String path) {
            return "127.0.0.1:" + port + "/" + path;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private Server serve(Path home, String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                tmp.resolve("served").toString()));
        args.addAll(List.of(flags));
        Process p = CliEndToEndTest.vstp(home, args.toArray(String[]::new));
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> printed = new ArrayList<>();
        Pattern listening =
                Pattern.compile("listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), .*certificate (sha256:[0-9a-f]{64})");
        for (String line; (line = lines.readLine()) != null; ) {
            printed.add(line);
            Matcher m = listening.matcher(line);
            if (m.find()) {
                // What follows the listening line comes at once: where the token is and, when it was just made,
                // the client command.
                if (home != null && Files.exists(home.resolve(ServeCommand.ACCESS_TOKEN_FILE))) {
                    String where = lines.readLine();
                    printed.add(where);
                    if (where != null && where.endsWith("to connect from elsewhere:")) {
                        printed.add(lines.readLine());
                    }
                }
                return new Server(p, Integer.parseInt(m.group(1)), m.group(2), printed);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("serve did not start: " + printed);
    }

    private Path file(String name, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    private static String token(Path home) throws IOException {
        return Files.readString(home.resolve(ServeCommand.ACCESS_TOKEN_FILE))
                .lines()
                .filter(l -> l.startsWith("vstp-at-"))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
    }

    @Test
    void byDefaultOnlyTheTokenHolderReadsAndWrites() throws Exception {
        Path home = tmp.resolve("home");
        Path file = file("secret.bin", 100_000);
        String token;
        try (Server s = serve(home)) {
            Path tokenFile = home.resolve(ServeCommand.ACCESS_TOKEN_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
                    .isEqualTo("rw-------");
            token = token(home);
            assertThat(String.join("\n", s.printed()))
                    .contains("VSTP_TOKEN=" + token + " vstp put FILE ")
                    .contains("--pin " + s.fingerprint());

            Run stranger = CliEndToEndTest.run("put", file.toString(), s.addr("secret.bin"), "--pin", s.fingerprint());
            assertThat(stranger.code()).as(stranger.err()).isEqualTo(ExitCodes.DENIED);
            assertThat(stranger.err()).hasLineCount(1).contains("PERMISSION_DENIED");
            assertThat(tmp.resolve("served/secret.bin")).doesNotExist();

            Run owner = CliEndToEndTest.run(
                    "put",
                    file.toString(),
                    s.addr("secret.bin"),
                    "--pin",
                    s.fingerprint(),
                    "--token-file",
                    tokenFile.toString());
            assertThat(owner.code()).as(owner.err()).isZero();
            assertThat(tmp.resolve("served/secret.bin")).hasSameBinaryContentAs(file);

            Run peek = CliEndToEndTest.run(
                    "get", s.addr("secret.bin"), tmp.resolve("peek.bin").toString(), "--pin", s.fingerprint());
            assertThat(peek.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(tmp.resolve("peek.bin")).doesNotExist();

            Run forged = CliEndToEndTest.run(
                    "get",
                    s.addr("secret.bin"),
                    tmp.resolve("peek.bin").toString(),
                    "--pin",
                    s.fingerprint(),
                    "--token",
                    "vstp-at-" + "A".repeat(43));
            assertThat(forged.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(forged.err()).contains("unknown access token");

            // The echo stays open to anyone, over TCP and UDP: the Rust crate's clients have no credentials.
            Run echo = CliEndToEndTest.run("send", s.addr(""), "--pin", s.fingerprint(), "--data", "hi");
            assertThat(echo.code()).as(echo.err()).isZero();
            Run udpEcho = CliEndToEndTest.run("send", s.addr(""), "--udp", "--pin", s.fingerprint(), "--data", "hi");
            assertThat(udpEcho.code()).as(udpEcho.err()).isZero();
            // Files over UDP without credentials: refused, with the way out named.
            Run udpPut =
                    CliEndToEndTest.run("put", file.toString(), s.addr("udp.bin"), "--udp", "--pin", s.fingerprint());
            assertThat(udpPut.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(udpPut.err()).hasLineCount(1).contains("UNAUTHENTICATED").contains("--token-file");
            assertThat(tmp.resolve("served/udp.bin")).doesNotExist();
            // With the token, over DTLS: the association proves who it is once, then puts and gets as over TCP.
            Run udpOwner = CliEndToEndTest.run(
                    "put",
                    file.toString(),
                    s.addr("udp.bin"),
                    "--udp",
                    "--pin",
                    s.fingerprint(),
                    "--token-file",
                    tokenFile.toString());
            assertThat(udpOwner.code()).as(udpOwner.err()).isZero();
            assertThat(udpOwner.out()).contains("DTLS");
            assertThat(tmp.resolve("served/udp.bin")).hasSameBinaryContentAs(file);
            Run udpBack = CliEndToEndTest.run(
                    "get",
                    s.addr("udp.bin"),
                    tmp.resolve("udp-back.bin").toString(),
                    "--udp",
                    "--pin",
                    s.fingerprint(),
                    "--token-file",
                    tokenFile.toString());
            assertThat(udpBack.code()).as(udpBack.err()).isZero();
            assertThat(tmp.resolve("udp-back.bin")).hasSameBinaryContentAs(file);
            Run udpForged = CliEndToEndTest.run(
                    "get",
                    s.addr("udp.bin"),
                    tmp.resolve("udp-peek.bin").toString(),
                    "--udp",
                    "--pin",
                    s.fingerprint(),
                    "--token",
                    "vstp-at-" + "A".repeat(43));
            assertThat(udpForged.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(udpForged.err()).hasLineCount(1).contains("unknown access token");
            assertThat(tmp.resolve("udp-peek.bin")).doesNotExist();
            // A token never crosses plaintext UDP: refused before anything is sent.
            Run plainUdp = CliEndToEndTest.run(
                    "put",
                    file.toString(),
                    s.addr("plain.bin"),
                    "--udp",
                    "--plain",
                    "--token-file",
                    tokenFile.toString());
            assertThat(plainUdp.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(plainUdp.err()).contains("never sent over plaintext UDP");
        }
        try (Server again = serve(home)) {
            assertThat(token(home)).as("the token survives a restart").isEqualTo(token);
            assertThat(String.join("\n", again.printed()))
                    .as("shown once, not in every log")
                    .doesNotContain(token)
                    .contains("shown when it was made");
        }
        // Settings that do not authenticate (an audit log alone) never leave the server open.
        try (Server audited = serve(home, "--auth", "auth.audit=none")) {
            Run stranger = CliEndToEndTest.run(
                    "put", file.toString(), audited.addr("audit.bin"), "--pin", audited.fingerprint());
            assertThat(stranger.code()).isEqualTo(ExitCodes.DENIED);
        }
    }

    @Test
    void anonymousReadLetsStrangersReadButNotWrite() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(tmp.resolve("served"));
        Path published = Files.write(tmp.resolve("served/public.txt"), "for everyone".getBytes(StandardCharsets.UTF_8));
        try (Server s = serve(home, "--anonymous-read")) {
            Run get = CliEndToEndTest.run(
                    "get", s.addr("public.txt"), tmp.resolve("got.txt").toString(), "--pin", s.fingerprint());
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(tmp.resolve("got.txt")).hasSameTextualContentAs(published);
            Run put = CliEndToEndTest.run("put", published.toString(), s.addr("new.txt"), "--pin", s.fingerprint());
            assertThat(put.code()).isEqualTo(ExitCodes.DENIED);
            assertThat(tmp.resolve("served/new.txt")).doesNotExist();
        }
    }

    /** The open drop of old, by name only; over DTLS as well, since datagrams carry no credentials. */
    @Test
    void anonymousWriteIsAnOpenServerThatSaysSo() throws Exception {
        Path home = tmp.resolve("home");
        Path file = file("udp.bin", 2 * 1024 * 1024 + 7);
        try (Server s = serve(home, "--anonymous-write")) {
            assertThat(home.resolve(ServeCommand.ACCESS_TOKEN_FILE)).doesNotExist();
            Run put = CliEndToEndTest.run("put", file.toString(), s.addr("udp.bin"), "--udp", "--pin", s.fingerprint());
            assertThat(put.code()).as(put.err()).isZero();
            Run get = CliEndToEndTest.run(
                    "get", s.addr("udp.bin"), tmp.resolve("back.bin").toString(), "--udp", "--pin", s.fingerprint());
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(tmp.resolve("back.bin")).hasSameBinaryContentAs(file);
            assertThat(String.join("\n", s.printed()))
                    .as("said before it listens")
                    .contains("WARNING --anonymous-write");
        }
        Run both = CliEndToEndTest.run("serve", "--anonymous-write", "--dev-auth", "--port", "0");
        assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).hasLineCount(1).contains("--anonymous-write");
    }

    /** Abandoned uploads expire and together fit a quota, so they cannot fill the server's disk. */
    @Test
    void unfinishedUploadsExpireAndFitAQuota() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served/dir"));
        Path old = Files.write(served.resolve(".vstp-part-0123456789abcdef-old.bin"), new byte[1000]);
        Files.setLastModifiedTime(
                old,
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1)));
        try (Server s =
                serve(tmp.resolve("home"), "--anonymous-write", "--partial-expiry", "2s", "--partial-quota", "1MiB")) {
            assertThat(old).as("expired at start").doesNotExist();
            Path big = file("big.bin", 3 * 1024 * 1024);
            Run put = CliEndToEndTest.run("put", big.toString(), s.addr("dir/big.bin"), "--pin", s.fingerprint());
            assertThat(put.code()).isEqualTo(ExitCodes.FAILED);
            assertThat(put.err()).hasLineCount(1).contains("STORAGE_ERROR").contains("unfinished uploads");
            assertThat(served.resolve("big.bin")).doesNotExist();
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        try (var files = Files.list(served)) {
                            assertThat(files.map(p -> p.getFileName().toString()))
                                    .as("the abandoned upload expired")
                                    .noneMatch(n -> n.startsWith(".vstp-part-"));
                        }
                    });
            Path small = file("small.bin", 100_000);
            Run fits = CliEndToEndTest.run("put", small.toString(), s.addr("dir/small.bin"), "--pin", s.fingerprint());
            assertThat(fits.code()).as(fits.err()).isZero();
        }
    }
}
