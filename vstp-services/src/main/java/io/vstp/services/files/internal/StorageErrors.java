package io.vstp.services.files.internal;

import io.vstp.services.files.SourceChangedException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * A file-system failure in the words a user expects: permission denied, disk full, not a directory, read-only file
 * system. The files server answers with these words (without paths, which are the server's own), and the
 * {@code vstp} command says the same on the client.
 */
public final class StorageErrors {
    private StorageErrors() {}

    /**
     * The class of problem behind {@code e}.
     *
     * @param e a failed file-system operation
     * @return a few words such as "disk full"; for an unknown problem, the exception's class and message (which may
     *         name paths)
     */
    public static String reason(IOException e) {
        if (e instanceof SourceChangedException) {
            return e.getMessage(); // names the file being sent: the client's own path
        }
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
        if (e instanceof NotDirectoryException
                || e instanceof java.nio.file.FileAlreadyExistsException
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
