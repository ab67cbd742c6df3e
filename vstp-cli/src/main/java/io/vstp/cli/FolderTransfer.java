package io.vstp.cli;

import io.vstp.core.error.VstpException;
import io.vstp.services.files.FilesClient;
import io.vstp.services.files.FilesProtocol;
import io.vstp.transport.SessionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code put -r} and {@code get -r}: a folder as its files, over one connection, each file resumable and verified as
 * a single put or get is, with one progress line for the whole folder. A file that cannot be transferred (it exists
 * with other content, permission denied, a bad signature) is reported and the others go on; a lost connection or
 * an interruption stops the whole, and the same command again continues: files already there with the same content
 * are skipped, a partial one resumes.
 */
final class FolderTransfer {
    /** Files in one folder transfer: the remote listing is the server's word, so it is bounded. */
    static final int MAX_FILES = 1_000_000;
    /** Directory levels below the folder. */
    static final int MAX_DEPTH = 64;
    /** Failures printed one per line; the rest are counted. */
    private static final int SHOWN_FAILURES = 20;

    private FolderTransfer() {}

    /** One file of the folder: its path below the folder ('/'-separated) and its size. */
    record Item(String relative, long size) {}

    /** What one file's transfer gave: its result and notes such as "signature valid: …". */
    record Done(FilesClient.Result result, String notes) {}

    /** One file's transfer, drawing on {@code progress} (a part of the folder's bar). */
    @FunctionalInterface
    interface Step {
        Done transfer(Item item, Progress progress) throws Exception;
    }

    /** A file that was not transferred, with the one-line reason and the exit code a single transfer would give. */
    record Failure(String relative, String message, int exitCode) {}

