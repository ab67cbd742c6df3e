package io.vstp.services.files.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Puts a finished file under its name only if the name is free: a rename would replace whatever appeared there
 * meanwhile. A hard link takes the name atomically; file systems without hard links (FAT, exFAT, some FUSE mounts)
 * get a rename after a check, which a file appearing in between would lose to. The files server commits uploads and
 * moves with it; the {@code vstp} command puts downloads in place with it.
 */
public final class NoClobberMove {
    private NoClobberMove() {}

    /**
     * Moves {@code from} to {@code to}, which must not exist.
     *
     * @param from the finished file
     * @param to its name, which must be free
     * @throws FileAlreadyExistsException when {@code to} exists; {@code from} is then left as it was
     * @throws IOException when the file system refuses the link or the rename
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(to.toString());
            }
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.deleteIfExists(from);
    }
}
