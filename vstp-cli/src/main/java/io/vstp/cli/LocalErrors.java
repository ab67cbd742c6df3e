package io.vstp.cli;

import io.vstp.services.files.internal.StorageErrors;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A file-system failure in the words a user expects, naming the path they gave (not the temporary file beside it
 * that failed): permission denied, disk full, not a directory, read-only file system.
 */
final class LocalErrors {
    private LocalErrors() {}

    /** What went wrong with {@code userPath} ({@code writing} or reading it), as one line with exit code 5. */
    static CliException describe(IOException e, Path userPath, boolean writing) {
        return new CliException(ExitCodes.IO, reason(e) + ": cannot " + (writing ? "write " : "read ") + userPath, e);
    }

    /** The class of problem: the same words on the client and, without paths, on the server. */
    static String reason(IOException e) {
        return StorageErrors.reason(e);
    }
}
