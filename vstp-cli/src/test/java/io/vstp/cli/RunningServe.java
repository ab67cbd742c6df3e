package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vstp serve} as a separate process on 127.0.0.1 for the CLI tests: its port, certificate pin and access token
 * file, its log drained (so the pipe never fills and stalls it), and SIGTERM on close.
 */
record RunningServe(Process process, int port, String fingerprint, Path tokenFile, List<String> log)
        implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), .*certificate (sha256:[0-9a-f]{64})");

    /**
     * Starts {@code vstp serve --dir served ARGS} with its own VSTP home (on any free port unless ARGS name one) and
     * waits for its listening line.
     */
    static RunningServe start(Path home, Path served, String... args) throws IOException {
        List<String> all =
                new java.util.ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--dir", served.toString()));
        if (!List.of(args).contains("--port")) {
            all.addAll(List.of("--port", "0"));
        }
        all.addAll(List.of(args));
        Process p = CliEndToEndTest.vstp(home, all.toArray(String[]::new));
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Matcher found = null;
        for (String line; found == null && (line = lines.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            found = m.find() ? m : null;
        }
        if (found == null) {
            p.destroyForcibly();
        }
        assertThat(found).as("serve printed its listening line").isNotNull();
        List<String> log = new CopyOnWriteArrayList<>();
        Thread drain = new Thread(
                () -> {
                    try {
                        for (String l; (l = lines.readLine()) != null; ) {
                            log.add(l);
                        }
                    } catch (IOException e) {
                        // the server stopped
                    }
                },
                "serve-log");
        drain.setDaemon(true);
        drain.start();
        return new RunningServe(
                p, Integer.parseInt(found.group(1)), found.group(2), home.resolve(ServeCommand.ACCESS_TOKEN_FILE), log);
    }

    /** {@code 127.0.0.1:PORT/path}. */
    String address(String path) {
        return "127.0.0.1:" + port + "/" + path;
    }

    /** A client command against this server with its pin and access token, run in-process. */
    CliEndToEndTest.Run authed(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--pin", fingerprint, "--token-file", tokenFile.toString()));
        return CliEndToEndTest.run(all.toArray(String[]::new));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: graceful shutdown
        assertThat(process.waitFor(15, TimeUnit.SECONDS))
                .as("serve stops on SIGTERM")
                .isTrue();
    }
}
