package io.vstp.cli;

import io.vstp.crypto.e2e.EncryptedFiles;
import io.vstp.crypto.sign.SignedManifest;
import io.vstp.services.Requester;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.internal.DurableFiles;
import io.vstp.services.files.internal.NoClobberMove;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vstp get}: download a file, resumable and verified end to end. */
@Command(
        name = "get",
        mixinStandardHelpOptions = true,
        description = {
            "Download a file from a server's files service.",
            "Writes to a temporary name, checks the SHA-256, then renames atomically; run it again after an",
            "interruption and it continues from what was already received."
        })
final class GetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST[:PORT]/remote-path")
    String source;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "FILE",
            description = "Local file (default: the remote "
                    + "name); - writes to standard output. With -r the local folder (with a trailing / the folder it "
                    + "goes "
                    + "into).")
    String file;

    @Option(names = "--json", description = "Print the result as one JSON object (on standard error with -).")
    boolean json;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing but errors (no progress, no result line).")
    boolean quiet;

    @Option(
            names = "--force",
            description = "Replace the local file if it exists (never a link, a directory, a " + "device or a FIFO).")
    boolean force;

    @Option(
            names = {"-r", "--recursive"},
            description = "Download the remote folder and everything below it, each "
                    + "file resumable and verified; files already there with the same content are skipped.")
    boolean recursive;

    @Option(names = "--udp", description = "Over UDP with DTLS (or plaintext UDP with --plain).")
    boolean udp;

    @Option(
            names = "--require-signature",
            description = "Refuse the file unless it has a valid signature by a key "
                    + "in the key ring (a present signature is always checked).")
    boolean requireSignature;

    @Option(
            names = "--keep-encrypted",
            description = "Store an end-to-end encrypted file as it is, without " + "decrypting it.")
    boolean keepEncrypted;

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
        Target target = Target.parse(source);
        if (recursive) {
            return downloadFolder(target);
        }
        if (target.path().isEmpty() || target.path().endsWith("/")) {
            throw new CliException(
                    ExitCodes.USAGE, "name a remote file: HOST[:PORT]/remote-path (get -r copies a " + "folder)");
        }
        String remote = target.path();
        if ("-".equals(file)) {
            return toStandardOutput(target, remote);
        }
        Path local = Path.of(file != null ? file : remote.substring(remote.lastIndexOf('/') + 1));
        if (Files.isDirectory(local) && !Files.isSymbolicLink(local)) {
            local = local.resolve(remote.substring(remote.lastIndexOf('/') + 1));
        }
        try (FileProtection protection = new FileProtection(keyRing);
                Requester requester = Requesters.open(client, target, udp)) {
            // On standard error, as curl's meter: standard output stays for the result line (and data, with -).
            Progress progress = new Progress(spec.commandLine().getErr(), 0, 0, Progress.terminal() && !quiet && !json);
            FolderTransfer.Done done;
            try {
                done = receive(new FilesClient(requester), protection, remote, local, progress);
            } catch (RuntimeException e) {
                throw ClientOptions.translateDuringTransfer(e, target);
            }
            if (json) {
                spec.commandLine()
                        .getOut()
                        .println(TransferReport.json(
                                done.result(),
                                "get",
                                target + "/" + remote,
                                local.toString(),
                                requester.security(),
                                done.notes()));
            } else if (!quiet) {
                spec.commandLine()
                        .getOut()
                        .printf(
                                "get %s/%s -> %s: %s%s (%s)%n",
                                target,
                                remote,
                                local,
                                TransferReport.summary(done.result()),
                                done.notes().isEmpty() ? "" : ", " + done.notes(),
                                requester.security());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * One remote file into {@code local}: downloaded (or resumed) beside it, its signature checked when it has one,
     * decrypted when end-to-end encrypted, then renamed into place. A local file that already holds exactly the
     * remote content is left as it is; any other existing file is replaced only with {@code --force}, and never a
     * link, directory, device or FIFO.
     */
    private FolderTransfer.Done receive(
            FilesClient transfer, FileProtection protection, String remote, Path local, Progress progress)
            throws Exception {
        refuseToReplace(local, true);
        FilesClient.Result same = transfer.sameAs(remote, local);
        boolean decryptedCopy = false;
        if (same == null && !keepEncrypted) {
            same = DecryptedCopies.unchangedDownload(transfer, remote, local);
            decryptedCopy = same != null;
        }
        if (same != null) {
            // Already there: nothing to download, but a signature is checked as for a download, and required
            // when asked, so "already there" never passes a file that a fresh get would refuse.
            byte[] signature = transfer.fetchSmall(remote + SignedManifest.SUFFIX, SignedManifest.MAX_SIZE);
            String notes = decryptedCopy ? "the decryption of it" : "";
            if (signature != null) {
                notes += (notes.isEmpty() ? "" : ", ") + "signature valid: signed by "
                        + protection.verify(
                                signature, remote, same, decryptedCopy || EncryptedFiles.isEncrypted(local));
            } else if (requireSignature) {
                throw new CliException(
                        ExitCodes.TRUST,
                        remote + " has no signature (" + remote + SignedManifest.SUFFIX
                                + ") and --require-signature was given");
            }
            progress.start(same.bytes(), same.bytes());
            return new FolderTransfer.Done(same, notes);
        }
        refuseToReplace(local, force);
        // The download lands under a staging name and reaches its own name only after the signature and the
        // decryption check out, so a refused file is never left where it would be used.
        Path staging = local.toAbsolutePath().resolveSibling(TemporaryNames.beside(".vstp-get-", local));
        // Decrypted, the plaintext takes one more name before it joins the user's, by the same no-clobber rename.
        Path plain = local.toAbsolutePath().resolveSibling(TemporaryNames.beside(".vstp-dec-", local));
        try (ResumeHint hint = ResumeHint.install(
                spec.commandLine().getErr(), "the download of " + remote, java.util.List.of(staging, plain))) {
            FilesClient.Result r;
            String notes = "";
            byte[] signature;
            // The partial keeps the name it always had, so interrupted downloads resume across versions.
            r = transfer.get(remote, FilesClient.partialOf(local), staging, progress);
            // Still inside the try that removes the staging file: a signature that cannot be fetched (too
            // large, connection lost) must not leave the unchecked download behind.
            signature = transfer.fetchSmall(remote + SignedManifest.SUFFIX, SignedManifest.MAX_SIZE);
            boolean encrypted = EncryptedFiles.isEncrypted(staging);
            if (signature != null) {
                notes += ", signature valid: signed by " + protection.verify(signature, remote, r, encrypted);
            } else if (requireSignature) {
                throw new CliException(
                        ExitCodes.TRUST,
                        remote + " has no signature (" + remote + SignedManifest.SUFFIX
                                + ") and --require-signature was given");
            }
            if (encrypted && !keepEncrypted) {
                EncryptedFiles.Decrypted d = protection.decrypt(
                        staging,
                        plain,
                        qkd::fetch,
                        new Progress(spec.commandLine().getErr(), 0, 0, Progress.terminal() && !recursive));
                // Recorded before it takes the user's name (the attribute moves with it), so the record can only
                // describe the bytes decrypted here: the same get again then finds them already there.
                DecryptedCopies.remember(plain, r.sha256());
                DurableFiles.syncContent(plain); // on the disk before it takes the user's name, as any download
                moveInto(plain, local, force);
                notes += ", decrypted with key " + d.usedKey() + " (" + Progress.bytes(d.bytes()) + ")";
            } else {
                moveInto(staging, local, force);
                notes += encrypted ? ", kept end-to-end encrypted" : "";
            }
            return new FolderTransfer.Done(r, notes.replaceFirst("^, ", ""));
        } catch (java.io.IOException e) {
            throw LocalErrors.describe(e, local, true);
        } finally {
            try {
                Files.deleteIfExists(staging);
                Files.deleteIfExists(plain);
            } catch (java.io.IOException e) {
                // nothing could be written there either: the error that brought us here says why
            }
        }
    }

    /** {@code get -r HOST/folder [LOCAL]}: every file below the remote folder, over one connection. */
    private Integer downloadFolder(Target target) throws Exception {
        if ("-".equals(file)) {
            throw new CliException(ExitCodes.USAGE, "get -r writes a folder, not standard output");
        }
        String remoteRoot = target.path().replaceAll("/+$", "");
        String name = remoteRoot.substring(remoteRoot.lastIndexOf('/') + 1);
        if (name.isEmpty() && (file == null || file.endsWith("/"))) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "name the local folder for the server's whole root: get -r " + "HOST[:PORT]/ FOLDER");
        }
        Path root = Path.of(FolderTransfer.destination(file == null ? "" : file, name));
        java.io.PrintWriter err = spec.commandLine().getErr();
        try (FileProtection protection = new FileProtection(keyRing);
                Requester requester = Requesters.open(client, target, udp)) {
            FilesClient transfer = new FilesClient(requester);
            Progress overall = new Progress(err, 0, 0, Progress.terminal() && !quiet && !json);
            FolderTransfer.Summary summary;
            try {
                List<FolderTransfer.Item> items;
                try {
                    items = FolderTransfer.remoteFiles(transfer, remoteRoot);
                } catch (io.vstp.core.error.VstpException e) {
                    if (e.code() == io.vstp.core.error.ErrorCode.NOT_FOUND && transfer.exists(remoteRoot)) {
                        throw new CliException(ExitCodes.USAGE, remoteRoot + " is a file: get without -r downloads it");
                    }
                    throw e;
                }
                if (Files.isSymbolicLink(root) || (Files.exists(root) && !Files.isDirectory(root))) {
                    throw new CliException(ExitCodes.IO, root + " exists and is not a folder");
                }
                Files.createDirectories(root);
                summary = FolderTransfer.run(
                        items,
                        List.of(),
                        overall,
                        err,
                        (item, progress) -> receive(
                                transfer,
                                protection,
                                FolderTransfer.join(remoteRoot, item.relative()),
                                FolderTransfer.localTarget(root, item.relative()),
                                progress));
            } catch (RuntimeException e) {
                throw ClientOptions.translateDuringTransfer(e, target);
            } catch (java.io.IOException e) {
                throw LocalErrors.describe(e, root, true);
            }
            String from = target + "/" + remoteRoot;
            if (json) {
                spec.commandLine().getOut().println(summary.json("get", from, root.toString(), requester.security()));
            } else if (!quiet) {
                spec.commandLine()
                        .getOut()
                        .printf("get -r %s -> %s: %s (%s)%n", from, root, summary.human(), requester.security());
            }
            summary.throwIfFailed("downloaded");
        }
        return ExitCodes.OK;
    }

    /**
     * What get may write to: a new name, or with {@code --force} an existing regular file. Never a symbolic link (the
     * file it points to would change), a directory, a device or a FIFO: those are refused before anything is
     * downloaded.
     */
    static void refuseToReplace(Path local, boolean force) {
        if (Files.isSymbolicLink(local)) {
            throw new CliException(
                    ExitCodes.IO, local + " is a symbolic link; get never writes through one: name " + "another file");
        }
        if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
            throw new CliException(
                    ExitCodes.IO,
                    local + " is not a regular file (a device, FIFO or socket); get " + "never replaces one");
        }
        if (!force) {
            throw new CliException(ExitCodes.IO, local + " exists; get --force replaces it");
        }
    }

    /** Renames the verified download into place, replacing only with {@code --force}, never through a link. */
    static void moveInto(Path staging, Path local, boolean force) throws java.io.IOException {
        if (force) {
            refuseToReplace(local, true); // something may have appeared at the name while downloading
            Files.move(staging, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } else {
            try {
                NoClobberMove.move(staging, local);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new CliException(ExitCodes.IO, local + " appeared while downloading; get --force replaces it");
            }
        }
        DurableFiles.syncName(local);
    }

    /**
     * {@code out}, refusing (before any byte goes out) a file whose first bytes are those of an end-to-end encrypted
     * file: it is decrypted only into a file, after every chunk authenticates.
     */
    private static java.io.OutputStream refusingEncrypted(String remote, java.io.OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            private boolean checked;

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                if (!checked && len > 0) {
                    checked = true;
                    if (io.vstp.crypto.e2e.EncryptedFileFormat.looksEncrypted(
                            java.util.Arrays.copyOfRange(b, off, off + Math.min(len, 16)))) {
                        throw new CliException(
                                ExitCodes.USAGE,
                                remote + " is end-to-end encrypted: get it into a "
                                        + "file, where it is decrypted after every chunk authenticates");
                    }
                }
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
    }

    /**
     * {@code get HOST/path -}: the bytes go to standard output as they arrive, checked by SHA-256 at the end; the
     * result line goes to standard error. An end-to-end encrypted or signed file is refused (before any byte goes
     * out): its checks need the whole file before anything may be used.
     */
    private int toStandardOutput(Target target, String remote) throws Exception {
        if (keepEncrypted || requireSignature) {
            throw new CliException(ExitCodes.USAGE, "--keep-encrypted and --require-signature need a file, not -");
        }
        java.io.PrintWriter err = spec.commandLine().getErr();
        try (ResumeHint hint = ResumeHint.line(
                        err,
                        "interrupted during the download of " + remote + " to standard "
                                + "output; run the command again to start over",
                        java.util.List.of());
                Requester requester = Requesters.open(client, target, udp)) {
            FilesClient transfer = new FilesClient(requester);
            if (transfer.exists(remote + SignedManifest.SUFFIX)) {
                throw new CliException(
                        ExitCodes.USAGE,
                        remote + " is signed: get it into a file, where the "
                                + "signature is checked before the file is kept");
            }
            FilesClient.Result r;
            java.io.OutputStream out =
                    refusingEncrypted(remote, new java.io.FileOutputStream(java.io.FileDescriptor.out));
            try {
                r = transfer.getTo(remote, out, new Progress(err, 0, 0, Progress.terminal() && !quiet && !json));
            } catch (RuntimeException e) {
                throw ClientOptions.translateDuringTransfer(e, target);
            }
            if (json) {
                err.println(TransferReport.json(r, "get", target + "/" + remote, "-", requester.security(), ""));
            } else if (!quiet) {
                err.printf(
                        "get %s/%s -> standard output: %s (%s)%n",
                        target, remote, TransferReport.summary(r), requester.security());
            }
        }
        return ExitCodes.OK;
    }
}
