package io.vstp.cli;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.crypto.KeyId;
import io.vstp.crypto.e2e.EncryptedFiles;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.e2e.RecipientKeys;
import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.sign.Manifest;
import io.vstp.crypto.sign.SignatureAlgorithm;
import io.vstp.crypto.sign.SignedManifest;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.DatagramRequester;
import io.vstp.services.Requester;
import io.vstp.services.ServicesServer;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.FilesProtocol;
import io.vstp.transport.tls.TlsServerOptions;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vstp demo}: the main job on an embedded default. A server in-process as {@code vstp serve} starts it (TLS
 * 1.3 and DTLS, self-signed certificate and access token in a temporary home), a client without the token refused,
 * a generated file uploaded and downloaded over TLS and over DTLS, and once more
 * end-to-end encrypted and signed, each copy checked by SHA-256, and a short report. Leaves nothing behind.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start a default server in-process (access token required to write) and move a file over TLS 1.3 "
                + "and DTLS, verified; prints a report.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "32", description = "File size in MiB (default ${DEFAULT-VALUE}).")
    int mib;

    @Option(names = "--keep", description = "Keep the temporary directory (certificates, files) and print it.")
    boolean keep;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("vstp-demo-");
        try {
            return run(out, work);
        } finally {
            if (keep) {
                out.println("kept " + work);
            } else {
                delete(work);
            }
        }
    }

    private int run(PrintWriter out, Path work) throws Exception {
        Path file = work.resolve("demo.bin");
        generate(file, (long) mib << 20);
        // Neither DTLS nor end-to-end encryption is available in FIPS mode (docs/guide/fips.md): the demo skips them.
        boolean fips = io.vstp.transport.fips.FipsMode.active();
        boolean dtls = !fips;
        // The server vstp serve starts when nobody configured it (decision 009): its access token proves the owner.
        Path serverHome = work.resolve("server-home");
        Path tokenFile = serverHome.resolve(ServeCommand.ACCESS_TOKEN_FILE);
        io.vstp.security.token.AccessTokenAuthenticator.loadOrCreate(tokenFile, new SecureRandom());
        io.vstp.security.SecurityPolicy policy = new io.vstp.security.SecurityOptions(
                        ServeCommand.defaultAccess(tokenFile, false), serverHome, java.util.Map.of())
                .build();
        try (ServicesServer server = ServicesServer.builder()
                .port(0)
                .directory(work.resolve("served"))
                .tls(TlsServerOptions.builder().home(serverHome).build())
                .udp(dtls)
                .accessControl(policy)
                .start()) {
            out.println("server   " + server.description());
            ClientOptions trust = new ClientOptions();
            trust.pins.add(server.fingerprint()); // the demo knows its own server: pin it, no prompt
            trust.timeout = Duration.ofSeconds(60);
            Target target = new Target("127.0.0.1", server.port(), "");
            String expected = FilesProtocol.sha256(file, Files.size(file));
            Progress silent = new Progress(out, 0, 0, false);
            strangerRefused(out, trust, target, file);
            trust.tokenFile = tokenFile;

            try (ConnectionRequester tls = Requesters.tcp(trust, target)) {
                out.println("tls      " + tls.security() + ", ALPN "
                        + tls.connection().applicationProtocol());
                FilesClient t = new FilesClient(tls);
                if (fips) {
                    // The FIPS commands start through their own main class: here the transfers run in this JVM.
                    report(out, "put/tls", t.put(file, "demo.bin", false, silent), expected);
                    report(out, "get/tls", t.get("demo.bin", work.resolve("back-tls.bin"), silent), expected);
                } else {
                    List<String> asUser = List.of(
                            "--pin", server.fingerprint(), "--token-file", tokenFile.toString(), "--timeout", "60s");
                    String remote = "127.0.0.1:" + server.port() + "/demo.bin";
                    out.println("commands vstp put / vstp get, each a new process as you would run it: "
                            + "vstp put demo.bin " + remote + " --pin … --token-file …");
                    Path clientHome = work.resolve("client-home");
                    report(out, "put/tls", command(clientHome, "put", file.toString(), remote, asUser), expected);
                    report(
                            out,
                            "get/tls",
                            command(
                                    clientHome,
                                    "get",
                                    remote,
                                    work.resolve("back-tls.bin").toString(),
                                    asUser),
                            expected);
                }
                latency(out, tls);
                if (fips) {
                    out.println("e2e      skipped: end-to-end encryption is not available in FIPS mode");
                } else {
                    endToEnd(out, t, file, work, expected);
                }
            }
            if (dtls) {
                try (DatagramRequester udp = Requesters.udp(trust, target)) {
                    FilesClient t = new FilesClient(udp);
                    FilesClient.Result put = t.put(file, "demo-dtls.bin", false, silent);
                    out.println("dtls     " + udp.security());
                    report(out, "put/dtls", put, expected);
                    report(out, "get/dtls", t.get("demo-dtls.bin", work.resolve("back-dtls.bin"), silent), expected);
                }
            } else {
                out.println("dtls     skipped: DTLS is not available in FIPS mode");
            }
            for (String name : dtls ? new String[] {"back-tls.bin", "back-dtls.bin"} : new String[] {"back-tls.bin"}) {
                if (!FilesProtocol.sha256(work.resolve(name), Files.size(work.resolve(name)))
                        .equals(expected)) {
                    throw new CliException(ExitCodes.FAILED, name + " differs from what was sent");
                }
            }
        }
        out.println("OK: " + mib + " MiB moved over TLS 1.3"
                + (fips ? " (FIPS mode: no DTLS, no end-to-end encryption)" : " and DTLS 1.2, and end-to-end encrypted")
                + ", with the access token a default server requires"
                + ", every copy verified");
        return ExitCodes.OK;
    }

    /** What the default server does with a client that has its pin but not its token: echo yes, upload no. */
    private static void strangerRefused(PrintWriter out, ClientOptions trust, Target target, Path file)
            throws Exception {
        try (ConnectionRequester stranger = Requesters.tcp(trust, target)) {
            new FilesClient(stranger).put(file, "stranger.bin", false, Progress.silent());
            throw new CliException(ExitCodes.FAILED, "auth: a client without the token could upload");
        } catch (io.vstp.core.error.VstpException e) {
            if (e.code() != io.vstp.core.error.ErrorCode.PERMISSION_DENIED) {
                throw e;
            }
            out.println("auth     access token required to write (decision 009): a client without it was refused ("
                    + e.code() + ")");
        }
    }

    /**
     * The file encrypted end to end to a fresh X25519+ML-KEM-768 key and uploaded, its manifest signed with ML-DSA-65;
     * the server holds only ciphertext; the download matches the signed manifest and decrypts to the original.
     */
    private static void endToEnd(PrintWriter out, FilesClient t, Path file, Path work, String expected)
            throws Exception {
        SecureRandom random = new SecureRandom();
        HybridKem.KeyPair recipient = HybridKem.generate(random);
        byte[] signingKey = SignatureAlgorithm.ML_DSA_65.generatePrivateKey(random);
        byte[] verifyingKey = SignatureAlgorithm.ML_DSA_65.publicKeyOf(signingKey);
        Path sealed = work.resolve("demo.vse");
        EncryptedFiles.encrypt(file, sealed, List.of(new Recipient(recipient.publicKey())), random);
        Progress silent = Progress.silent();
        FilesClient.Result put = t.put(sealed, "demo-e2e.bin", false, silent);
        SignedManifest signed = SignedManifest.sign(
                new Manifest(
                        "demo-e2e.bin",
                        put.bytes(),
                        put.sha256(),
                        true,
                        Instant.now(),
                        KeyId.of(verifyingKey),
                        SignatureAlgorithm.ML_DSA_65),
                signingKey,
                random);
        FilesClient.Result back = t.get("demo-e2e.bin", work.resolve("back-e2e.vse"), silent);
        boolean signatureOk =
                signed.verify(verifyingKey) && signed.manifest().sha256().equals(back.sha256());
        RecipientKeys keys = id -> id.equals(KeyId.of(recipient.publicKey()))
                ? recipient.privateKey().clone()
                : null;
        EncryptedFiles.decrypt(work.resolve("back-e2e.vse"), work.resolve("back-e2e.bin"), keys);
        String decrypted = FilesProtocol.sha256(work.resolve("back-e2e.bin"), Files.size(work.resolve("back-e2e.bin")));
        if (!EncryptedFiles.isEncrypted(work.resolve("served").resolve("demo-e2e.bin"))) {
            throw new CliException(ExitCodes.FAILED, "end-to-end: the server holds something other than ciphertext");
        }
        if (!signatureOk || !decrypted.equals(expected)) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "end-to-end: " + (signatureOk ? "decrypted copy differs" : "signature did not verify"));
        }
        out.printf(
                "e2e      %s + ChaCha20-Poly1305: the server stored %s of ciphertext; ML-DSA-65 manifest "
                        + "signature valid; decrypted copy verified%n",
                HybridKem.NAME, Progress.bytes(put.bytes()));
    }

    private static void report(PrintWriter out, String what, FilesClient.Result r, String expected) {
        boolean ok = r.sha256().equals(expected);
        out.printf(
                java.util.Locale.ROOT,
                "%-8s %s in %.2f s = %.1f MiB/s, sha256 %s %s%n",
                what,
                Progress.bytes(r.bytes()),
                r.seconds(),
                r.bytes() / 1048576.0 / Math.max(r.seconds(), 1e-3),
                r.sha256().substring(0, 16) + "…",
                ok ? "verified" : "MISMATCH");
        if (!ok) {
            throw new CliException(ExitCodes.FAILED, what + ": checksum mismatch");
        }
    }

    /**
     * JVM options a transfer command must not inherit: agents and debuggers (a fixed port would clash), recordings,
     * remote management, logs written to a file, and this JVM's CDS archive dump.
     */
    private static final List<String> NOT_INHERITED = List.of(
            "-javaagent",
            "-agentlib",
            "-agentpath",
            "-Xrun",
            "-Xdebug",
            "-Dcom.sun.management",
            "-XX:ArchiveClassesAtExit",
            "-XX:StartFlightRecording",
            "-XX:FlightRecorderOptions");

    /** Environment variables that would bring those options back, or settings of the user's own commands. */
    private static boolean inherited(String variable) {
        return !(variable.startsWith("VSTP_") && !variable.equals("VSTP_LOG"))
                && !List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
                        .contains(variable);
    }

    /**
     * Runs {@code vstp OP FROM TO [asUser] --json} as a new process, as a user runs it: the same Java, class path
     * and JVM options as this one (the launcher's), its own home and none of the user's settings. The figures a
     * fresh command gets are what a user sees; this JVM's, warmed up by the run so far, would flatter them
     * (docs/benchmarks.md).
     */
    private static FilesClient.Result command(Path home, String op, String from, String to, List<String> asUser)
            throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option :
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            boolean logFile = option.startsWith("-Xlog") && option.contains("file=");
            if (!logFile && NOT_INHERITED.stream().noneMatch(option::startsWith)) {
                cmd.add(option);
            }
        }
        cmd.add("-D" + io.vstp.transport.internal.HomeDirectory.PROPERTY + "=" + home); // after any inherited one
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VstpCommand.class.getName(), op, from, to));
        cmd.addAll(asUser);
        cmd.add("--json");
        Files.createDirectories(home);
        Path stdout = home.resolve(op + ".out");
        Path stderr = home.resolve(op + ".err");
        ProcessBuilder builder =
                new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(variable -> !inherited(variable));
        builder.environment().put("VSTP_HOME", home.toString());
        Process p = builder.start();
        try {
            p.getOutputStream().close(); // nothing to read: a command that asks gets end of input at once
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                throw new CliException(ExitCodes.FAILED, "vstp " + op + " did not finish within 10 minutes");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor();
            }
        }
        String json = Files.readString(stdout);
        java.util.regex.Matcher m = RESULT.matcher(json);
        if (p.exitValue() != 0 || !m.find()) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "vstp " + op + " failed (exit " + p.exitValue() + "): "
                            + (json + Files.readString(stderr)).strip());
        }
        return new FilesClient.Result(Long.parseLong(m.group(1)), 0, m.group(2), Double.parseDouble(m.group(3)), false);
    }

    /** The fields of {@code put/get --json} the report needs ({@link TransferReport#json}). */
    private static final java.util.regex.Pattern RESULT =
            java.util.regex.Pattern.compile("\"bytes\":(\\d+),.*\"sha256\":\"([0-9a-f]{64})\",\"seconds\":([0-9.]+)");

    /** Round trips of small echo requests, 16 in flight, as HdrHistogram percentiles. */
    private static void latency(PrintWriter out, Requester requester) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int n = 2000;
        long start = System.nanoTime();
        CompletableFuture<?>[] window = new CompletableFuture<?>[16];
        for (int i = 0; i < n; i++) {
            int slot = i % window.length;
            if (window[slot] != null) {
                window[slot].get(10, TimeUnit.SECONDS);
            }
            long sent = System.nanoTime();
            window[slot] = requester
                    .request(Frame.builder(FrameType.DATA).payload("ping " + i).build())
                    .thenAccept(f -> {
                        h.recordValue(System.nanoTime() - sent);
                        f.release();
                    });
        }
        CompletableFuture.allOf(
                        Stream.of(window).filter(java.util.Objects::nonNull).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                "latency  %d echo requests over TLS, 16 in flight: %.0f req/s, p50 %d µs, p99 %d µs, "
                        + "p99.9 %d µs, max %d µs%n",
                n,
                n / seconds,
                h.getValueAtPercentile(50) / 1000,
                h.getValueAtPercentile(99) / 1000,
                h.getValueAtPercentile(99.9) / 1000,
                h.getMaxValue() / 1000);
    }

    private static void generate(Path file, long size) throws java.io.IOException {
        Random random = new Random(2026);
        byte[] block = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += block.length) {
                random.nextBytes(block);
                o.write(block, 0, (int) Math.min(block.length, size - done));
            }
        }
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
