package io.vstp.cli;

import io.vstp.services.files.FileService;
import io.vstp.services.files.internal.SiblingNames;
import java.nio.file.Path;

/**
 * Names of the files that stand beside a target while it is written ({@code .vstp-part-…}, {@code .vstp-get-…}):
 * made by {@link SiblingNames} (shared with the files server), and recognised here so a folder copy skips them.
 */
final class TemporaryNames {
    /** The prefixes of this tool's files beside a target: partial uploads and downloads, staging, decryption. */
    private static final String[] PREFIXES = {FileService.PARTIAL_PREFIX, ".vstp-get-", ".vstp-dec-"};

    private TemporaryNames() {}

    /** Whether {@code name} is one of this tool's temporary files (never a file of a folder being copied). */
    static boolean isTemporary(String name) {
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** {@code prefix + name} when it fits in 255 bytes; otherwise {@code prefix}, a cut of the name, and its hash. */
    static String beside(String prefix, Path target) {
        return SiblingNames.beside(prefix, target);
    }
}
