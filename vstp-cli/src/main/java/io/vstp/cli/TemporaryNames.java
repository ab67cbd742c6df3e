package io.vstp.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Names of the files that stand beside a target while it is written ({@code .vstp-part-…}, {@code .vstp-get-…}).
 * File systems allow names of 255 bytes, and a target may use all of them: its name is then shortened and marked
 * with a hash of the whole name, so the temporary name still fits and still belongs to that one target.
 */
final class TemporaryNames {
    /** The common limit of a file name (ext4, XFS, btrfs, APFS, NTFS in UTF-16 units). */
    static final int MAX_NAME_BYTES = 255;

    /** The prefixes of this tool's files beside a target: partial uploads and downloads, staging, decryption. */
    private static final String[] PREFIXES = {FileService.PARTIAL_PREFIX, ".vstp-get-", ".vstp-dec-"};

    private TemporaryNames() {
    }

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
        String name = target.getFileName().toString();
        String plain = prefix + name;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return plain; // the name it always had: partial files resume across versions
        }
        String hash = HexFormat.of().formatHex(FilesProtocol.sha256().digest(name.getBytes(StandardCharsets.UTF_8)),
                0, 8);
        int budget = MAX_NAME_BYTES - prefix.length() - hash.length() - 1;
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > budget) {
                break;
            }
            cut.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return prefix + cut + "~" + hash;
    }
}
