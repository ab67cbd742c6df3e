package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put-commit} verifies an upload with the SHA-256 taken from its chunks as they were written, and reads the
 * upload back from disk only when it did not see them all (the server restarted mid-upload); either way a wrong byte
 * is refused.
 */
class UploadVerificationTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);
    private static final int CHUNK = 100_000;

    @TempDir
    Path root;

    private final byte[] content = new byte[3 * CHUNK + 123];

    {
        new Random(18).nextBytes(content);
    }

    @Test
    void anUploadIsVerifiedFromItsChunksWithoutReadingItAgain() throws Exception {
        try (FileService files = new FileService(root)) {
            begin(files, content);
            for (int at = 0; at < content.length; at += CHUNK) {
                chunk(files, content, at);
            }
            commit(files, content);
            assertThat(Files.readAllBytes(root.resolve("f.bin"))).isEqualTo(content);
            assertThat(files.commitsReadFromDisk()).isZero();
        }
    }

    @Test
    void aResumedUploadHashesItsPrefixOnceAtBeginAndTheRestAsItComes() throws Exception {
        try (FileService before = new FileService(root)) {
            begin(before, content);
            chunk(before, content, 0);
        }
        try (FileService after = new FileService(root)) {
            assertThat(begin(after, content)).isEqualTo(CHUNK);
            for (int at = CHUNK; at < content.length; at += CHUNK) {
                chunk(after, content, at);
            }
            commit(after, content);
            assertThat(Files.readAllBytes(root.resolve("f.bin"))).isEqualTo(content);
            assertThat(after.commitsReadFromDisk()).isZero();
        }
    }

    @Test
    void chunksTheServerDidNotAllSeeAreReadBackOnceAtCommit() throws Exception {
        try (FileService before = new FileService(root)) {
            begin(before, content);
            chunk(before, content, 0);
        }
        try (FileService after = new FileService(root)) {
            // No put-begin after the restart: this server never saw the first chunk.
            for (int at = CHUNK; at < content.length; at += CHUNK) {
                chunk(after, content, at);
            }
            commit(after, content);
            assertThat(Files.readAllBytes(root.resolve("f.bin"))).isEqualTo(content);
            assertThat(after.commitsReadFromDisk()).isEqualTo(1);
        }
    }

    @Test
    void aWrongByteIsRefusedWhetherHashedAsItCameOrReadBack() throws Exception {
        byte[] altered = content.clone();
        altered[2 * CHUNK + 7] ^= 1;
        try (FileService files = new FileService(root)) {
            begin(files, content);
            for (int at = 0; at < altered.length; at += CHUNK) {
                chunk(files, content, altered, at);
            }
            assertThat(refusal(files)).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(files.commitsReadFromDisk()).isZero();
        }
        try (FileService before = new FileService(root)) {
            begin(before, content);
            chunk(before, content, altered, 0);
        }
        try (FileService after = new FileService(root)) {
            for (int at = CHUNK; at < altered.length; at += CHUNK) {
                chunk(after, content, altered, at);
            }
            assertThat(refusal(after)).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(after.commitsReadFromDisk()).isEqualTo(1);
        }
        assertThat(root.resolve("f.bin")).doesNotExist();
    }

    @Test
    void anUploadNamedByTheClientIsVerifiedWithTheSha256ItsCommitCarries() throws Exception {
        try (FileService files = new FileService(root)) {
            Frame begin = call(
                    files,
                    named("put-begin")
                            .header("size", Integer.toString(content.length))
                            .build());
            assertThat(begin.headers().value("offset")).isEqualTo("0");
            begin.release();
            for (int at = 0; at < content.length; at += CHUNK) {
                byte[] part = Arrays.copyOfRange(content, at, Math.min(content.length, at + CHUNK));
                call(
                                files,
                                named("put-chunk")
                                        .header("offset", Integer.toString(at))
                                        .payload(Unpooled.wrappedBuffer(part))
                                        .build())
                        .release();
            }
            byte[] other = content.clone();
            other[5] ^= 1;
            Throwable wrong = catchThrowable(() -> call(
                    files,
                    named("put-commit")
                            .header("size", Integer.toString(content.length))
                            .header("sha256", sha(other))
                            .build()));
            assertThat(((VstpException) wrong.getCause()).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(root.resolve("f.bin")).doesNotExist();
        }
    }

    @Test
    void anUploadNameThatIsNotSixteenHexDigitsIsABadRequest() throws Exception {
        try (FileService files = new FileService(root)) {
            Frame bad = Frame.builder(FrameType.DATA)
                    .header("service", "files")
                    .header("op", "put-begin")
                    .header("path", "f.bin")
                    .header("size", "1")
                    .header("upload", "../../etc")
                    .build();
            Throwable t = catchThrowable(() -> call(files, bad));
            assertThat(((VstpException) t.getCause()).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    private static Frame.Builder named(String op) {
        return Frame.builder(FrameType.DATA)
                .header("service", "files")
                .header("op", op)
                .header("path", "f.bin")
                .header("upload", "0123456789abcdef");
    }

    /**
     * One upload named through two paths (a link inside the root) is one file: a restart through one path and
     * other bytes written through it must not leave the first path's digest vouching for them.
     */
    @Test
    void anUploadRestartedThroughALinkIsNotVerifiedWithTheDigestOfWhatItHeldBefore() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("link"), root.resolve("real"));
        byte[] x = Arrays.copyOf(content, 16);
        byte[] z = Arrays.copyOfRange(content, 16, 32);
        try (FileService files = new FileService(root)) {
            call(files, at("real/f", "put-begin").header("size", "16").build()).release();
            call(
                            files,
                            at("real/f", "put-chunk")
                                    .header("offset", "0")
                                    .payload(Unpooled.wrappedBuffer(x))
                                    .build())
                    .release();
            call(
                            files,
                            at("link/f", "put-begin")
                                    .header("size", "16")
                                    .header("restart", "true")
                                    .build())
                    .release();
            call(
                            files,
                            at("link/f", "put-chunk")
                                    .header("offset", "0")
                                    .payload(Unpooled.wrappedBuffer(z))
                                    .build())
                    .release();
            Throwable t = catchThrowable(() -> call(
                    files,
                    at("real/f", "put-commit")
                            .header("size", "16")
                            .header("sha256", sha(x))
                            .build()));
            assertThat(t).as("the file holds z, not x").isNotNull();
            assertThat(((VstpException) t.getCause()).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(root.resolve("real/f")).doesNotExist();
        }
    }

    private static Frame.Builder at(String path, String op) {
        return Frame.builder(FrameType.DATA)
                .header("service", "files")
                .header("op", op)
                .header("path", path)
                .header("upload", "00000000000000aa");
    }

    private static String sha(byte[] bytes) {
        return HexFormat.of().formatHex(FilesProtocol.sha256().digest(bytes));
    }

    private static Frame.Builder op(String op, byte[] announced) {
        return Frame.builder(FrameType.DATA)
                .header("service", "files")
                .header("op", op)
                .header("path", "f.bin")
                .header("sha256", sha(announced));
    }

    private static Frame call(FileService files, Frame request) throws Exception {
        try {
            return files.handleDatagram(request, PEER).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            request.release();
        }
    }

    private static long begin(FileService files, byte[] announced) throws Exception {
        Frame answer = call(
                files,
                op("put-begin", announced)
                        .header("size", Integer.toString(announced.length))
                        .build());
        try {
            return Long.parseLong(answer.headers().value("offset"));
        } finally {
            answer.release();
        }
    }

    private static void chunk(FileService files, byte[] bytes, int at) throws Exception {
        chunk(files, bytes, bytes, at);
    }

    private static void chunk(FileService files, byte[] announced, byte[] bytes, int at) throws Exception {
        byte[] part = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + CHUNK));
        call(
                        files,
                        op("put-chunk", announced)
                                .header("offset", Integer.toString(at))
                                .payload(Unpooled.wrappedBuffer(part))
                                .build())
                .release();
    }

    private static void commit(FileService files, byte[] announced) throws Exception {
        call(
                        files,
                        op("put-commit", announced)
                                .header("size", Integer.toString(announced.length))
                                .build())
                .release();
    }

    private ErrorCode refusal(FileService files) {
        Throwable t = catchThrowable(() -> commit(files, content));
        assertThat(t).hasCauseInstanceOf(VstpException.class);
        return ((VstpException) t.getCause()).code();
    }
}
