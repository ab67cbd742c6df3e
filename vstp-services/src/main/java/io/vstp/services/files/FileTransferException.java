package io.vstp.services.files;

/**
 * A transfer refused because what the server sent does not hold up: bytes whose SHA-256 is not the one announced,
 * more bytes than the announced size, chunks out of order, a stat answer without size or hash, a listing with a
 * name that is not one path component ({@link FilesClient#parseList}). The server's own refusals arrive as
 * {@link io.vstp.core.error.VstpException}; local file-system failures as {@link java.io.IOException}.
 */
public final class FileTransferException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal.
     *
     * @param message what did not hold up, in one line
     */
    public FileTransferException(String message) {
        super(message);
    }
}
