package io.vstp.cli;

import io.vstp.crypto.keys.KeyEntry;
import io.vstp.crypto.sign.SignedManifest;
import io.vstp.services.Requester;
import io.vstp.services.files.FilesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vstp put}: upload a file, resumable and verified end to end. */
@Command(
        name = "put",
        mixinStandardHelpOptions = true,
        description = {
            "Upload FILE to a server's files service.",
            "Resumes an interrupted upload of the same content; the server checks the SHA-256 and renames the",
            "file into place atomically, so nothing partial is ever visible under its name."
        })
final class PutCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "FILE",
            description = "The file to upload; - reads standard input (then " + "name the remote file).")
    Path file;

    @Parameters(
            index = "1",
            paramLabel = "HOST[:PORT][/remote-path]",
            description = "Server and remote path (default: the file's name).")
    String destination;

    @Option(names = "--json", description = "Print the result as one JSON object on standard output.")
    boolean json;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing but errors (no progress, no result line).")
    boolean quiet;

    @Option(
            names = "--force",
            description = "Replace the remote file if it exists with other content (without "
                    + "it, an existing file is never replaced).")
    boolean force;

    @Option(
            names = {"-r", "--recursive"},
            description = {
                "Upload the folder FILE and everything below it, each file "
                        + "resumable and verified; the destination path names the folder (with a trailing / the folder "
                        + "it goes "
                        + "into). Symbolic links are not followed."
            })
    boolean recursive;

    @Option(names = "--udp", description = "Over UDP with DTLS (or plaintext UDP with --plain).")
    boolean udp;

    @Option(
            names = "--to",
            paramLabel = "RECIPIENT",
            description = {
                "Encrypt end to end for RECIPIENT (repeatable): a "
                        + "key name in the key ring or a file with an exported public key. X25519+ML-KEM-768 and "
                        + "ChaCha20-Poly1305: the server stores ciphertext it cannot read."
            })
    List<String> to = new ArrayList<>();

    @Option(
            names = "--sign",
            paramLabel = "NAME",
            description = "Sign the stored file's manifest (name, size, "
                    + "SHA-256) with NAME's signing key; stored beside it as REMOTE.vstp-sig and checked by get.")
    String sign;

    @Mixin
    ClientOptions client;

    @Mixin
    KeyRingOptions keyRing;

    @Mixin
    QkdOptions qkd;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (recursive) {
            return uploadFolder();
        }
        if (Files.isDirectory(file)) {
            throw new CliException(ExitCodes.USAGE, file + " is a folder: put -r uploads it with everything below it");
        }
        if (!file.toString().equals("-")) {
            return upload(file, file.toString(), true);
        }
        Target named = Target.parse(destination);
        if (named.path().isEmpty() || named.path().endsWith("/")) {
            throw new CliException(ExitCodes.USAGE, "name the remote file for standard input: put - HOST[:PORT]/path");
        }
        Path spooled = spoolStandardInput();
        try (ResumeHint hint = ResumeHint.line(
                spec.commandLine().getErr(),
                "interrupted during the upload of " + "standard input; run the command again to start over",
                List.of(spooled))) {
            return upload(spooled, "standard input", false);
        } finally {
            Files.deleteIfExists(spooled);
        }
    }

    /**
     * Standard input into a temporary file readable by this user only: the upload needs the size and the SHA-256
     * before it starts (services.md §3.1), and a stream cannot be read twice. A line on standard error counts the
     * bytes, whose total is not known in advance.
     */
    private Path spoolStandardInput() throws java.io.IOException {
        Path spool;
        try {
            spool = Files.createTempFile(
                    "vstp-stdin-",
                    ".part",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            spool = Files.createTempFile("vstp-stdin-", ".part"); // not POSIX: the directory's own access rules
        }
        java.io.PrintWriter err = spec.commandLine().getErr();
        boolean show = Progress.terminal();
        try (java.io.InputStream in = System.in;
                java.io.OutputStream out = Files.newOutputStream(spool)) {
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            long lastDraw = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                total += n;
                if (show && System.nanoTime() - lastDraw > 100_000_000L) {
                    lastDraw = System.nanoTime();
                    err.print("\rread " + Progress.bytes(total) + " from standard input ");
                    err.flush();
                }
            }
            if (show) {
                err.println("\rread " + Progress.bytes(total) + " from standard input ");
            }
        } catch (java.io.IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
        return spool;
    }

    /** {@code put -r DIR HOST/path}: every regular file below DIR, over one connection, one progress line. */
    private Integer uploadFolder() throws Exception {
        if (file.toString().equals("-") || !to.isEmpty() || sign != null || qkd.enabled()) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "put -r uploads a folder as it is: not with -, --to, --sign or "
                            + "--qkd-kme (put those files one by one)");
        }
        if (!Files.isDirectory(file)) {
            throw new CliException(ExitCodes.USAGE, file + " is not a folder (put without -r uploads one file)");
        }
        Path dir = file.toRealPath(); // the folder the user named, even through a link; nothing below it is followed
        Target target = Target.parse(destination);
        String root = FolderTransfer.destination(
                target.path(),
                dir.getFileName() == null ? "" : dir.getFileName().toString());
        if (root.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "name the remote folder: put -r DIR HOST[:PORT]/folder");
        }
        List<String> skipped = new ArrayList<>();
        List<FolderTransfer.Item> items;
        try {
            items = FolderTransfer.localFiles(dir, skipped);
        } catch (java.io.IOException e) {
            throw LocalErrors.describe(e, file, false);
        }
        java.io.PrintWriter err = spec.commandLine().getErr();
        try (ResumeHint hint = ResumeHint.install(err, "the upload of " + file, List.of());
                Requester requester = Requesters.open(client, target, udp)) {
            FilesClient transfer = new FilesClient(requester);
            Progress overall = new Progress(err, 0, 0, Progress.terminal() && !quiet && !json);
            FolderTransfer.Summary summary;
            try {
                summary = FolderTransfer.run(items, quiet ? List.of() : skipped, overall, err, (item, progress) -> {
                    Path local = dir.resolve(item.relative());
                    try {
                        return new FolderTransfer.Done(
                                transfer.put(local, FolderTransfer.join(root, item.relative()), force, progress), "");
                    } catch (java.nio.file.NoSuchFileException e) {
                        throw new CliException(ExitCodes.IO, "removed while uploading", e);
                    }
                });
            } catch (RuntimeException e) {
                throw ClientOptions.translateDuringTransfer(e, target);
            }
            String to = target + "/" + root;
            if (json) {
                spec.commandLine().getOut().println(summary.json("put", file.toString(), to, requester.security()));
            } else if (!quiet) {
                spec.commandLine()
                        .getOut()
                        .printf("put -r %s -> %s: %s (%s)%n", file, to, summary.human(), requester.security());
            }
            summary.throwIfFailed("uploaded");
        }
        return ExitCodes.OK;
    }

    /** @param resumable a Ctrl-C hint says the same command resumes (not for standard input, read once) */
    private Integer upload(Path file, String label, boolean resumable) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new CliException(
                    ExitCodes.IO,
                    (Files.exists(file) ? "not a regular file" : "no such file") + ": cannot read " + file);
        }
        try {
            return uploadReadable(file, label, resumable);
        } catch (io.vstp.services.files.SourceChangedException e) {
            throw new CliException(ExitCodes.IO, e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw LocalErrors.describe(e, file, false); // permission denied, an I/O error: in the user's words
        }
    }

    private Integer uploadReadable(Path file, String label, boolean resumable) throws Exception {
        Target target = Target.parse(destination);
        String remote = target.path().isEmpty() ? file.getFileName().toString() : target.path();
        if (remote.endsWith("/")) {
            remote = remote + file.getFileName();
        }
        if (remote.endsWith(SignedManifest.SUFFIX)) {
            throw new CliException(ExitCodes.USAGE, "names ending " + SignedManifest.SUFFIX + " hold signatures");
        }
        if (sign != null) {
            FileProtection.refuseSigningInFipsMode(); // before the upload, not after it
        }
        try (FileProtection protection = new FileProtection(keyRing)) {
            List<FileProtection.ResolvedRecipient> recipients = protection.recipients(to);
            if (qkd.enabled() && recipients.size() != 1) {
                throw new CliException(
                        ExitCodes.USAGE, "--qkd-kme mixes a QKD key for one recipient: give exactly one --to");
            }
            // The signing key too is resolved before anything is uploaded.
            KeyEntry signingKey = sign != null ? protection.signingKey(sign) : null;
            Path upload = recipients.isEmpty()
                    ? file
                    : protection.encrypt(
                            file,
                            recipients,
                            qkd.source(),
                            qkd.enabled() ? qkd::withQkdKey : r -> r,
                            new Progress(spec.commandLine().getErr(), Files.size(file), 0, Progress.terminal()));
            try (ResumeHint hint = resumable
                            ? ResumeHint.install(
                                    spec.commandLine().getErr(), "the upload of " + file, java.util.List.of())
                            : null;
                    Requester requester = Requesters.open(client, target, udp)) {
                // On standard error, as curl's meter: standard output stays for the result line.
                Progress progress = new Progress(
                        spec.commandLine().getErr(), Files.size(upload), 0, Progress.terminal() && !quiet && !json);
                FilesClient transfer = new FilesClient(requester);
                FilesClient.Result r;
                String signedBy = "";
                try {
                    r = transfer.put(upload, remote, force, progress);
                    if (sign != null) {
                        SignedManifest signed = protection.sign(signingKey, remote, r, !recipients.isEmpty());
                        Path sig = Files.createTempFile("vstp-sig", ".tmp");
                        try {
                            Files.write(sig, signed.encode());
                            // The signature of what was just uploaded replaces any older one.
                            transfer.put(sig, remote + SignedManifest.SUFFIX, true, Progress.silent());
                        } finally {
                            Files.deleteIfExists(sig);
                        }
                        signedBy = ", signed by " + sign + " ("
                                + signed.manifest().algorithm().id() + ")";
                    } else if (transfer.exists(remote + SignedManifest.SUFFIX)) {
                        // The files service keeps the old signature; it does not match the new bytes.
                        spec.commandLine()
                                .getErr()
                                .println("vstp: warning: " + remote + SignedManifest.SUFFIX
                                        + " is a signature of an earlier upload; get refuses " + remote
                                        + " until it is signed again (put --sign)");
                    }
                } catch (RuntimeException e) {
                    throw ClientOptions.translateDuringTransfer(e, target);
                }
                String encrypted = recipients.isEmpty()
                        ? ""
                        : ", encrypted end to end for "
                                + recipients.stream()
                                        .map(FileProtection.ResolvedRecipient::label)
                                        .collect(Collectors.joining(", "));
                if (json) {
                    spec.commandLine()
                            .getOut()
                            .println(TransferReport.json(
                                    r,
                                    "put",
                                    label,
                                    target + "/" + remote,
                                    requester.security(),
                                    (encrypted + signedBy).replaceFirst("^, ", "")));
                } else if (!quiet) {
                    spec.commandLine()
                            .getOut()
                            .printf(
                                    "put %s -> %s/%s: %s%s%s (%s)%n",
                                    label,
                                    target,
                                    remote,
                                    TransferReport.summary(r),
                                    encrypted,
                                    signedBy,
                                    requester.security());
                }
            }
            if (upload != file) {
                Files.deleteIfExists(upload);
            }
        }
        return ExitCodes.OK;
    }
}