    /** Everything a folder transfer did, for the result line or {@code --json}. */
    record Summary(
            List<Item> items,
            List<Done> done,
            List<String> donePaths,
            List<Failure> failures,
            List<String> skipped,
            double seconds) {
        long bytes() {
            return done.stream().mapToLong(d -> d.result().bytes()).sum();
        }

        long unchanged() {
            return done.stream().filter(d -> d.result().unchanged()).count();
        }

        long resumed() {
            return done.stream().filter(d -> d.result().resumedFrom() > 0).count();
        }

        /** "12 files, 40.0 MiB in 1.20 s (3 already there, 1 resumed)". */
        String human() {
            List<String> notes = new ArrayList<>();
            if (unchanged() > 0) {
                notes.add(unchanged() + " already there");
            }
            if (resumed() > 0) {
                notes.add(resumed() + " resumed");
            }
            if (!skipped.isEmpty()) {
                notes.add(skipped.size() + " skipped");
            }
            if (!failures.isEmpty()) {
                notes.add(failures.size() + " failed");
            }
            return String.format(
                    Locale.ROOT,
                    "%d file%s, %s in %.2f s%s",
                    done.size(),
                    done.size() == 1 ? "" : "s",
                    Progress.bytes(bytes()),
                    seconds,
                    notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
        }

        String json(String op, String from, String to, String security) {
            StringBuilder b = new StringBuilder(String.format(
                    Locale.ROOT,
                    "{\"op\":%s,\"recursive\":true,\"from\":%s,"
                            + "\"to\":%s,\"files\":%d,\"unchanged\":%d,\"bytes\":%d,\"seconds\":%.3f,\"security\":%s,"
                            + "\"entries\":[",
                    Json.quote(op),
                    Json.quote(from),
                    Json.quote(to),
                    done.size(),
                    unchanged(),
                    bytes(),
                    seconds,
                    Json.quote(security)));
            for (int i = 0; i < done.size(); i++) {
                FilesClient.Result r = done.get(i).result();
                b.append(i == 0 ? "" : ",")
                        .append(String.format(
                                Locale.ROOT,
                                "{\"path\":%s,\"bytes\":%d," + "\"resumed_from\":%d,\"unchanged\":%b,\"sha256\":%s%s}",
                                Json.quote(donePaths.get(i)),
                                r.bytes(),
                                r.resumedFrom(),
                                r.unchanged(),
                                Json.quote(r.sha256()),
                                done.get(i).notes().isEmpty()
                                        ? ""
                                        : ",\"notes\":" + Json.quote(done.get(i).notes())));
            }
            b.append("],\"skipped\":[");
            for (int i = 0; i < skipped.size(); i++) {
                b.append(i == 0 ? "" : ",").append(Json.quote(skipped.get(i)));
            }
            b.append("],\"failed\":[");
            for (int i = 0; i < failures.size(); i++) {
                Failure f = failures.get(i);
                b.append(i == 0 ? "" : ",")
                        .append("{\"path\":")
                        .append(Json.quote(f.relative()))
                        .append(",\"error\":")
                        .append(Json.quote(f.message()))
                        .append('}');
            }
            return b.append("]}").toString();
        }

        /**
         * Nothing when every file made it; else one line for all, with the exit code of the most serious failure
         * (a trust failure before a refusal, a refusal before an I/O error), so a script checking for it sees it.
         */
        void throwIfFailed(String verb) {
            if (!failures.isEmpty()) {
                java.util.List<Integer> severity =
                        java.util.List.of(ExitCodes.TRUST, ExitCodes.DENIED, ExitCodes.FAILED, ExitCodes.IO);
                int code = failures.stream()
                        .map(Failure::exitCode)
                        .min(java.util.Comparator.comparingInt(
                                c -> severity.contains(c) ? severity.indexOf(c) : severity.size()))
                        .orElseThrow();
                throw new CliException(
                        code,
                        failures.size() + " of " + items.size()
                                + " files not " + verb + " (" + failures.get(0).relative() + ": "
                                + failures.get(0).message()
                                + "); the others are in place, and the same command again continues");
            }
        }
    }

    /**
     * Where a folder goes: {@code destination} names the folder itself, or with a trailing '/' the folder it goes
     * into under {@code sourceName}; empty means {@code sourceName}. The rule looks only at the words given, never
     * at what exists, so the same command run again (to resume) means the same place.
     */
    static String destination(String destination, String sourceName) {
        if (destination.isEmpty()) {
            return sourceName;
        }
        return destination.endsWith("/") ? destination + sourceName : destination;
    }

    /** {@code root/relative} with '/' ({@code relative} alone when the root is the served root). */
    static String join(String root, String relative) {
        String r = root.replaceAll("/+$", "");
        return r.isEmpty() ? relative : r + "/" + relative;
    }

    /**
     * The regular files below {@code dir}, in name order. Symbolic links are not followed and, with devices, FIFOs
     * and this tool's own temporary files, are left out and named in {@code skipped}.
     */
    static List<Item> localFiles(Path dir, List<String> skipped) throws IOException {
        List<Item> items = new ArrayList<>();
        Files.walkFileTree(
                dir,
                java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class),
                MAX_DEPTH + 1,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String relative = relative(dir, file);
                        String name = file.getFileName().toString();
                        if (attrs.isDirectory()) {
                            skipped.add(relative + "/ (deeper than " + MAX_DEPTH + " levels)");
                        } else if (!attrs.isRegularFile()) {
                            skipped.add(
                                    relative + (attrs.isSymbolicLink() ? " (symbolic link)" : " (not a regular file)"));
                        } else if (TemporaryNames.isTemporary(name)) {
                            skipped.add(relative + " (a partial transfer)");
                        } else {
                            items.add(new Item(relative, attrs.size()));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        throw e;
                    }
                });
        items.sort(Comparator.comparing(Item::relative));
        return items;
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * The files below remote folder {@code root}, found by listing each directory. The names are the server's
     * words: each must be one plain path component (no '/', not "." or "..", at most 255 bytes), and the walk is
     * bounded in files, depth and (through the server's own limit) entries per directory. Signature files
     * ({@code NAME.vstp-sig}) are not files of the folder: get checks them with the file they sign.
     */
    static List<Item> remoteFiles(FilesClient transfer, String root) throws Exception {
        List<Item> items = new ArrayList<>();
        ArrayDeque<String> dirs = new ArrayDeque<>();
        dirs.add("");
        while (!dirs.isEmpty()) {
            String dir = dirs.poll();
            FilesClient.Listing listing = transfer.list(join(root, dir));
            if (listing.truncated()) {
                throw new CliException(
                        ExitCodes.FAILED,
                        join(root, dir) + " holds more than the "
                                + FilesProtocol.MAX_LIST + " entries one listing carries; get -r copies folders whose "
                                + "directories hold fewer");
            }
            for (FilesClient.Entry e : listing.entries()) {
                String name = e.name(); // one path component: FilesClient.parseList checked it
                if (!oneLocalComponent(name)) {
                    throw new CliException(
                            ExitCodes.FAILED,
                            "the server listed a name that is not one path " + "component in " + join(root, dir) + ": "
                                    + Json.quote(name));
                }
                String relative = dir.isEmpty() ? name : dir + "/" + name;
                if (e.directory()) {
                    if (relative.chars().filter(c -> c == '/').count() >= MAX_DEPTH) {
                        throw new CliException(
                                ExitCodes.FAILED, join(root, relative) + " is deeper than " + MAX_DEPTH + " levels");
                    }
                    dirs.add(relative);
                } else if (!name.endsWith(io.vstp.crypto.sign.SignedManifest.SUFFIX)) {
                    items.add(new Item(relative, e.size()));
                }
                if (items.size() + dirs.size() > MAX_FILES) {
                    throw new CliException(
                            ExitCodes.FAILED,
                            join(root, "") + " holds more than " + MAX_FILES + " files and directories");
                }
            }
        }
        items.sort(Comparator.comparing(Item::relative));
        return items;
    }

    /**
     * Whether {@code name} is one plain component on this machine's file system too: on Windows {@code \\} and
     * {@code C:} would make a name the server listed into a path elsewhere.
     */
    private static boolean oneLocalComponent(String name) {
        try {
            Path p = Path.of(name);
            return !p.isAbsolute()
                    && p.getRoot() == null
                    && p.getNameCount() == 1
                    && p.getFileName().toString().equals(name);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /**
     * Makes the local directories {@code root/relative...} leading to a file, creating what is missing, and never
     * through a symbolic link: a link planted inside the folder must not send the download elsewhere.
     */
    static Path localTarget(Path root, String relative) throws IOException {
        Path at = root;
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.resolve(parts[i]);
            if (Files.isSymbolicLink(at)) {
                throw new CliException(ExitCodes.IO, at + " is a symbolic link; get -r never writes through one");
            }
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(at);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    throw new CliException(ExitCodes.IO, at + " exists and is not a directory", e);
                }
            }
        }
        return at.resolve(parts[parts.length - 1]);
    }

