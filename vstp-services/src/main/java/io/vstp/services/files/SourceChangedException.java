package io.vstp.services.files;

import java.io.IOException;

/**
 * A file being uploaded changed while it was read: it became shorter than when the upload began. What was sent no
 * longer matches the SHA-256 announced, so the upload stops; running it again starts from the new content.
 */
public final class SourceChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The file changed.
     *
     * @param message which file, in one line
     */
    public SourceChangedException(String message) {
        super(message);
    }
}
