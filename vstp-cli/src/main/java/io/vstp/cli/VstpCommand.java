package io.vstp.cli;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.transport.SessionException;
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
@Command(name = "vstp", mixinStandardHelpOptions = true, versionProvider = VstpCommand.Version.class,
        description = "VSTP: secure transfer of messages and files over TCP (TLS 1.3) and UDP (DTLS).",
        subcommands = {ServeCommand.class, SendCommand.class, PutCommand.class, GetCommand.class,
                InspectCommand.class, BenchCommand.class, CertCommand.class, TokenCommand.class, KeysCommand.class, QkdSimulatorCommand.class,
                DemoCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 ok, 1 failed, 2 bad usage, 3 unreachable, 4 trust refused (TLS, signature, tampered file), 5 local I/O,"
                + " 6 credentials, permission or decryption key refused, 130 interrupted.", "Configuration: flags, then VSTP_* variables, then $VSTP_CONFIG or"
                + " ~/.vstp/config.properties."})
public final class VstpCommand implements Runnable {
    @Option(names = "--verbose", description = "Print stack traces of errors; with send --json, the security line "
            + "on stderr.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        quietLogging();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * The libraries log through java.util.logging at INFO (certificate generation, trust on first use); a command
     * prints its own one-line results, so only warnings show unless VSTP_LOG asks for more (e.g. VSTP_LOG=info).
     */
    private static void quietLogging() {
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

    /** Runs the command as {@code main} would, with the given streams, and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VstpCommand());
        cl.setDefaultValueProvider(ConfigDefaults.fromEnvironment());
        cl.setExecutionExceptionHandler(VstpCommand::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("vstp: " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parse) {
        Throwable t = unwrap(e);
        boolean verbose = parse.matchedOption("--verbose") != null
                || parse.subcommand() != null && hasVerbose(parse);
        PrintWriter err = cl.getErr();
        int code = exitCode(t);
        err.println("vstp: " + message(t));
        if (verbose) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static boolean hasVerbose(CommandLine.ParseResult parse) {
        for (CommandLine.ParseResult p = parse; p != null; p = p.subcommand()) {
            if (p.matchedOption("--verbose") != null) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof UncheckedIOException) && t.getCause() != null) {
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
            return new String[] {"vstp " + p.getProperty("version", "dev") + " (wire v1; Java "
                    + Runtime.version() + ", " + io.vstp.transport.EventLoops.mechanism() + ")"};
        }
    }
}