    /**
     * Runs {@code step} for each file, drawing one bar for all of them. A failure that belongs to one file is
     * reported on {@code err} and the rest go on; anything else (the connection, an interruption) ends the run.
     */
    static Summary run(List<Item> items, List<String> skipped, Progress overall, PrintWriter err, Step step)
            throws Exception {
        long start = System.nanoTime();
        long total = items.stream().mapToLong(Item::size).sum();
        overall.start(total, 0);
        List<Done> done = new ArrayList<>();
        List<String> donePaths = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (String s : skipped) {
            err.println("vstp: skipped " + s);
        }
        long before = 0;
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            overall.note((i + 1) + "/" + items.size() + " files");
            try {
                done.add(step.transfer(item, overall.part(before)));
                donePaths.add(item.relative());
            } catch (Exception e) {
                Throwable t = VstpCommand.unwrap(e);
                if (!oneFile(t)) {
                    throw e;
                }
                String message = t instanceof IOException io ? LocalErrors.reason(io) : String.valueOf(t.getMessage());
                Failure f = new Failure(item.relative(), message, VstpCommand.exitCode(t));
                failures.add(f);
                if (failures.size() <= SHOWN_FAILURES) {
                    err.println("\rvstp: " + item.relative() + ": " + message);
                } else if (failures.size() == SHOWN_FAILURES + 1) {
                    err.println("\rvstp: (more failures are counted, not shown)");
                }
            }
            before += item.size();
            overall.update(before);
        }
        overall.finish();
        return new Summary(items, done, donePaths, failures, skipped, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Whether {@code t} failed one file and the next may still work: the server refused this request (it exists,
     * permission, storage), or something local to this file (a read or write error, a check that failed). A lost
     * connection, a TLS failure or an interruption ends the folder.
     */
    static boolean oneFile(Throwable t) {
        if (t instanceof SessionException s) {
            return s.fromPeer() && s.scope() == VstpException.Scope.REQUEST;
        }
        if (t instanceof VstpException v) {
            return v.scope() == VstpException.Scope.REQUEST;
        }
        if (t instanceof CliException c) {
            return c.exitCode() == ExitCodes.IO
                    || c.exitCode() == ExitCodes.FAILED
                    || c.exitCode() == ExitCodes.TRUST
                    || c.exitCode() == ExitCodes.DENIED;
        }
        return t instanceof IOException || t instanceof io.vstp.services.files.FileTransferException;
    }
}
