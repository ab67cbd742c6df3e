package io.vstp.cli;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.keys.KeyEntry;
import io.vstp.crypto.keys.KeyRing;
import io.vstp.crypto.keys.KeyRingException;
import io.vstp.crypto.keys.KeyType;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vstp keys}: the key ring of end-to-end encryption and signing keys (docs/guide/crypto.md, "Keys").
 * Every subcommand prints one result per line and nothing secret.
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = {
            "Manage the key ring: end-to-end encryption keys (for put --to) and signing keys (put --sign),",
            "your own and other people's public keys, in a passphrase-encrypted PKCS#12 file."
        },
        subcommands = {
            KeysCommand.Generate.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Rotate.class,
            KeysCommand.Export.class,
            KeysCommand.Import.class,
            KeysCommand.Retire.class
        })
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String describe(KeyEntry e) {
        return String.format(
                "%s  %-16s %-16s %-8s %s %s",
                e.id(),
                e.name(),
                e.type().id(),
                e.state().name().toLowerCase(java.util.Locale.ROOT),
                e.created().truncatedTo(ChronoUnit.SECONDS),
                e.own() ? "own" : "imported");
    }

    /** Resolves NAME-or-ID to a key: a 32-hex-digit id, else the active key of that name. */
    static KeyEntry resolve(KeyRing ring, String nameOrId, boolean signing) throws IOException {
        if (nameOrId.matches("[0-9a-f]{32}")) {
            return ring.find(KeyId.parse(nameOrId))
                    .orElseThrow(() -> new CliException(ExitCodes.USAGE, "no key " + nameOrId + " in " + ring.file()));
        }
        return ring.active(nameOrId, signing);
    }

    static <T> T run(KeyRingCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (KeyRingException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
    }

    interface KeyRingCall<T> {
        T call() throws IOException;
    }

    /** What every subcommand shares: the key ring options and the command's output. */
    abstract static class KeyRingCommand implements Callable<Integer> {
        @Mixin
        KeyRingOptions keyRing;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Parses a command-line value; what the parser refuses is a usage error with its message. */
        static <T> T parse(java.util.function.Function<String, T> parser, String value, String usage) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, usage != null ? usage : e.getMessage());
            }
        }
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = "Create a key. Another active key of the same name and kind becomes 'previous'.")
    static final class Generate extends KeyRingCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--type",
                defaultValue = "x25519-mlkem768",
                paramLabel = "TYPE",
                description = "x25519-mlkem768 (end-to-end encryption, default), ml-dsa-65 or ed25519 (signing).")
        String type;

        @Override
        public Integer call() throws Exception {
            KeyType t = parse(KeyType::fromId, type, null);
            try (KeyRing ring = keyRing.open(true)) {
                KeyEntry e = run(() -> ring.generate(name, t));
                out().println("generated " + describe(e));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys: id, name, type, state, created.")
    static final class ListKeys extends KeyRingCommand {
        @Override
        public Integer call() throws Exception {
            try (KeyRing ring = keyRing.open(false)) {
                List<KeyEntry> keys = run(ring::list);
                for (KeyEntry e : keys) {
                    out().println(describe(e));
                }
                if (keys.isEmpty()) {
                    out().println("(no keys)");
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = {
                "Replace the active key NAME with a new one of the same type; the old key stays for",
                "decryption and verification until retired. With --older-than, rotate every own active key older",
                "than DURATION (run it from cron or a systemd timer for scheduled rotation)."
            })
    static final class Rotate extends KeyRingCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;

        @Option(names = "--signing", description = "Rotate NAME's signing key (default: its encryption key).")
        boolean signing;

        @Option(
                names = "--older-than",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description = "Rotate all own active keys created more than DURATION ago, e.g. 90d.")
        Duration olderThan;

        @Override
        public Integer call() throws Exception {
            if ((name == null) == (olderThan == null)) {
                throw new CliException(ExitCodes.USAGE, "name a key, or give --older-than (not both)");
            }
            try (KeyRing ring = keyRing.open(false)) {
                List<KeyEntry> rotated = name != null
                        ? List.of(run(() -> ring.rotate(name, signing)))
                        : run(() -> ring.rotateOlderThan(olderThan, Instant.now()));
                for (KeyEntry e : rotated) {
                    out().println("rotated " + describe(e));
                }
                if (rotated.isEmpty()) {
                    out().println("no key older than " + olderThan);
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Print the public part of a key, one line, for others to 'vstp keys import'.")
    static final class Export extends KeyRingCommand {
        @Parameters(index = "0", paramLabel = "NAME|ID")
        String key;

        @Option(names = "--signing", description = "Export NAME's signing key (default: its encryption key).")
        boolean signing;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FILE",
                description = "Write to FILE instead of stdout.")
        Path output;

        @Override
        public Integer call() throws Exception {
            try (KeyRing ring = keyRing.open(false)) {
                String line =
                        run(() -> ring.exportPublic(resolve(ring, key, signing).id()));
                if (output != null) {
                    Files.writeString(output, line + "\n", StandardCharsets.US_ASCII);
                } else {
                    out().println(line);
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = "Add someone's public key (a 'vstp keys export' line) for put --to and signature checks.")
    static final class Import extends KeyRingCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "File holding the exported line ('-': stdin).")
        String file;

        @Option(
                names = "--name",
                paramLabel = "NAME",
                description = "Store it under this name instead of the exporter's.")
        String name;

        @Override
        public Integer call() throws Exception {
            String line = readExport(file);
            try (KeyRing ring = keyRing.open(true)) {
                KeyEntry e = run(() -> ring.importPublic(line, name));
                out().println("imported " + describe(e));
            }
            return ExitCodes.OK;
        }
    }

    /** Reads an exported public key line from a file or stdin, bounded. */
    static String readExport(String file) throws IOException {
        byte[] bytes = file.equals("-")
                ? System.in.readNBytes(8193)
                : Files.isReadable(Path.of(file)) && Files.size(Path.of(file)) <= 8192
                        ? Files.readAllBytes(Path.of(file))
                        : null;
        if (bytes == null || bytes.length > 8192) {
            throw new CliException(ExitCodes.IO, "cannot read a public key from " + file + " (at most 8 KiB)");
        }
        return new String(bytes, StandardCharsets.US_ASCII).strip();
    }

    @Command(
            name = "retire",
            mixinStandardHelpOptions = true,
            description = {
                "Destroy the private part of key ID: what was encrypted to it can no longer be read",
                "here. Its public part stays, to verify old signatures. Takes the full id on purpose."
            })
    static final class Retire extends KeyRingCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            KeyId keyId = parse(KeyId::parse, id, "retire takes a key's full id (32 hex digits, see vstp keys list)");
            try (KeyRing ring = keyRing.open(false)) {
                KeyEntry e = run(() -> ring.retire(keyId));
                out().println("retired " + describe(e));
            }
            return ExitCodes.OK;
        }
    }
}
