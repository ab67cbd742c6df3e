package io.vstp.cli;

import io.vstp.core.error.ErrorCode;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.SessionException;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsProvider;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.io.Console;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/**
 * How a client subcommand (send, put, get, bench) reaches and trusts a server: plaintext or TLS/DTLS, the
 * system trust store, {@code --ca}, {@code --pin}, remembered pins in the VSTP home, and what to do with an
 * unknown server (ask on a terminal; refuse without one unless {@code --tofu}).
 */
final class ClientOptions {
    @Option(names = "--plain", description = "No TLS/DTLS: plaintext, e.g. for the Rust crate (which gets wire v1).")
    boolean plain;

    @Option(names = "--ca", paramLabel = "FILE", description = "Also trust certificates issued by this CA (PEM).")
    Path ca;

    @Option(
            names = "--pin",
            paramLabel = "SHA256",
            description = "Trust only a server presenting this "
                    + "certificate fingerprint (as 'vstp serve' prints it). Repeatable.")
    List<String> pins = new ArrayList<>();

    @Option(
            names = "--cert",
            paramLabel = "PEM",
            description = "Client certificate chain, for servers that " + "require mutual TLS (TCP).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Private key for --cert.")
    Path key;

    @Option(
            names = "--tls-provider",
            paramLabel = "NAME",
            description = "TLS implementation: openssl (BoringSSL, the "
                    + "default when it loads), jdk, or bc (BouncyCastle's JSSE, needed for servers with ML-DSA "
                    + "certificates; "
                    + "chosen by itself when --ca or --cert holds one).")
    String tlsProvider;

