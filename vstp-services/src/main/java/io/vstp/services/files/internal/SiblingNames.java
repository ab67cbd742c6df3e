package io.vstp.services.files.internal;

import io.vstp.services.files.FileService;
import io.vstp.services.files.FilesProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * Names of the files that stand beside a target while it is written (the server's {@code .vstp-part-…}, the
 * {@code vstp} command's {@code .vstp-get-…}). File systems allow names of 255 bytes, and a target may use all of
 * them: its name is then shortened and marked with a hash of the whole name, so the temporary name still fits and
 * still belongs to that one target.
 */
public final class SiblingNames {
    /** The common limit of a file name (ext4, XFS, btrfs, APFS, NTFS in UTF-16 units). */
    public static final int MAX_NAME_BYTES = 255;

    private SiblingNames() {}

    /**
     * The name of a file beside {@code target}, marked with {@code prefix}.
     *
     * @param prefix what marks the temporary file, such as {@link FileService#PARTIAL_PREFIX}
     * @param target the file being written
     * @return {@code prefix + name} when it fits in 255 bytes; otherwise {@code prefix}, a cut of the name, and its
     *         hash
     */
    public static String beside(String prefix, Path target) {
        String name = target.getFileName().toString();
        String plain = prefix + name;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return plain; // the name it always had: partial files resume across versions
        }
        String hash =
                HexFormat.of().formatHex(FilesProtocol.sha256().digest(name.getBytes(StandardCharsets.UTF_8)), 0, 8);
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
