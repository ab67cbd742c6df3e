package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.services.files.FileService;
import io.vstp.services.files.FilesProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command end to end: {@code vstp serve} as a separate process (stopped with SIGTERM), and the client
 * commands run in-process against it over real sockets on 127.0.0.1.
 */
class CliEndToEndTest {
    @TempDir
    static Path tmp;

    private static RunningServe server;
    private static int port;
    private static String fingerprint;
    private static Path served;

    /** A subprocess running {@code vstp ARGS} on this JVM's classpath, with its own VSTP home. */
    static Process vstp(Path home, String... args) throws IOException {
        return vstpWithHeap(null, home, args);
    }

    /** As {@link #vstp}, with the JVM's heap capped at {@code maxHeap} (e.g. "64m") when not null. */
    static Process vstpWithHeap(String maxHeap, Path home, String... args) throws IOException {
        return command(maxHeap, home, args).redirectErrorStream(true).start();
    }

    /** The command line of {@code vstp ARGS} as a subprocess, standard output and error kept apart. */
    static ProcessBuilder command(String maxHeap, Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        if (maxHeap != null) {
            cmd.add("-Xmx" + maxHeap);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VstpCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("VSTP_HOME", home.toString());
        return pb;
    }

    @BeforeAll
    static void startServer() throws Exception {
        served = tmp.resolve("served");
        server = RunningServe.start(tmp.resolve("server-home"), served, "--ticket-key-rotation", "10m");
        port = server.port();
        fingerprint = server.fingerprint();
        serverLog = server.log();
        // Safe by default (decision 009): the server made an access token, and printed the command that carries it.
        tokenFile = server.tokenFile();
        String token = Files.readString(tokenFile)
                .lines()
                .filter(l -> l.startsWith("vstp-at-"))
                .findFirst()
                .orElseThrow()
                .split(" ")[0];
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> serverLog.size() >= 2);
        String printed = String.join("\n", serverLog.subList(0, 2));
        assertThat(printed)
                .contains(tokenFile.toString())
                .contains("VSTP_TOKEN=" + token)
                .contains(":" + port + "/ --pin " + fingerprint);
    }

    /** The server's log from its listening line on: one line per transfer and per refused request. */
    private static List<String> serverLog;

