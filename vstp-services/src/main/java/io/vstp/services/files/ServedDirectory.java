package io.vstp.services.files;

import static io.vstp.services.files.FileService.PARTIAL_PREFIX;
import static io.vstp.services.files.FileService.error;

import io.vstp.core.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The directory a files service serves, and the one place a client's path becomes a file: nothing outside it is
 * named, read or written, whatever the path says (services.md §3, "paths").
 */
final class ServedDirectory {
    /** Longest path a request may name, in characters. */
    static final int MAX_PATH = 4096;

    private final Path root;

    /** {@code root} must be a real path (no links in it): what every resolved path is compared against. */
    ServedDirectory(Path root) {
        this.root = root;
    }

    /**
     * The path inside the root that {@code relative} names. Refuses absolute paths, {@code ..}, reserved names and
     * anything whose existing part resolves (through symlinks) outside the root.
     */
    Path resolve(String relative) throws IOException {
        if (relative.indexOf('\0') >= 0
                || relative.startsWith("/")
                || relative.startsWith("\\")
                || relative.length() > MAX_PATH) {
            throw error(ErrorCode.PATH_REFUSED, "path must be relative to the served directory");
        }
        Path p = root;
        for (String part : relative.split("[/\\\\]")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") || part.startsWith(PARTIAL_PREFIX) || part.contains(":")) {
                throw error(ErrorCode.PATH_REFUSED, "path '" + relative + "' leaves or misuses the served directory");
            }
            p = p.resolve(part);
        }
        // The deepest existing ancestor must really be inside the root (no symlink escape).
        Path existing = p;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null || !existing.toRealPath().startsWith(root)) {
            throw error(ErrorCode.PATH_REFUSED, "path '" + relative + "' resolves outside the served directory");
        }
        if (Files.isSymbolicLink(p) && !p.toRealPath().startsWith(root)) {
            throw error(ErrorCode.PATH_REFUSED, "path '" + relative + "' is a link outside the served directory");
        }
        return p;
    }

    /** As {@link #resolve}, for a regular file that must exist: NOT_FOUND otherwise. */
    Path existingFile(String relative) throws IOException {
        Path p = resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw error(ErrorCode.NOT_FOUND, "no such file: " + relative);
        }
        return p;
    }

    /** {@code p} as a client names it: relative to the root. */
    String relative(Path p) {
        return root.relativize(p).toString();
    }
}