    @Option(names = "--tofu", description = "Trust an unknown server on first use and remember its fingerprint.")
    boolean tofu;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "Connect and request timeout, e.g. 500ms, 30s, 2m (default ${DEFAULT-VALUE}).",
            converter = DurationConverter.class)
    Duration timeout;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "Bearer token (JWT or opaque) for servers that "
                    + "authenticate. Prefer --token-file or the VSTP_TOKEN environment variable: a command line is "
                    + "visible "
                    + "to other users of the machine.")
    String token;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "Read the bearer token from this file "
                    + "(re-read when the connection refreshes its credentials).")
    Path tokenFile;

    /** The token source of {@code --token} or {@code --token-file}, or null when neither is given. */
    java.util.function.Supplier<String> tokens() {
        if (token != null && tokenFile != null) {
            throw new CliException(ExitCodes.USAGE, "--token and --token-file: give one");
        }
        if (token != null) {
            String t = token.strip();
            return () -> t;
        }
        if (tokenFile == null) {
            return null;
        }
        String first = readToken(tokenFile);
        java.util.concurrent.atomic.AtomicReference<String> last =
                new java.util.concurrent.atomic.AtomicReference<>(first);
        return () -> {
            try {
                last.set(readToken(tokenFile));
            } catch (CliException e) {
                // keep the last good token: the refresh then fails on the server, not here
            }
            return last.get();
        };
    }

    private static String readToken(Path file) {
        try {
            if (java.nio.file.Files.size(file) > io.vstp.transport.session.SessionAuth.MAX_TOKEN_BYTES) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "token file " + file + " is larger than "
                                + io.vstp.transport.session.SessionAuth.MAX_TOKEN_BYTES + " bytes");
            }
            String t = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII)
                    .strip();
            if (t.isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "token file " + file + " is empty");
            }
            return t;
        } catch (java.io.IOException e) {
            throw new CliException(ExitCodes.IO, "cannot read token file " + file + ": " + e.getMessage());
        }
    }

    TlsClientOptions tls(boolean trustOnFirstUse) {
        TlsClientOptions.Builder b = TlsClientOptions.builder().trustOnFirstUse(trustOnFirstUse);
        if (ca != null) {
            b.caFile(ca);
        }
        for (String pin : pins) {
            try {
                b.pin(pin);
            } catch (RuntimeException e) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "bad --pin '" + pin + "': expected sha256: and 64 hex digits" + " as 'vstp serve' prints it");
            }
        }
        if ((cert == null) != (key == null)) {
            throw new CliException(ExitCodes.USAGE, "--cert and --key go together");
        }
        if (cert != null) {
            b.certificateChainFile(cert).privateKeyFile(key);
        }
        TlsProvider provider = TlsProviderChoice.parse(tlsProvider);
        if (provider == null
                && TlsProviderChoice.isAutomatic()
                && (TlsProviderChoice.holdsMlDsaCertificate(ca) || TlsProviderChoice.holdsMlDsaCertificate(cert))) {
            // An ML-DSA CA (or client certificate) is only of use with BCJSSE, the provider that speaks ML-DSA.
            provider = TlsProvider.BOUNCY_CASTLE;
        }
        return b.provider(provider).build();
    }

    @Option(
            names = "--wire",
            paramLabel = "VERSION",
            defaultValue = "2",
            description = "Highest wire version to "
                    + "offer: 2 (streams, HPACK headers, compression; falls back to 1 with servers that lack it) or 1.")
    int wire = 2;

    ProtocolOptions protocol() {
        if (wire != 1 && wire != 2) {
            throw new CliException(ExitCodes.USAGE, "--wire must be 1 or 2, was " + wire);
        }
        return ProtocolOptions.DEFAULT.withV2(wire == 2);
    }

    /**
     * Set by the commands a peer without sessions can answer (send, bench) before they connect; null for the
     * others (put and get need the files service, which such a peer lacks).
     */
    LegacyPeerOption legacyPeer;

    VstpClient client() {
        java.util.function.Supplier<String> tokens = tokens();
        VstpClient.Builder b = VstpClient.builder()
                .threads(1)
                .requestTimeout(timeout)
                .protocol(protocol())
                .bearerToken(tokens);
        if (legacyPeer != null) {
            b = legacyPeer.apply(b, plain, false, timeout, tokens != null);
        }
        return plain ? b.plain().build() : b.tls(tls(tofu)).build();
    }

    DtlsClientOptions dtls() {
        if (cert != null) {
            throw new CliException(ExitCodes.USAGE, "client certificates are not supported over DTLS yet");
        }
        return DtlsClientOptions.builder().tls(tls(tofu)).build();
    }

    /**
     * Connects over TCP, asking on a terminal whether to trust an unknown server. The returned connection belongs
     * to {@code client}.
     */
    VstpConnection connect(VstpClient client, Target target) throws InterruptedException {
        try {
            return client.connect(target.host(), target.port()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = VstpCommand.unwrap(e);
            CertificateVerificationException cv =
                    CertificateVerificationException.findIn(cause).orElse(null);
            if (cv != null
                    && cv.reason() == CertificateVerificationException.Reason.UNTRUSTED
                    && !plain
                    && !tofu
                    && pins.isEmpty()) {
                return askAndRetry(client, target, cv.presentedFingerprint());
            }
            throw translate(cause, target);
        } catch (TimeoutException e) {
            throw new CliException(
                    ExitCodes.UNREACHABLE,
                    "no answer from " + target + " within " + timeout.toMillis()
                            + " ms"
                            + (plain && legacyPeer != null
                                    ? " (a peer without sessions, such as the Rust crate, "
                                            + "never answers HELLO: use --legacy)"
                                    : ""));
        }
    }

    private VstpConnection askAndRetry(VstpClient ignored, Target target, String fingerprint)
            throws InterruptedException {
        Console console = System.console();
        String howTo = "run again with --pin " + fingerprint + " (or --tofu to trust and remember it)";
        if (console == null) {
            throw new CliException(
                    ExitCodes.TRUST,
                    "unknown server " + target + " presents certificate " + fingerprint + "; " + howTo);
        }
        String answer = console.readLine(
                "Server %s presents certificate%n  %s%nTrust it and remember? [y/N] ", target, fingerprint);
        if (answer == null || !answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y")) {
            throw new CliException(ExitCodes.TRUST, "server " + target + " not trusted; " + howTo);
        }
        tofu = true;
        VstpClient trusting = VstpClient.builder()
                .threads(1)
                .requestTimeout(timeout)
                .protocol(protocol())
                .bearerToken(tokens())
                .tls(tls(true))
                .build();
        try {
            VstpConnection c =
                    trusting.connect(target.host(), target.port()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!fingerprint.equals(c.peerCertificateFingerprint())) {
                c.close();
                throw new CliException(ExitCodes.TRUST, "server " + target + " changed its certificate while asking");
            }
            return new OwningConnection(c, trusting).connection();
        } catch (ExecutionException e) {
            trusting.close();
            throw translate(VstpCommand.unwrap(e), target);
        } catch (TimeoutException e) {
            trusting.close();
            throw new CliException(ExitCodes.UNREACHABLE, "no answer from " + target);
        }
    }

    /** Keeps the extra client alive as long as the connection; closes it when the connection closes. */
    private record OwningConnection(VstpConnection connection, VstpClient client) {
        OwningConnection {
            VstpClient c = client;
            connection.closeFuture().whenComplete((v, e) -> new Thread(c::close).start());
        }
    }

    /**
     * As {@link #translate}, for a failure once connected: a lost connection is not "cannot reach", and the way on
     * is to run the same command again (put and get resume).
     */
    static RuntimeException translateDuringTransfer(Throwable cause, Target target) {
        if (cause instanceof SessionException s && s.code() == ErrorCode.CONNECTION_CLOSED && !s.fromPeer()) {
            return new CliException(
                    ExitCodes.UNREACHABLE,
                    "connection to " + target + " lost during the transfer (" + s.detail()
                            + "); run the same command again to resume",
                    s);
        }
        return translate(cause, target);
    }

    static RuntimeException translate(Throwable cause, Target target) {
        if (cause instanceof SessionException s) {
            if (s.code() == ErrorCode.TLS_FAILED) {
                String detail = CertificateVerificationException.findIn(s)
                        .map(Throwable::getMessage)
                        .orElse(s.getMessage());
                return new CliException(ExitCodes.TRUST, "TLS with " + target + " refused: " + detail, s);
            }
            if (s.code() == ErrorCode.CONNECTION_CLOSED && !s.fromPeer()) {
                return new CliException(ExitCodes.UNREACHABLE, "cannot reach " + target + ": " + s.detail(), s);
            }
            return s;
        }
        return cause instanceof RuntimeException r
                ? r
                : new CliException(ExitCodes.FAILED, String.valueOf(cause), cause);
    }
}