    /** Waits (boundedly) for a line of the server's log containing every one of {@code parts}. */
    private static void assertLogged(String... parts) {
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(serverLog)
                        .as("a server log line with %s", List.of(parts))
                        .anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains)));
    }

    /** The server's access token, as its owner passes it: a file only the owner can read. */
    static Path tokenFile;

    /** {@link #run} of a client command with the server's access token. */
    static Run authed(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--token-file";
        all[args.length + 1] = tokenFile.toString();
        return run(all);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
        assertThat(server.process().exitValue()).isIn(0, 143);
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // Bounded: a command that should have failed but serves instead (serve runs until stopped) fails the test
        // rather than the whole build.
        java.util.concurrent.FutureTask<Integer> task = new java.util.concurrent.FutureTask<>(
                () -> VstpCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true)));
        Thread t = new Thread(task, "vstp " + String.join(" ", args));
        t.setDaemon(true);
        t.start();
        int code;
        try {
            code = task.get(300, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("vstp " + List.of(args) + " did not finish within 300 s; it said: " + out + err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
        return new Run(code, out.toString(), err.toString());
    }

    private static String addr(String path) {
        return "127.0.0.1:" + port + (path.isEmpty() ? "" : "/" + path);
    }

    private static Path randomFile(String name, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        new Random(bytes).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    private static String sha(Path p) throws IOException {
        return FilesProtocol.sha256(p, Files.size(p));
    }

    @Test
    void putThenGetRoundTripsOverTlsWithIdenticalSha256() throws Exception {
        Path file = randomFile("round.bin", 3 * 1024 * 1024 + 123);
        Run put = authed("put", file.toString(), addr("dir/round.bin"), "--pin", fingerprint);
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out()).contains("TLSv1.3").contains(sha(file));
        Path back = tmp.resolve("round-back.bin");
        Run get = authed("get", addr("dir/round.bin"), back.toString(), "--pin", fingerprint);
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(sha(back)).isEqualTo(sha(file));
        assertThat(sha(served.resolve("dir/round.bin"))).isEqualTo(sha(file));
        try (Stream<Path> left = Files.list(served.resolve("dir"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("round.bin");
        }
    }

    /** Both wires: v2 streams the chunks (put on one stream, get as one streamed answer), v1 pipelines requests. */
    @org.junit.jupiter.params.ParameterizedTest(name = "wire {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1", "2"})
    void putThenGetOnEachWire(String wire) throws Exception {
        Path file = randomFile("wire" + wire + ".bin", 5 * 1024 * 1024 + 7);
        Run put = authed("put", file.toString(), addr("wire" + wire + ".bin"), "--pin", fingerprint, "--wire", wire);
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out()).contains("wire v" + wire);
        Path back = tmp.resolve("wire" + wire + "-back.bin");
        Run get = authed("get", addr("wire" + wire + ".bin"), back.toString(), "--pin", fingerprint, "--wire", wire);
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(get.out()).contains("wire v" + wire);
        assertThat(sha(back)).isEqualTo(sha(file));
    }

    /** Nothing is replaced without being asked: a remote file without put --force, a local one without get --force. */
    @Test
    void existingFilesAreReplacedOnlyWithForce() throws Exception {
        Path first = randomFile("v1.bin", 50_000);
        Path second = randomFile("v2.bin", 60_000);
        assertThat(authed("put", first.toString(), addr("keep.bin"), "--pin", fingerprint)
                        .code())
                .isZero();
        Run same = authed("put", first.toString(), addr("keep.bin"), "--pin", fingerprint);
        assertThat(same.code()).as(same.err()).isZero();
        assertThat(same.out()).contains("already there with the same content");

        Run other = authed("put", second.toString(), addr("keep.bin"), "--pin", fingerprint);
        assertThat(other.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(other.err())
                .hasLineCount(1)
                .contains("ALREADY_EXISTS")
                .contains("keep.bin exists")
                .contains("--force");
        assertThat(served.resolve("keep.bin")).hasSameBinaryContentAs(first);
        Run forced = authed("put", second.toString(), addr("keep.bin"), "--pin", fingerprint, "--force");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(served.resolve("keep.bin")).hasSameBinaryContentAs(second);
        assertLogged("INFO io.vstp.serve: refused put-begin keep.bin for owner@", "ALREADY_EXISTS");
        assertLogged("INFO io.vstp.serve: stored keep.bin (60000 bytes, sha256 " + sha(second) + ") from owner@");

        Files.createDirectories(served.resolve("adir"));
        Run overDir = authed("put", first.toString(), addr("adir"), "--pin", fingerprint, "--force");
        assertThat(overDir.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(overDir.err()).contains("adir is a directory");
        try (Stream<Path> left = Files.list(served.resolve("adir"))) {
            assertThat(left).as("nothing left behind").isEmpty();
        }

        Path local = Files.writeString(tmp.resolve("local.bin"), "precious");
        Run refused = authed("get", addr("keep.bin"), local.toString(), "--pin", fingerprint);
        assertThat(refused.code()).isEqualTo(ExitCodes.IO);
        assertThat(refused.err()).hasLineCount(1).contains("local.bin exists; get --force replaces it");
        assertThat(local).hasContent("precious");
        Run replaced = authed("get", addr("keep.bin"), local.toString(), "--pin", fingerprint, "--force");
        assertThat(replaced.code()).as(replaced.err()).isZero();
        assertThat(local).hasSameBinaryContentAs(second);

        // Never through a symbolic link, never over a FIFO, --force or not.
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere.txt"), "untouched");
        Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), elsewhere);
        Run throughLink = authed("get", addr("keep.bin"), link.toString(), "--pin", fingerprint, "--force");
        assertThat(throughLink.code()).isEqualTo(ExitCodes.IO);
        assertThat(throughLink.err()).contains("symbolic link");
        assertThat(elsewhere).hasContent("untouched");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        Path fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor())
                .isZero();
        Run overFifo = authed("get", addr("keep.bin"), fifo.toString(), "--pin", fingerprint, "--force");
        assertThat(overFifo.code()).isEqualTo(ExitCodes.IO);
        assertThat(overFifo.err()).contains("not a regular file");
        assertThat(Files.isRegularFile(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isFalse();
    }

    /** {@code put -} reads standard input, {@code get ... -} writes standard output; reports go to standard error. */
    @Test
    void dashMeansStandardInputAndOutput() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 11];
        new Random(11).nextBytes(data);
        Process put = command(
                        null,
                        tmp.resolve("client-home"),
                        "put",
                        "-",
                        addr("from-stdin.bin"),
                        "--pin",
                        fingerprint,
                        "--token-file",
                        tokenFile.toString())
                .redirectErrorStream(true)
                .start();
        try (var in = put.getOutputStream()) {
            in.write(data);
        }
        String putOut = new String(put.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(put.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(put.exitValue()).as(putOut).isZero();
        assertThat(putOut).contains("put standard input -> ");
        assertThat(served.resolve("from-stdin.bin")).hasBinaryContent(data);

        Path err = tmp.resolve("get-stderr.txt");
        Process get = command(
                        null,
                        tmp.resolve("client-home"),
                        "get",
                        addr("from-stdin.bin"),
                        "-",
                        "--pin",
                        fingerprint,
                        "--token-file",
                        tokenFile.toString())
                .redirectError(err.toFile())
                .start();
        byte[] got = get.getInputStream().readAllBytes();
        assertThat(get.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(get.exitValue()).as(Files.readString(err)).isZero();
        assertThat(got).as("standard output holds the file alone").isEqualTo(data);
        assertThat(Files.readString(err))
                .contains("-> standard output")
                .contains(sha(served.resolve("from-stdin.bin")));
        assertThat(tmp.resolve("-")).doesNotExist();

        Run unnamed = authed("put", "-", addr(""), "--pin", fingerprint);
        assertThat(unnamed.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unnamed.err()).contains("name the remote file");
    }

    private static void signal(String name, Process process) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                        .start()
                        .waitFor())
                .as("kill -%s %d", name, process.pid())
                .isZero();
    }

    /** Ctrl-C during a download: exit 130, one line saying how to resume, and only the resumable partial stays. */
    @Test
    void interruptedDownloadSaysHowToResume() throws Exception {
        Path file = randomFile("sigint.bin", 128 * 1024 * 1024);
        assertThat(authed("put", file.toString(), addr("sigint.bin"), "--pin", fingerprint)
                        .code())
                .isZero();
        Path target = Files.createDirectories(tmp.resolve("sigint")).resolve("sigint.bin");
        Path partial = target.resolveSibling(".vstp-part-sigint.bin");
        ProcessBuilder get = command(
                null,
                tmp.resolve("client-home"),
                "get",
                addr("sigint.bin"),
                target.toString(),
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile.toString());
        // A shell without job control starts `&` children with SIGINT ignored (tools/repeat-tests.sh runs so), and a
        // JVM that starts with SIGINT ignored never sees Ctrl-C: give the client the default, as a terminal's shell
        // does (GNU env 8.31 or later).
        get.command().addAll(0, List.of("env", "--default-signal=INT"));
        Process client = get.redirectErrorStream(true).start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> !client.isAlive() || Files.exists(partial) && Files.size(partial) >= 8L * 1024 * 1024);
        // The server holds still while the client is interrupted, so the download cannot finish in between.
        assertThat(client.isAlive())
                .as(
                        "the client ended before it was interrupted: %s",
                        client.isAlive()
                                ? ""
                                : new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isTrue();
        signal("STOP", server.process());
        try {
            signal("INT", client);
            assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            signal("CONT", server.process());
        }
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.exitValue()).as(out).isEqualTo(ExitCodes.INTERRUPTED);
        assertThat(out).contains("interrupted during the download of sigint.bin; run the same command again to resume");
        assertThat(target).doesNotExist();
        try (Stream<Path> left = Files.list(target.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly(".vstp-part-sigint.bin");
        }
        Run again = authed("get", addr("sigint.bin"), target.toString(), "--pin", fingerprint);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("resumed at");
        assertThat(sha(target)).isEqualTo(sha(file));
        Files.delete(file);
    }

    /** Names of 255 bytes, the file-system limit, work both ways: the temporary names beside them still fit. */
    @Test
    void fileNamesOf255BytesWorkBothWays() throws Exception {
        for (String name : List.of("n".repeat(251) + ".bin", "é".repeat(127) + "x")) {
            assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(255);
            Path dir = Files.createDirectories(tmp.resolve("long-" + name.length()));
            byte[] data = new byte[200_000];
            new Random(name.length()).nextBytes(data);
            Path file = Files.write(dir.resolve(name), data);
            Run put = authed("put", file.toString(), addr("long/" + name), "--pin", fingerprint);
            assertThat(put.code()).as(put.err()).isZero();
            assertThat(served.resolve("long").resolve(name)).hasBinaryContent(data);
            Path back = Files.createDirectories(tmp.resolve("long-back-" + name.length()))
                    .resolve(name);
            Run get = authed("get", addr("long/" + name), back.toString(), "--pin", fingerprint);
            assertThat(get.code()).as(get.err()).isZero();
            assertThat(back).hasBinaryContent(data);
            try (Stream<Path> left = Files.list(back.getParent())) {
                assertThat(left).as("nothing but the file").containsExactly(back);
            }
        }
    }

    /** Over DTLS an unknown server or a wrong pin is refused as over TCP: at once, exit 4, the pin to use named. */
    @Test
    void dtlsFollowsTheSameTrustRulesAsTls() {
        long start = System.nanoTime();
        Run unknown = run("send", addr(""), "--udp", "--data", "x");
        assertThat(unknown.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(unknown.err()).hasLineCount(1).contains("--pin " + fingerprint);
        Run wrong = run(
                "get",
                addr("keep.bin"),
                tmp.resolve("never.bin").toString(),
                "--udp",
                "--pin",
                "sha256:" + "00".repeat(32));
        assertThat(wrong.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(wrong.err()).hasLineCount(1);
        assertThat(tmp.resolve("never.bin")).doesNotExist();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(20));
    }

    @Test
    void putAndGetSpeakJsonOrKeepQuiet() throws Exception {
        Path f = randomFile("json.bin", 10_000);
        Run put = authed("put", f.toString(), addr("json.bin"), "--pin", fingerprint, "--json");
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out())
                .hasLineCount(1)
                .startsWith("{\"op\":\"put\"")
                .contains("\"bytes\":10000")
                .contains("\"sha256\":\"" + sha(f) + "\"")
                .contains("\"unchanged\":false");
        Path back = tmp.resolve("json-back.bin");
        Run get = authed("get", addr("json.bin"), back.toString(), "--pin", fingerprint, "--quiet");
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(get.out()).isEmpty();
        assertThat(get.err()).isEmpty();
        assertThat(back).hasSameBinaryContentAs(f);
    }

    /** ls and stat read, rm writes: the same rules as get and put, and the same one-line errors. */
    @Test
    void lsStatAndRmWorkOnTheServedFilesUnderTheSameRules() throws Exception {
        Path f = randomFile("remote-ops.bin", 5000);
        assertThat(authed("put", f.toString(), addr("ops/a.bin"), "--pin", fingerprint)
                        .code())
                .isZero();
        Files.createDirectories(served.resolve("ops/sub"));
        Files.write(served.resolve("ops/.vstp-part-0123456789abcdef-b.bin"), new byte[10]);
        Run ls = authed("ls", addr("ops"), "--pin", fingerprint, "--json");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out())
                .hasLineCount(1)
                .contains("{\"name\":\"a.bin\",\"type\":\"file\",\"size\":5000}")
                .contains("{\"name\":\"sub\",\"type\":\"directory\"")
                .doesNotContain(".vstp-part-");
        Run stat = authed("stat", addr("ops/a.bin"), "--pin", fingerprint);
        assertThat(stat.code()).as(stat.err()).isZero();
        assertThat(stat.out()).contains("5000 bytes").contains(sha(f));

        Run stranger = run("rm", addr("ops/a.bin"), "--pin", fingerprint);
        assertThat(stranger.code()).isEqualTo(ExitCodes.DENIED);
        assertThat(served.resolve("ops/a.bin")).exists();
        Run rm = authed("rm", addr("ops/a.bin"), "--pin", fingerprint, "--json");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(rm.out()).contains("\"removed\":true");
        assertThat(served.resolve("ops/a.bin")).doesNotExist();
        Run again = authed("rm", addr("ops/a.bin"), "--pin", fingerprint);
        assertThat(again.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).hasLineCount(1).contains("NOT_FOUND");
        Run dir = authed("rm", addr("ops/sub"), "--pin", fingerprint);
        assertThat(dir.err()).contains("is a directory");
        assertThat(served.resolve("ops/sub")).isDirectory();
    }

    @Test
    void errorsNameTheCauseInTheUsersWords() throws Exception {
        Run refused = run("send", "127.0.0.1:1", "--data", "x", "--plain");
        assertThat(refused.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(refused.err())
                .hasLineCount(1)
                .contains("connection refused by 127.0.0.1:1")
                .doesNotContain("finishConnect")
                .doesNotContain("error(");
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        Run notADir =
                authed("get", addr("dir/round.bin"), aFile.resolve("child.bin").toString(), "--pin", fingerprint);
        assertThat(notADir.code()).isEqualTo(ExitCodes.IO);
        assertThat(notADir.err())
                .hasLineCount(1)
                .contains("not a directory: cannot write " + aFile.resolve("child.bin"));
        Run typo = run("sned", "127.0.0.1:1");
        assertThat(typo.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(typo.err()).hasLineCount(1).contains("did you mean 'send'?");
        Run option = run("send", "--plan", "127.0.0.1:1");
        assertThat(option.err()).contains("did you mean '--plain'?");
    }

    @Test
    void sendEchoesOverTlsAndUdp() {
        Run tls = authed(
                "send",
                addr(""),
                "--data",
                "{\"content\":\"hi\"}",
                "-H",
                "content-type=application/json",
                "--pin",
                fingerprint,
                "--json");
        assertThat(tls.code()).as(tls.err()).isZero();
        assertThat(tls.out())
                .contains("\"payload\":\"{\\\"content\\\":\\\"hi\\\"}\"")
                .contains("\"key\":\"content-type\",\"value\":\"application/json\"");
        // Over UDP, which carries no credentials, the echo is open to anonymous peers (services.md §2a).
        Run udp = run("send", addr(""), "--data", "over dtls", "--udp", "--pin", fingerprint, "--json");
        assertThat(udp.code()).as(udp.err()).isZero();
        assertThat(udp.out()).contains("\"payload\":\"over dtls\"").doesNotContain("msg-id");
    }

    /**
     * The security line, key-exchange group included, follows the reply; with --json stdout stays the reply alone
     * and --verbose (before or after the subcommand) puts the line on stderr.
     */
    @Test
    void sendShowsTheNegotiatedTlsGroup() {
        // BoringSSL on both sides agrees on the hybrid; the JDK provider does not report a group.
        String group = io.vstp.transport.tls.TlsProvider.OPENSSL.isAvailable() ? " X25519MLKEM768" : "";
        String line = "over TLSv1\\.3 TLS_\\S+" + group + ", server certificate " + fingerprint;
        Run human = authed("send", addr(""), "--data", "hi", "--pin", fingerprint);
        assertThat(human.code()).as(human.err()).isZero();
        assertThat(human.out()).contains("hi").containsPattern(line);

        Run json = authed("send", addr(""), "--data", "hi", "--pin", fingerprint, "--json");
        assertThat(json.code()).as(json.err()).isZero();
        assertThat(json.out()).hasLineCount(1).startsWith("{").doesNotContain("TLSv1.3");
        assertThat(json.err()).isEmpty();

        Run verbose = authed("send", addr(""), "--data", "hi", "--pin", fingerprint, "--json", "--verbose");
        assertThat(verbose.code()).as(verbose.err()).isZero();
        assertThat(verbose.out()).hasLineCount(1).doesNotContain("TLSv1.3");
        assertThat(verbose.err()).containsPattern(line);
        Run verboseFirst = run("--verbose", "send", addr(""), "--data", "hi", "--pin", fingerprint, "--json");
        assertThat(verboseFirst.err()).containsPattern(line);
    }

    @Test
    void serveTakesATicketKeyRotationPeriodOfAtLeastASecond() {
        Run help = run("serve", "--help");
        assertThat(help.out()).contains("--ticket-key-rotation=DURATION").contains("default 1h");
        Run tooShort = run(
                "serve",
                "--ticket-key-rotation",
                "500ms",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-udp",
                "--dir",
                tmp.resolve("never-served").toString());
        assertThat(tooShort.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooShort.err()).contains("at least 1 s").hasLineCount(1);
        assertThat(run("serve", "--ticket-key-rotation", "soon").code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void traversalAndSymlinkEscapeAreRefused() throws Exception {
        Run up = authed("get", addr("../../etc/passwd"), tmp.resolve("x").toString(), "--pin", fingerprint);
        assertThat(up.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(up.err())
                .contains("PATH_REFUSED")
                .doesNotContain("Exception")
                .hasLineCount(1);
        Path outside = randomFile("outside.bin", 100);
        Files.createDirectories(served);
        Files.createSymbolicLink(served.resolve("link.bin"), outside);
        Run link = authed("get", addr("link.bin"), tmp.resolve("y").toString(), "--pin", fingerprint);
        assertThat(link.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(link.err()).contains("PATH_REFUSED");
        Run put = authed("put", outside.toString(), addr("../escape.bin"), "--pin", fingerprint);
        assertThat(put.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(Files.exists(tmp.resolve("escape.bin"))).isFalse();
    }

    @Test
    void unknownServerIsRefusedWithoutATerminalNamingItsFingerprint() {
        Run r = authed("send", addr(""), "--data", "x");
        assertThat(r.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(r.err())
                .contains(fingerprint)
                .contains("--pin")
                .contains("--tofu")
                .hasLineCount(1);
    }

    /**
     * On a terminal an unknown server's fingerprint is shown and the user is asked; "y" trusts and remembers it,
     * "n" refuses. The terminal is a real pseudo-terminal from util-linux {@code script}.
     */
    @Test
    void unknownServerOnATerminalAsksAndRemembers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/script"))
                        && new ProcessBuilder("/usr/bin/script", "-qec", "true", "/dev/null")
                                        .start()
                                        .waitFor()
                                == 0,
                "needs util-linux script and a pseudo-terminal");
        Path home = tmp.resolve("tty-home");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String command = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
                + VstpCommand.class.getName() + " send " + addr("") + " --data from-a-terminal";

        Process no = scriptWithInput(home, command, "n\n");
        String noOut = new String(no.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(no.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(noOut)
                .contains(fingerprint)
                .contains("Trust it and remember?")
                .contains("not trusted");
        assertThat(Files.exists(home.resolve("known_hosts"))).isFalse();

        Process yes = scriptWithInput(home, command, "y\n");
        String yesOut = new String(yes.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(yes.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(yesOut).contains("from-a-terminal");
        assertThat(Files.readString(home.resolve("known_hosts"))).contains(fingerprint);

        // Remembered: no question the second time, even without a terminal.
        Process again = vstp(home, "send", addr(""), "--data", "remembered");
        String againOut = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(againOut).isZero();
        assertThat(againOut).contains("remembered");
    }

    private static Process scriptWithInput(Path home, String command, String input) throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder("/usr/bin/script", "-qec", command, "/dev/null").redirectErrorStream(true);
        pb.environment().put("VSTP_HOME", home.toString());
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        return p;
    }

    @Test
    void wrongPinIsRefused() {
        Run r = authed("send", addr(""), "--data", "x", "--pin", "sha256:" + "00".repeat(32));
        assertThat(r.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(r.err()).hasLineCount(1);
    }

    /** Kill the uploading client half-way; the next run continues from what the server verified. */
    @Test
    void killedUploadResumes() throws Exception {
        Path file = randomFile("resume.bin", 192 * 1024 * 1024);
        Process client = vstp(
                tmp.resolve("client-home"),
                "put",
                file.toString(),
                addr("resume.bin"),
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile.toString());
        long partial = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(CliEndToEndTest::partialSize, size -> size >= 16L * 1024 * 1024 || !client.isAlive());
        client.destroyForcibly();
        client.waitFor(10, TimeUnit.SECONDS);
        assertThat(partial).as("the upload was under way when killed").isGreaterThanOrEqualTo(16L * 1024 * 1024);
        assertThat(Files.exists(served.resolve("resume.bin")))
                .as("nothing under the final name")
                .isFalse();

        Run again = authed("put", file.toString(), addr("resume.bin"), "--pin", fingerprint);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("resumed at");
        assertThat(sha(served.resolve("resume.bin"))).isEqualTo(sha(file));
    }

    /** Kill a download half-way; the next run continues from the verified prefix of its partial file. */
    @Test
    void killedDownloadResumes() throws Exception {
        Path file = randomFile("down.bin", 160 * 1024 * 1024);
        Run put = authed("put", file.toString(), addr("down.bin"), "--pin", fingerprint);
        assertThat(put.code()).as(put.err()).isZero();
        Path target = tmp.resolve("downloads/down.bin");
        Files.createDirectories(target.getParent());
        Path partial = target.resolveSibling(".vstp-part-down.bin");
        Process client = vstp(
                tmp.resolve("client-home"),
                "get",
                addr("down.bin"),
                target.toString(),
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile.toString());
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> !client.isAlive() || Files.exists(partial) && Files.size(partial) >= 16L * 1024 * 1024);
        client.destroyForcibly();
        client.waitFor(10, TimeUnit.SECONDS);
        assertThat(Files.exists(target)).as("nothing under the final name").isFalse();
        assertThat(Files.size(partial)).isGreaterThanOrEqualTo(16L * 1024 * 1024);

        Run again = authed("get", addr("down.bin"), target.toString(), "--pin", fingerprint);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("resumed at");
        assertThat(sha(target)).isEqualTo(sha(file));
        assertThat(Files.exists(partial)).isFalse();
    }

    /** 1 GiB through a client whose heap is capped at 64 MiB: memory stays flat whatever the file size. */
    @Test
    void oneGibibyteUploadWithA64MebibyteHeap() throws Exception {
        Path big = tmp.resolve("one-gib.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30); // sparse: costs no disk on the sending side
            f.seek((1L << 30) - 5);
            f.write("end!\n".getBytes(StandardCharsets.US_ASCII));
        }
        Process client = vstpWithHeap(
                "64m",
                tmp.resolve("client-home"),
                "put",
                big.toString(),
                addr("one-gib.bin"),
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile.toString());
        assertThat(client.waitFor(300, TimeUnit.SECONDS))
                .as("1 GiB upload finished")
                .isTrue();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.exitValue()).as(out).isZero();
        Path stored = served.resolve("one-gib.bin");
        try {
            assertThat(Files.size(stored)).isEqualTo(1L << 30);
            assertThat(out).contains(sha(big));
        } finally {
            Files.deleteIfExists(stored);
            Files.deleteIfExists(big);
        }
    }

    private static long partialSize() throws IOException {
        if (!Files.isDirectory(served)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(served)) {
            return s.filter(p -> p.getFileName().toString().startsWith(FileService.PARTIAL_PREFIX))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        }
    }

    @Test
    void badArgumentsGiveTheUsageExitCodeAndOneLine() {
        Run none = run("send");
        assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err().lines().filter(l -> !l.isBlank()).count()).isEqualTo(1);
        Run badPort = run("send", "127.0.0.1:99999");
        assertThat(badPort.code()).isEqualTo(ExitCodes.USAGE);
        Run missing = authed("put", tmp.resolve("does-not-exist").toString(), addr(""));
        assertThat(missing.code()).isEqualTo(ExitCodes.IO);
        Run unknown = run("frobnicate");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void plainServerEchoesForPlainClients() throws Exception {
        Process plain = vstp(
                tmp.resolve("plain-home"),
                "serve",
                "--plain",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dir",
                tmp.resolve("plain-served").toString(),
                "--no-udp");
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.UTF_8));
            int plainPort = -1;
            for (String line; (line = lines.readLine()) != null; ) {
                Matcher m = Pattern.compile("listening on tcp 127\\.0\\.0\\.1:(\\d+), plaintext")
                        .matcher(line);
                if (m.find()) {
                    plainPort = Integer.parseInt(m.group(1));
                    break;
                }
            }
            Run r = run("send", "127.0.0.1:" + plainPort, "--plain", "--data", "hello plain");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("hello plain");
        } finally {
            plain.destroy();
            plain.waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void versionAndCompletion() {
        Run v = run("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("vstp ").contains("wire v2, v1");
        Run c = run("generate-completion");
        assertThat(c.code()).isZero();
        assertThat(c.out()).contains("complete").contains("serve").contains("put");
    }
}
