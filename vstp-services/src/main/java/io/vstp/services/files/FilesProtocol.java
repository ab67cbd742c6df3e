package io.vstp.services.files;

import io.netty.buffer.ByteBuf;
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
 * ({@link FileService}) and the client (the {@code vstp} command's {@code FileTransfer}) name nothing of the protocol
 * but through this class.
 */
public final class FilesProtocol {
    /** The request header naming the service. */
    public static final String SERVICE_HEADER = "service";
    /** This service's name in {@link #SERVICE_HEADER}. */
    public static final String SERVICE = "files";
    /** The request header naming the operation. */
    public static final String OP = "op";

    // Operations (services.md §3.1).
    /** Lists a directory. */
    public static final String LIST = "list";
    /** A file's size and SHA-256, and the SHA-256 of its first bytes if asked. */
    public static final String STAT = "stat";
    /** Reads up to {@link #MAX_CHUNK} bytes of a file, from an offset. */
    public static final String GET = "get";
    /** Streams a file from an offset on the request's wire-v2 stream (TCP/TLS only). */
    public static final String GET_STREAM = "get-stream";
    /** Starts or resumes an upload. */
    public static final String PUT_BEGIN = "put-begin";
    /** One chunk of an upload, at an offset. */
    public static final String PUT_CHUNK = "put-chunk";
    /** Verifies an upload and moves it into place. */
    public static final String PUT_COMMIT = "put-commit";
    /** Deletes a file (not a directory). */
    public static final String DELETE = "delete";
    /** Moves a file (not a directory) to a new path. */
    public static final String MOVE = "move";

    // Headers.
    /** The file or directory, relative to the served root. */
    public static final String PATH = "path";
    /** Where a chunk starts; in answers, how many bytes the server holds or sent up to. */
    public static final String OFFSET = "offset";
    /** Bytes asked for by a get. */
    public static final String LENGTH = "length";
    /** A whole file's size. */
    public static final String SIZE = "size";
    /** A whole file's SHA-256, lowercase hex. */
    public static final String SHA256 = "sha256";
    /**
     * An upload whose SHA-256 comes only with its commit, named by 16 hex digits the client chose for this content
     * instead (services.md §3.1): the client hashes the bytes as it sends them, not in a read before.
     */
    public static final String UPLOAD = "upload";
    /** A stat asks for the SHA-256 of this many first bytes ... */
    public static final String PREFIX = "prefix";
    /** ... and the answer (also of put-begin: of the bytes the server holds) carries it here. */
    public static final String PREFIX_SHA256 = "prefix-sha256";
    /** put-begin's answer when the same content is already there: nothing to send. */
    public static final String IDENTICAL = "identical";
    /** put-begin and move may replace an existing file only with this set to {@code true}. */
    public static final String OVERWRITE = "overwrite";
    /** A move's new path. */
    public static final String TO = "to";
    /** A list answer's entry count. */
    public static final String ENTRIES = "entries";
    /** A list answer with {@code true} here holds only the first {@link #MAX_LIST} entries. */
    public static final String TRUNCATED = "truncated";
    /** put-begin with {@code true} here drops what the server holds of the upload and starts again. */
    public static final String RESTART = "restart";
    /**
     * A stat with {@link #IF_KNOWN} here answers the SHA-256 only if the server already knows it, never hashing the
     * file for it: a download from the start gets it from the get-stream's last message instead (services.md §3.2).
     */
    public static final String HASH = "hash";

    public static final String IF_KNOWN = "if-known";

    /** Largest chunk a get may ask for, and the chunk size clients use. */
    public static final int MAX_CHUNK = 1024 * 1024;
    /** Entries in one {@code list} answer; a larger directory's answer says it is truncated. */
    public static final int MAX_LIST = 10_000;

    private FilesProtocol() {}

    /**
     * A request of {@code op} on {@code path}.
     *
     * @param op one of the operations above
     * @param path the file or directory, relative to the served root
     * @return a DATA frame builder carrying the service, operation and path headers
     */
    public static Frame.Builder request(String op, String path) {
        return Frame.builder(FrameType.DATA)
                .header(SERVICE_HEADER, SERVICE)
                .header(OP, op)
                .header(PATH, path);
    }

    /**
     * The SHA-256 of the first {@code length} bytes of {@code file}, lowercase hex.
     *
     * @param file the file to read
     * @param length how many of its first bytes to hash
     * @return 64 lowercase hex digits
     * @throws IOException if the file cannot be read or holds fewer than {@code length} bytes
     */
    public static String sha256(Path file, long length) throws IOException {
        return hex(sha256Of(file, length));
    }

    /**
     * A SHA-256 digest that has taken the first {@code length} bytes of {@code file}, to go on with the bytes that
     * follow them (a resumed transfer hashes its prefix once, then what passes).
     */
    static MessageDigest sha256Of(Path file, long length) throws IOException {
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
        return md;
    }

    /**
     * Writes {@code payload} into {@code ch} at {@code at}, buffer by buffer: a message joined from wire-v2 frames is
     * several buffers, and {@link ByteBuf#nioBuffer()} would first copy it whole into a new one. Leaves the payload's
     * indexes alone; the views are private, so another thread may read the same payload meanwhile.
     *
     * @return the position after the payload
     */
    static long writeAt(FileChannel ch, ByteBuf payload, long at) throws IOException {
        for (ByteBuffer view : views(payload)) {
            while (view.hasRemaining()) {
                at += ch.write(view, at);
            }
        }
        return at;
    }

    /** Feeds {@code payload} to {@code md} without copying it into one buffer first (as {@link #writeAt}). */
    static void update(MessageDigest md, ByteBuf payload) {
        for (ByteBuffer view : views(payload)) {
            md.update(view);
        }
    }

    private static ByteBuffer[] views(ByteBuf payload) {
        return payload.nioBufferCount() == 1 ? new ByteBuffer[] {payload.nioBuffer()} : payload.nioBuffers();
    }

    /** The digest's result as 64 lowercase hex digits; the digest starts over. */
    static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    /** The hex SHA-256 of what {@code md} has taken so far, leaving it to take more. */
    static String hexSoFar(MessageDigest md) {
        try {
            return hex((MessageDigest) md.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    /**
     * The SHA-256 of nothing: what a server holding no bytes of an upload answers.
     *
     * @return 64 lowercase hex digits
     */
    public static String sha256Empty() {
        return HexFormat.of().formatHex(sha256().digest());
    }

    /**
     * A new SHA-256 digest (every JDK has one).
     *
     * @return a fresh digest
     */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
