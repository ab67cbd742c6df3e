package io.vstp.cli;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.transport.SessionException;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.fips.NotFipsApprovedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code vstp} command. Each subcommand is its own class; this one wires them, the version, the completion
 * script, configuration defaults (flags, then {@code VSTP_*} variables, then the config file) and the mapping of
 * failures to one line on stderr and an exit code ({@link ExitCodes}).
 */
@Command(
        name = "vstp",
        mixinStandardHelpOptions = true,
        versionProvider = VstpCommand.Version.class,
        description = "VSTP: secure transfer of messages and files over TCP (TLS 1.3) and UDP (DTLS).",
        subcommands = {
            ServeCommand.class,
            SendCommand.class,
            PutCommand.class,
            GetCommand.class,
            RemoteFilesCommands.Ls.class,
            RemoteFilesCommands.Stat.class,
            RemoteFilesCommands.Rm.class,
            RemoteFilesCommands.Mv.class,
            InspectCommand.class,
            BenchCommand.class,
            CertCommand.class,
            TokenCommand.class,
            KeysCommand.class,
            QkdSimulatorCommand.class,
            DemoCommand.class,
            AutoComplete.GenerateCompletion.class
        },
        footer = {
            "",
            "Exit codes: 0 ok, 1 failed, 2 bad usage, 3 unreachable, 4 trust refused (TLS, signature, tampered file), "
                    + "5 local I/O,"
                    + " 6 credentials, permission or decryption key refused, 130 interrupted.",
            "Configuration: flags, then VSTP_* variables, then $VSTP_CONFIG or" + " ~/.vstp/config.properties."
        })
