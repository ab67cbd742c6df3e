package io.vstp.services.files.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes a finished transfer survive a power cut before it is reported done: the content is on the disk before the
 * file gets its name, and the name is on the disk before the answer leaves. Without it a crash just after "done"
 * could leave the name pointing at an empty or partly written file (ext4 and XFS commit the rename before the data
 * unless told). The files server runs it at {@code put-commit}, the client at the end of a download.
 */
public final class DurableFiles {
    private DurableFiles() {}

    /**
     * Writes {@code file}'s content to the disk.
     *
     * @param file a regular file
     * @throws IOException when it cannot be opened or synced
     */
    public static void syncContent(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Writes the entries of {@code file}'s directory (a rename into it) to the disk, where the platform can open a
     * directory for that (Linux, macOS); elsewhere the file system's own ordering is all there is.
     *
     * @param file a file whose name just changed
     * @throws IOException when the directory opened but could not be synced
     */
    public static void syncName(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return; // Windows cannot open a directory as a channel; its file systems journal renames themselves.
        }
        try (ch) {
            ch.force(true);
        }
    }
}
