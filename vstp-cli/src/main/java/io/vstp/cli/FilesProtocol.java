package io.vstp.cli;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The files service on the wire (docs/spec/services.md §3), for both of its sides: the service's name, its
 * operations, the headers they carry, its size limits, and the SHA-256 both sides compute over content. The server
 * ({@link FileService}) and the client ({@link FileTransfer}) name nothing of the protocol but through this class.
 */
final class FilesProtocol {
    /** The request header naming the service, and this service's name in it. */
    static final String SERVICE_HEADER = "service";
    static final String SERVICE = "files";
    /** The request header naming the operation. */
    static final String OP = "op";

    // Operations (services.md §3.1).
    static final String LIST = "list";
    static final String STAT = "stat";
    static final String GET = "get";
    static final String GET_STREAM = "get-stream";
    static final String PUT_BEGIN = "put-begin";
    static final String PUT_CHUNK = "put-chunk";
    static final String PUT_COMMIT = "put-commit";
    static final String DELETE = "delete";
    static final String MOVE = "move";

    // Headers.
    /** The file or directory, relative to the served root. */
    static final String PATH = "path";
    /** Where a chunk starts; in answers, how many bytes the server holds or sent up to. */
    static final String OFFSET = "offset";
    /** Bytes asked for by a get. */
    static final String LENGTH = "length";
    /** A whole file's size. */
    static final String SIZE = "size";
    /** A whole file's SHA-256, lowercase hex. */
    static final String SHA256 = "sha256";
    /** A stat asks for the SHA-256 of this many first bytes ... */
    static final String PREFIX = "prefix";
    /** ... and the answer (also of put-begin: of the bytes the server holds) carries it here. */
    static final String PREFIX_SHA256 = "prefix-sha256";
    /** put-begin's answer when the same content is already there: nothing to send. */
    static final String IDENTICAL = "identical";
    /** put-begin and move may replace an existing file only with this set to {@code true}. */
    static final String OVERWRITE = "overwrite";
    /** A move's new path. */
    static final String TO = "to";
    /** A list answer's entry count. */
    static final String ENTRIES = "entries";
    /** A list answer with {@code true} here holds only the first {@link #MAX_LIST} entries. */
    static final String TRUNCATED = "truncated";
    /** put-begin with {@code true} here drops what the server holds of the upload and starts again. */
    static final String RESTART = "restart";

    /** Largest chunk a get may ask for, and the chunk size clients use. */
    static final int MAX_CHUNK = 1024 * 1024;
    /** Entries in one {@code list} answer; a larger directory's answer says it is truncated. */
    static final int MAX_LIST = 10_000;

    private FilesProtocol() {
    }

    /** A request of {@code op} on {@code path}. */
    static Frame.Builder request(String op, String path) {
        return Frame.builder(FrameType.DATA).header(SERVICE_HEADER, SERVICE).header(OP, op).header(PATH, path);
    }

    /** The SHA-256 of the first {@code length} bytes of {@code file}, lowercase hex. */
    static String sha256(Path file, long length) throws IOException {
        MessageDigest md = sha256();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
            long done = 0;
            while (done < length) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - done));
                int n = ch.read(buf, done);
                if (n < 0) {
                    throw new IOException("file ended at " + done + " of " + length + " bytes");
                }
                buf.flip();
                md.update(buf);
                done += n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The SHA-256 of nothing: what a server holding no bytes of an upload answers. */
    static String sha256Empty() {
        return HexFormat.of().formatHex(sha256().digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
