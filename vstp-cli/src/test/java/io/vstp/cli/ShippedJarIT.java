package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code vstp.jar} itself, as {@code java -jar} runs it after {@code package}: no class of ours refers
 * to a class the jar lacks, and every subcommand's happy path works once. The unit tests run on the test class
 * path, which has every test dependency; this is what users get.
 */
class ShippedJarIT {
    private static final Path JAR = Paths.get(System.getProperty("vstp.jar", "target/vstp.jar"));
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void jarExists() {
        assertThat(JAR).as("the shaded jar (built by package)").isRegularFile();
    }

    private record Result(int code, String out) {}

    private static ProcessBuilder command(Path home, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("VSTP_HOME", home.toString());
        pb.environment().remove("VSTP_TOKEN");
        pb.environment().putAll(env);
        return pb;
    }

    private static Result vstp(Path home, Map<String, String> env, String... args) throws Exception {
        Process p = command(home, env, args).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("vstp %s finished", List.of(args))
                .isTrue();
        return new Result(p.exitValue(), out);
    }

    private static Result ok(Path home, Map<String, String> env, String... args) throws Exception {
        Result r = vstp(home, env, args);
        assertThat(r.code()).as("vstp %s: %s", List.of(args), r.out()).isZero();
        return r;
    }

    /** jdeps over the jar: a class of ours referring to one the jar lacks is a dependency the shade left out. */
    @Test
    void everyClassOurCodeUsesIsInTheJar() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int code = jdeps.run(
                new PrintWriter(out), new PrintWriter(out), "--multi-release", "17", "--missing-deps", JAR.toString());
        List<String> ours = out.toString()
                .lines()
                .filter(l -> l.strip().startsWith("io.vstp."))
                .toList();
        assertThat(ours)
                .as("classes of io.vstp referring to classes missing from %s (jdeps exit %d)", JAR, code)
                .isEmpty();
    }

    @Test
    void everySubcommandsHappyPath() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Map<String, String> none = Map.of();
        assertThat(ok(home, none, "--version").out()).contains("wire v2, v1");
        assertThat(ok(home, none, "inspect", "565401010000000000000090a29464").out())
                .contains("HELLO");
        assertThat(ok(home, none, "generate-completion").out()).contains("complete");

        Path pki = tmp.resolve("pki");
        ok(home, none, "cert", "ca", "--out", pki.resolve("ca").toString());
        ok(
                home,
                none,
                "cert",
                "server",
                "--ca-dir",
                pki.resolve("ca").toString(),
                "--name",
                "127.0.0.1",
                "--out",
                pki.resolve("kme").toString());
        ok(
                home,
                none,
                "cert",
                "client",
                "--ca-dir",
                pki.resolve("ca").toString(),
                "--name",
                "SAE_A",
                "--out",
                pki.resolve("sae").toString());
        assertThat(ok(
                                home,
                                none,
                                "cert",
                                "fingerprint",
                                pki.resolve("kme/server-cert.pem").toString())
                        .out())
                .contains("sha256:");
        List<String> tokenLines = ok(home, none, "token", "--sub", "alice", "--role", "writer")
                .out()
                .lines()
                .toList();
        assertThat(tokenLines.get(tokenLines.size() - 1))
                .as("the JWT, on the last line")
                .matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        Map<String, String> keyring = Map.of("VSTP_KEYRING_PASSPHRASE", "a passphrase long enough");
        ok(home, keyring, "keys", "generate", "me");
        assertThat(ok(home, keyring, "keys", "list").out()).contains("me");
        assertThat(ok(home, none, "bench", "--local", "--transport", "tcp", "--count", "300", "--json")
                        .out())
                .contains("\"errors\":0");
        assertThat(ok(home, none, "demo", "--size", "1").out()).contains("OK:");

        // qkd-sim: the KME simulator starts and says where (it reads and writes JSON: jackson in the jar).
        Process kme = command(
                        home,
                        none,
                        "qkd-sim",
                        "--ca",
                        pki.resolve("ca/ca-cert.pem").toString(),
                        "--cert",
                        pki.resolve("kme/server-cert.pem").toString(),
                        "--key",
                        pki.resolve("kme/server-key.pem").toString(),
                        "--sae",
                        "SAE_A")
                .start();
        try {
            String first =
                    new BufferedReader(new InputStreamReader(kme.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("qkd-sim's first line").contains("listening on");
        } finally {
            kme.destroy();
            kme.waitFor(15, TimeUnit.SECONDS);
        }

        // serve, then send, put (end-to-end encrypted to our own key) and get with the access token it made.
        Path served = tmp.resolve("served");
        Process server = command(home, none, "serve", "--host", "127.0.0.1", "--port", "0", "--dir", served.toString())
                .start();
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = null;
            for (String line; (line = lines.readLine()) != null; ) {
                m = Pattern.compile(
                                "listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), .*certificate (sha256:[0-9a-f]{64})")
                        .matcher(line);
                if (m.find()) {
                    break;
                }
            }
            assertThat(m).isNotNull();
            assertThat(m.find(0)).as("serve's listening line").isTrue();
            String address = "127.0.0.1:" + m.group(1);
            String pin = m.group(2);
            String tokenFile = home.resolve(ServeCommand.ACCESS_TOKEN_FILE).toString();
            assertThat(ok(home, none, "send", address, "--pin", pin, "--data", "hello jar")
                            .out())
                    .contains("hello jar");
            byte[] bytes = new byte[300_000];
            new Random(3).nextBytes(bytes);
            Path file = Files.write(tmp.resolve("file.bin"), bytes);
            Map<String, String> both = Map.of("VSTP_KEYRING_PASSPHRASE", "a passphrase long enough");
            ok(
                    home,
                    both,
                    "put",
                    file.toString(),
                    address + "/file.bin",
                    "--pin",
                    pin,
                    "--token-file",
                    tokenFile,
                    "--to",
                    "me");
            Path back = tmp.resolve("back.bin");
            ok(home, both, "get", address + "/file.bin", back.toString(), "--pin", pin, "--token-file", tokenFile);
            assertThat(back).hasBinaryContent(bytes);
        } finally {
            server.destroy();
            server.waitFor(15, TimeUnit.SECONDS);
        }
    }
}
