package io.vstp.cli;

import io.vstp.services.ServicesServer;
import io.vstp.services.files.FileService;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.tls.CertificateKeyType;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.TlsConfigException;
import io.vstp.transport.tls.TlsProvider;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vstp serve}: one server on TCP and UDP on the same port, TLS 1.3 and DTLS by default with the
 * auto-generated certificate, echo and files services. Runs until Ctrl-C or SIGTERM, then shuts down gracefully.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run a VSTP server on TCP and UDP (same port): echo, and files in --dir.",
            "Prints one line containing 'listening', the address and the certificate fingerprint when ready."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--host",
            defaultValue = "0.0.0.0",
            description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "6969",
            description = "TCP and UDP port; 0 picks a free one " + "(default ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--dir",
            defaultValue = "vstp-files",
            description = "Directory the files service serves " + "(default ./${DEFAULT-VALUE}; created if missing).")
    Path dir;

    @Option(names = "--plain", description = "No TLS/DTLS: plaintext, e.g. for the Rust crate (which gets wire v1).")
    boolean plain;

    @Option(
            names = "--cert",
            paramLabel = "PEM",
            description = "Certificate chain (default: self-signed, kept in the VSTP home).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "Private key for --cert.")
    Path key;

    @Option(
            names = "--client-ca",
            paramLabel = "PEM",
            description = "Require client certificates issued by this CA (TCP).")
    Path clientCa;

    @Option(
            names = "--tls-provider",
            paramLabel = "NAME",
            description = "TLS implementation: openssl (BoringSSL, the "
                    + "default when it loads), jdk, or bc (BouncyCastle's JSSE, needed for ML-DSA certificates and "
                    + "chosen "
                    + "by itself when --key is an ML-DSA key).")
    String tlsProvider;

    @Option(
            names = "--ticket-key-rotation",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "How often the key sealing TLS session tickets is "
                    + "replaced (default ${DEFAULT-VALUE}, at least 1s). A ticket resumes for one to two periods. 0s "
                    + "leaves "
                    + "the keys to BoringSSL; the JDK TLS provider always rotates its own.")
    java.time.Duration ticketKeyRotation;

    @Option(
            names = "--wire",
            paramLabel = "VERSION",
            defaultValue = "2",
            description = "Highest wire version to "
                    + "accept over TCP: 2 (clients that offer it get streams, HPACK headers, compression) or 1.")
    int wire;

    @Option(names = "--no-udp", description = "Serve TCP only.")
    boolean noUdp;

    @Option(
            names = "--auth-config",
            paramLabel = "FILE",
            description = "Authentication and authorisation settings "
                    + "(auth.* keys, Java properties; docs/guide/security.md). The config file's auth.* keys "
                    + "apply too.")
    Path authConfig;

    @Option(
            names = "--auth",
            paramLabel = "KEY=VALUE",
            description = "One auth.* setting, winning over the files, "
                    + "e.g. --auth auth.role.reader=echo,files:read. Repeatable.")
    java.util.Map<String, String> auth = new java.util.LinkedHashMap<>();

    @Option(
            names = "--dev-auth",
            description = "DEVELOPMENT ONLY: require tokens signed by the local development key "
                    + "('vstp token' issues them), with roles reader, writer and admin unless auth.role.* says "
                    + "otherwise.")
    boolean devAuth;

    @Option(
            names = "--partial-expiry",
            paramLabel = "DURATION",
            defaultValue = "24h",
            converter = DurationConverter.class,
            description = "Unfinished uploads (resumable) are deleted this "
                    + "long after their last write (default ${DEFAULT-VALUE}, at least 1s).")
    java.time.Duration partialExpiry;

    @Option(
            names = "--partial-quota",
            paramLabel = "BYTES",
            defaultValue = "16GiB",
            converter = ByteSizeConverter.class,
            description = "Room for unfinished uploads, all clients together "
                    + "(default ${DEFAULT-VALUE}); a chunk beyond it is refused.")
    long partialQuota;

    @Option(
            names = "--anonymous-read",
            description =
                    "Let clients without the access token read files (list, " + "get). Writing still needs the token.")
    boolean anonymousRead;

    @Option(
            names = "--anonymous-write",
            description = "UNSAFE on any shared network: no authentication at all. "
                    + "Anyone who can connect may read, upload and overwrite files in --dir.")
    boolean anonymousWrite;

    @Spec
    CommandSpec spec;

    /** The file of the default access token (decision 009), under the VSTP home. */
    static final String ACCESS_TOKEN_FILE = "access-token";

    /** The default access token, when this start uses it; printed in the client command. */
    private String accessToken;

    private Path accessTokenFile;
    /** This start made the token: it is shown once in full. */
    private boolean accessTokenCreated;

    @Override
    public Integer call() throws Exception {
        if ((cert == null) != (key == null)) {
            throw new CliException(ExitCodes.USAGE, "--cert and --key go together");
        }
        if (wire != 1 && wire != 2) {
            throw new CliException(ExitCodes.USAGE, "--wire must be 1 or 2, was " + wire);
        }
        if (partialExpiry.toMillis() < 1000) {
            throw new CliException(ExitCodes.USAGE, "--partial-expiry must be at least 1s, was " + partialExpiry);
        }
        // DTLS is not available in FIPS mode (docs/guide/fips.md): UDP, on by default, is left out with a note
        // rather than failing every default start; a client asking for DTLS is refused.
        boolean withUdp = !noUdp && (plain || !io.vstp.transport.fips.FipsMode.active());
        if (withUdp != !noUdp) {
            spec.commandLine()
                    .getErr()
                    .println("vstp: FIPS mode: serving TCP only (DTLS over UDP is not available in" + " FIPS mode)");
        }
        TlsServerOptions tls = tlsOptions();
        if (withUdp && mlDsaKey != null) {
            // DTLS here is 1.2, whose signature schemes have no ML-DSA: a default start serves TCP, as in FIPS mode.
            withUdp = false;
            spec.commandLine()
                    .getErr()
                    .println("vstp: " + mlDsaKey.displayName() + " certificate: serving TCP only "
                            + "(DTLS 1.2 has no ML-DSA)");
        }
        io.vstp.security.SecurityPolicy security = security();
        ServicesServer.Builder builder = ServicesServer.builder()
                .host(host)
                .port(port)
                .directory(dir)
                .udp(withUdp)
                .protocol(ProtocolOptions.DEFAULT.withV2(wire == 2))
                .accessControl(security)
                .partialUploads(new FileService.PartialUploads(partialExpiry, partialQuota));
        ServicesServer server;
        try {
            server = (tls == null ? builder.plain() : builder.tls(tls)).start();
        } catch (java.io.IOException e) {
            if (security != null) {
                security.close();
            }
            String m = String.valueOf(e.getMessage());
            throw new CliException(
                    ExitCodes.IO,
                    m + (m.startsWith("cannot listen on udp") ? " (use --no-udp to serve TCP only)" : ""),
                    e);
        } catch (RuntimeException | InterruptedException e) {
            if (security != null) {
                security.close();
            }
            throw e;
        }
        VstpCommand.enableServerLog();
        spec.commandLine().getOut().println("vstp: listening on " + server.description());
        if (accessToken != null) {
            // The token itself only when it is new or a person is watching: logs (journald, docker) keep it otherwise.
            boolean show = accessTokenCreated || System.console() != null;
            spec.commandLine()
                    .getOut()
                    .println("vstp: clients need the access token in " + accessTokenFile
                            + (show
                                    ? "; to connect from elsewhere:"
                                    : " (shown when it was made; cat it to hand it on)"));
            if (show) {
                spec.commandLine().getOut().println("vstp:   " + clientCommand(server));
            }
        }
        spec.commandLine().getOut().flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "vstp-serve-shutdown"));
        stopped.await();
        return ExitCodes.OK;
    }

    /**
     * The auth settings of a server that nobody configured (decision 009): the token in {@code tokenFile} proves the
     * owner, who may do everything; anyone else may use the echo (and read files with {@code anonymousRead}).
     */
    static java.util.Map<String, String> defaultAccess(Path tokenFile, boolean anonymousRead) {
        return java.util.Map.of(
                "auth.access-token-file",
                tokenFile.toString(),
                "auth.role.owner",
                "*",
                "auth.anonymous-roles",
                "anonymous",
                "auth.role.anonymous",
                anonymousRead ? "echo, files:read" : "echo");
    }

    /** The access control from the config file's auth.* keys, --auth-config, --auth and --dev-auth; null if none. */
    private io.vstp.security.SecurityPolicy security() throws java.io.IOException {
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        if (spec.defaultValueProvider() instanceof ConfigDefaults defaults) {
            settings.putAll(defaults.section(io.vstp.security.SecurityOptions.PREFIX));
        }
        if (authConfig != null) {
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader in = java.nio.file.Files.newBufferedReader(authConfig)) {
                p.load(in);
            } catch (java.io.IOException e) {
                throw new CliException(ExitCodes.IO, "cannot read --auth-config " + authConfig + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
        }
        settings.putAll(auth);
        Path home = io.vstp.transport.internal.HomeDirectory.resolve();
        boolean anySetting = devAuth
                || settings.keySet().stream().anyMatch(k -> k.startsWith(io.vstp.security.SecurityOptions.PREFIX));
        // Only settings that make the server authenticate replace the default token: auth.audit alone, say, must
        // not leave the server open.
        boolean configured;
        try {
            configured = devAuth || new io.vstp.security.SecurityOptions(settings, home, System.getenv()).enabled();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "auth configuration: " + e.getMessage());
        }
        if (!configured
                && !anonymousWrite
                && settings.keySet().stream().anyMatch(k -> k.startsWith("auth.") && !k.equals("auth.audit"))) {
            // Rules or options for an authenticator that is not there: a mistake to report, not to guess around.
            throw new CliException(
                    ExitCodes.USAGE,
                    "auth configuration: auth.* settings are given but nothing "
                            + "authenticates: set auth.access-token-file, auth.jwt.*, auth.introspection.*, "
                            + "auth.mtls.subject "
                            + "or auth.anonymous-roles (or give only auth.audit to keep the default access token)");
        }
        if (anonymousWrite) {
            if (anySetting || anonymousRead) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "--anonymous-write turns authentication off: it cannot go "
                                + "with --anonymous-read, --dev-auth, --auth-config, --auth or auth.* settings");
            }
            spec.commandLine()
                    .getErr()
                    .println("vstp: WARNING --anonymous-write: no authentication; anyone who can "
                            + "reach this server may read, upload and overwrite files in " + dir.toAbsolutePath());
            return null;
        }
        if (!configured) {
            // Decision 009: by default a token this server creates once proves its owner; strangers may use the echo
            // (the Rust crate's clients do), and read files only with --anonymous-read.
            accessTokenFile = home.resolve(ACCESS_TOKEN_FILE);
            try {
                accessTokenCreated = !java.nio.file.Files.exists(accessTokenFile);
                accessToken = io.vstp.security.token.AccessTokenAuthenticator.loadOrCreate(
                        accessTokenFile, new java.security.SecureRandom());
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, e.getMessage());
            }
            String ownerRole = settings.get("auth.role.owner");
            settings.putAll(defaultAccess(accessTokenFile, anonymousRead));
            if (ownerRole != null) {
                settings.put("auth.role.owner", ownerRole);
            }
        } else if (anonymousRead) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--anonymous-read goes with the default access token; with an "
                            + "auth configuration, give anonymous peers roles with auth.anonymous-roles");
        }
        if (devAuth) {
            java.util.Map<String, String> dev = io.vstp.security.SecurityOptions.developmentSettings(home);
            dev.forEach(settings::putIfAbsent);
            if (settings.keySet().stream().noneMatch(k -> k.startsWith("auth.role."))) {
                settings.putAll(io.vstp.security.SecurityOptions.developmentRoles());
            }
            spec.commandLine()
                    .getErr()
                    .println("vstp: WARNING --dev-auth: tokens signed by the development key in "
                            + home.resolve(io.vstp.security.SecurityOptions.DEV_DIRECTORY)
                            + " are trusted; never use this "
                            + "in production");
        }
        io.vstp.security.SecurityOptions config;
        io.vstp.security.SecurityPolicy policy;
        try {
            config = new io.vstp.security.SecurityOptions(settings, home, System.getenv());
            policy = config.build();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "auth configuration: " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw new CliException(ExitCodes.IO, "auth configuration: " + e.getMessage());
        }
        if (policy == null) {
            // Unreachable by the rules above; kept so that no future path can start an open server unannounced.
            throw new CliException(
                    ExitCodes.USAGE,
                    "the auth settings make nothing authenticate; add one "
                            + "(docs/guide/security.md) or serve with --anonymous-write");
        }
        spec.commandLine()
                .getOut()
                .println("vstp: authentication required; roles "
                        + policy.rules().rules().keySet() + "; audit log " + config.auditDestination());
        policy.plugins()
                .ifPresent(r -> spec.commandLine()
                        .getOut()
                        .println("vstp: plugins "
                                + (r.plugins().isEmpty() ? "none loaded" : r.plugins())
                                + r.directory().map(d -> ", watching " + d).orElse("")));
        return policy;
    }

    /**
     * What a client elsewhere pastes: the token in the environment (not on its command line, which other users of
     * its machine can see), the address, and the pin of this server's certificate.
     */
    private String clientCommand(ServicesServer server) {
        String address = host;
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                address = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                address = "HOST";
            }
        }
        return "VSTP_TOKEN=" + accessToken + " vstp put FILE " + ServicesServer.display(address) + ":" + server.port()
                + "/" + (server.fingerprint() != null ? " --pin " + server.fingerprint() : " --plain");
    }

    /** The ML-DSA type of --key, or null (no --key, or another kind of key); set by {@link #tlsOptions()}. */
    private CertificateKeyType mlDsaKey;

    private TlsServerOptions tlsOptions() {
        if (plain) {
            return null;
        }
        TlsServerOptions.Builder b = TlsServerOptions.builder();
        if (cert != null) {
            b.certificateChainFile(cert).privateKeyFile(key);
            mlDsaKey = mlDsaTypeOfKey(key);
        }
        TlsProvider provider = TlsProviderChoice.parse(tlsProvider);
        if (provider == null && mlDsaKey != null && TlsProviderChoice.isAutomatic()) {
            // Only BCJSSE can use an ML-DSA key: choosing it beats refusing with advice to choose it.
            provider = TlsProvider.BOUNCY_CASTLE;
            spec.commandLine()
                    .getErr()
                    .println("vstp: " + mlDsaKey.displayName() + " certificate: using the " + provider.displayName()
                            + " TLS provider");
        }
        b.provider(provider);
        if (clientCa != null) {
            b.clientCaFile(clientCa);
        }
        try {
            return b.sessionTicketKeyRotation(ticketKeyRotation).build();
        } catch (io.vstp.transport.tls.TlsConfigException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    /** Null when the file cannot be read: starting the server then reports that, naming the file. */
    private static CertificateKeyType mlDsaTypeOfKey(Path keyFile) {
        try {
            return CertificateKeyType.mlDsaTypeOf(PemFiles.readPrivateKey(keyFile));
        } catch (TlsConfigException e) {
            return null;
        }
    }
}
