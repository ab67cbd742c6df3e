package io.vstp.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A file-system failure in the words a user expects, naming the path they gave (not the temporary file beside it
 * that failed): permission denied, disk full, not a directory, read-only file system.
 */
final class LocalErrors {
    private LocalErrors() {
    }

    /** What went wrong with {@code userPath} ({@code writing} or reading it), as one line with exit code 5. */
    static CliException describe(IOException e, Path userPath, boolean writing) {
        return new CliException(ExitCodes.IO, reason(e) + ": cannot " + (writing ? "write " : "read ") + userPath, e);
    }

    /** The class of problem: the same words on the client and, without paths, on the server. */
    static String reason(IOException e) {
        String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        String w = String.valueOf(why).toLowerCase(Locale.ROOT);
        if (e instanceof AccessDeniedException || w.contains("permission denied")) {
            return "permission denied";
        }
        if (w.contains("no space left") || w.contains("disk quota")) {
            return "disk full";
        }
        if (w.contains("read-only file system")) {
            return "read-only file system";
        }
        // createDirectories meets a file where a directory should be: FileAlreadyExistsException.
        if (e instanceof NotDirectoryException || e instanceof java.nio.file.FileAlreadyExistsException
                || w.contains("not a directory")) {
            return "not a directory";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (w.contains("file name too long")) {
            return "file name too long";
        }
        return e.getClass().getSimpleName() + (why != null ? " (" + why + ")" : "");
    }
}