public final class VstpCommand implements Runnable {
    @Option(
            names = "--verbose",
            description = "Print stack traces of errors; with send --json, the security line " + "on stderr.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    /**
     * Read from the parse result, not this field (picocli sets an inherited option on the subcommand that got it).
     * Accepted only by the FIPS build, which switches FIPS mode on before this class runs; the regular build
     * refuses it rather than run outside FIPS mode.
     */
    @Option(
            names = "--fips",
            description = "Run on the BouncyCastle FIPS module's approved algorithms only "
                    + "(needs the FIPS build: ./vstp --fips, or java -jar vstp-fips.jar; docs/guide/fips.md).",
            scope = CommandLine.ScopeType.INHERIT)
    boolean fips;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        quietLogging();
        plainBuffersForOneShotCommands(args);
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Commands that make one transfer and exit. Netty's pooling allocator pays off in a process that runs for
     * hours; in one that runs for seconds it only costs: its code was a third of what the JIT compiled during a
     * 1 GiB get (1.3 of 3.9 s of C2 time, JFR), and its chunks stay in memory to the end. These commands allocate
     * plain direct buffers, freed on release; serve, bench and the QKD simulator keep the pools
     * (docs/benchmarks.md, transfer).
     */
    static final java.util.Set<String> ONE_SHOT =
            java.util.Set.of("send", "put", "get", "ls", "stat", "rm", "mv", "demo");

    /** Before any Netty class loads; an allocator chosen with -Dio.netty.allocator.type stays. */
    static void plainBuffersForOneShotCommands(String[] args) {
        if (System.getProperty("io.netty.allocator.type") != null) {
            return;
        }
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                if (ONE_SHOT.contains(arg)) {
                    System.setProperty("io.netty.allocator.type", "unpooled");
                }
                return;
            }
        }
    }

    /**
     * The libraries log through SLF4J, which slf4j-jdk14 hands to java.util.logging, at INFO (certificate generation,
     * trust on first use); a command prints its own one-line results, so only warnings show unless VSTP_LOG asks for
     * more (e.g. VSTP_LOG=info).
     */
    private static void quietLogging() {
        // One line per record: time, level, logger, message (the JDK's default takes two lines).
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        String level = System.getenv().getOrDefault("VSTP_LOG", "warning");
        java.util.logging.Level l;
        try {
            l = java.util.logging.Level.parse(level.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            l = java.util.logging.Level.WARNING;
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(l);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(l);
        }
    }

    /** Held, so that its level is not lost when the logger would otherwise be collected. */
    private static final java.util.logging.Logger SERVER_LOG = java.util.logging.Logger.getLogger("io.vstp.serve");

    /**
     * {@code vstp serve} logs one line per transfer and per refused request (logger {@code io.vstp.serve}) at INFO,
     * unless VSTP_LOG chose a level: a server's operator wants them, a client's user does not.
     */
    static void enableServerLog() {
        if (System.getenv("VSTP_LOG") != null) {
            return;
        }
        SERVER_LOG.setLevel(java.util.logging.Level.INFO);
        for (java.util.logging.Handler h :
                java.util.logging.Logger.getLogger("").getHandlers()) {
            if (h.getLevel().intValue() > java.util.logging.Level.INFO.intValue()) {
                h.setLevel(java.util.logging.Level.INFO);
            }
        }
    }

    /** Runs the command as {@code main} would, with the given streams, and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl;
        try {
            cl = commandLine();
        } catch (CliException e) {
            err.println("vstp: " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
        cl.setOut(out);
        cl.setErr(err);
        if (cl.getDefaultValueProvider() instanceof ConfigDefaults defaults) {
            String unknown = defaults.unknownKey(cl);
            if (unknown != null) {
                err.println("vstp: " + unknown);
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VstpCommand());
        cl.setDefaultValueProvider(ConfigDefaults.fromEnvironment());
        cl.setExecutionExceptionHandler(VstpCommand::handle);
        cl.setExecutionStrategy(VstpCommand::refuseFipsWithoutFipsMode);
        cl.setParameterExceptionHandler((ex, args) -> {
            String suggestion = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty()) {
                // A mistyped subcommand or option: name the closest one this command has, if any is close.
                String typed = u.getUnmatched().get(0);
                CommandLine.Model.CommandSpec at = ex.getCommandLine().getCommandSpec();
                java.util.stream.Stream<String> candidates = typed.startsWith("-")
                        ? at.options().stream().flatMap(o -> java.util.Arrays.stream(o.names()))
                        : at.subcommands().keySet().stream();
                String closest = candidates
                        .min(java.util.Comparator.comparingInt(c -> ConfigDefaults.distance(c, typed)))
                        .orElse(null);
                if (closest != null && ConfigDefaults.distance(closest, typed) <= Math.max(2, typed.length() / 3)) {
                    suggestion = "; did you mean '" + closest + "'?";
                }
            }
            ex.getCommandLine()
                    .getErr()
                    .println("vstp: " + ex.getMessage() + suggestion + " (see '"
                            + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        cl.getSubcommands()
                .get("generate-completion")
                .getCommandSpec()
                .usageMessage()
                .hidden(false);
        return cl;
    }

    /**
     * {@code --fips} in the regular build, given or set by {@code VSTP_FIPS} or the config file: refused before
     * anything runs, so that a command meant for FIPS mode never quietly runs outside it.
     */
    private static int refuseFipsWithoutFipsMode(CommandLine.ParseResult parse) {
        if (!FipsMode.active() && (matches(parse, "--fips") || fipsByDefault(parse))) {
            CommandLine cl = parse.commandSpec().commandLine();
            cl.getErr()
                    .println("vstp: --fips"
                            + (matches(parse, "--fips") ? "" : " (set by VSTP_FIPS or fips= in " + "the config file)")
                            + " needs the FIPS build of vstp, which runs on the BouncyCastle FIPS "
                            + "module; this one does not. Run ./vstp --fips ... from the source tree (it "
                            + "builds "
                            + "vstp-fips/target/vstp-fips.jar), or java -jar vstp-fips.jar ...; see "
                            + "docs/guide/fips.md");
            cl.getErr().flush();
            return ExitCodes.USAGE;
        }
        return new CommandLine.RunLast().execute(parse);
    }

    /** Whether {@code --fips} is on without being on the command line: its default came from the environment. */
    private static boolean fipsByDefault(CommandLine.ParseResult parse) {
        for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) {
            CommandLine.Model.OptionSpec option = p.commandSpec().findOption("--fips");
            if (option != null && Boolean.TRUE.equals(option.getValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(CommandLine.ParseResult parse, String option) {
        for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) {
            if (p.matchedOption(option) != null) {
                return true;
            }
        }
        return false;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parse) {
        Throwable t = unwrap(e);
        boolean verbose = matches(parse, "--verbose");
        PrintWriter err = cl.getErr();
        int code = exitCode(t);
        err.println("vstp: " + message(t));
        if (verbose) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException
                        || t instanceof ExecutionException
                        || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static int exitCode(Throwable t) {
        if (t instanceof CliException c) {
            return c.exitCode();
        }
        if (t instanceof InterruptedException) {
            return ExitCodes.INTERRUPTED;
        }
        if (t instanceof NotFipsApprovedException || t instanceof io.vstp.crypto.RefusedInFipsModeException) {
            return ExitCodes.USAGE;
        }
        if (t instanceof VstpException v) {
            if (v.code() == ErrorCode.TLS_FAILED) {
                return ExitCodes.TRUST;
            }
            if (v.code() == ErrorCode.UNAUTHENTICATED || v.code() == ErrorCode.PERMISSION_DENIED) {
                return ExitCodes.DENIED;
            }
            if (v.code() == ErrorCode.CONNECTION_CLOSED || v.code() == ErrorCode.HANDSHAKE_TIMEOUT) {
                return ExitCodes.UNREACHABLE;
            }
            return ExitCodes.FAILED;
        }
        if (t instanceof IOException) {
            return ExitCodes.IO;
        }
        return ExitCodes.FAILED;
    }

    private static String message(Throwable t) {
        if (t instanceof SessionException s && s.fromPeer()) {
            return "server refused: " + s.getMessage();
        }
        String m = t.getMessage();
        return m != null && !m.isBlank() ? m : t.getClass().getSimpleName();
    }

    /** {@code --version}: the build's version and the runtime. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = VstpCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "dev"
            }
            // The wire versions a client offers and a server accepts by default (--wire 1 keeps to v1).
            String wire = io.vstp.transport.ProtocolOptions.DEFAULT.v2() ? "wire v2, v1" : "wire v1";
            return new String[] {
                "vstp " + p.getProperty("version", "dev") + " (" + wire + "; Java "
                        + Runtime.version() + ", " + io.vstp.transport.EventLoops.mechanism()
                        + (FipsMode.active() ? "; FIPS mode: " + FipsMode.describe() : "") + ")"
            };
        }
    }
}
