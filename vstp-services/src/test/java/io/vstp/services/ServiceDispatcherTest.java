package io.vstp.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.files.FileService;
import io.vstp.services.files.FilesProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server answers (docs/spec/services.md), driven as a UDP peer's requests arrive: echo without a service,
 * UNKNOWN_SERVICE for another one, and the files service's whole life of a file (upload in chunks, stat, list, get,
 * move, delete) with its refusals.
 */
class ServiceDispatcherTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4000);

    @TempDir
    Path root;

    /** The answer to {@code request} (released here); the caller releases the answer. */
    private static Frame ask(ServiceDispatcher d, Frame request) throws Exception {
        try {
            return d.handleDatagram(request, PEER).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            request.release();
        }
    }

    /** The error {@code request} fails with. */
    private static VstpException refusal(ServiceDispatcher d, Frame request) throws Exception {
        try {
            d.handleDatagram(request, PEER)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .release();
        } catch (ExecutionException e) {
            return (VstpException) e.getCause();
        } finally {
            request.release();
        }
        throw new AssertionError("expected a refusal");
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(FilesProtocol.sha256().digest(b));
    }

    @Test
    void echoAndUnknownServices() throws Exception {
        try (FileService files = new FileService(root, FileService.PartialUploads.DEFAULT)) {
            ServiceDispatcher d = new ServiceDispatcher(files);
            Frame echo = ask(
                    d,
                    Frame.builder(FrameType.DATA)
                            .header("k", "v")
                            .payload("hello")
                            .build());
            assertThat(echo.payloadAsString()).isEqualTo("hello");
            assertThat(echo.headers().value("k")).isEqualTo("v");
            echo.release();
            VstpException unknown = refusal(
                    d,
                    Frame.builder(FrameType.DATA)
                            .header(FilesProtocol.SERVICE_HEADER, "mail")
                            .build());
            assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN_SERVICE);
            assertThat(unknown.getMessage()).contains("no service 'mail' here");
        }
    }

    @Test
    void aFilesWholeLife() throws Exception {
        byte[] content = "line one\nline two\n".repeat(40_000).getBytes(StandardCharsets.UTF_8);
        String sha = sha256(content);
        try (FileService files = new FileService(root, FileService.PartialUploads.DEFAULT)) {
            ServiceDispatcher d = new ServiceDispatcher(files);
            Frame begin = ask(
                    d,
                    FilesProtocol.request(FilesProtocol.PUT_BEGIN, "docs/a.txt")
                            .header(FilesProtocol.SIZE, Long.toString(content.length))
                            .header(FilesProtocol.SHA256, sha)
                            .build());
            assertThat(begin.headers().value(FilesProtocol.OFFSET)).isEqualTo("0");
            begin.release();
            for (int at = 0; at < content.length; at += FilesProtocol.MAX_CHUNK) {
                int n = Math.min(FilesProtocol.MAX_CHUNK, content.length - at);
                ask(
                                d,
                                FilesProtocol.request(FilesProtocol.PUT_CHUNK, "docs/a.txt")
                                        .header(FilesProtocol.SHA256, sha)
                                        .header(FilesProtocol.OFFSET, Long.toString(at))
                                        .payload(Unpooled.wrappedBuffer(content, at, n))
                                        .build())
                        .release();
            }
            // A chunk out of place is refused, and says what the server holds.
            VstpException misplaced = refusal(
                    d,
                    FilesProtocol.request(FilesProtocol.PUT_CHUNK, "docs/a.txt")
                            .header(FilesProtocol.SHA256, sha)
                            .header(FilesProtocol.OFFSET, "7")
                            .payload(Unpooled.wrappedBuffer(new byte[3]))
                            .build());
            assertThat(misplaced.code()).isEqualTo(ErrorCode.OFFSET_MISMATCH);
            ask(
                            d,
                            FilesProtocol.request(FilesProtocol.PUT_COMMIT, "docs/a.txt")
                                    .header(FilesProtocol.SIZE, Long.toString(content.length))
                                    .header(FilesProtocol.SHA256, sha)
                                    .build())
                    .release();
            assertThat(root.resolve("docs/a.txt")).hasBinaryContent(content);

            // The same content again: nothing to send.
            Frame again = ask(
                    d,
                    FilesProtocol.request(FilesProtocol.PUT_BEGIN, "docs/a.txt")
                            .header(FilesProtocol.SIZE, Long.toString(content.length))
                            .header(FilesProtocol.SHA256, sha)
                            .build());
            assertThat(again.headers().value(FilesProtocol.IDENTICAL)).isEqualTo("true");
            again.release();

            Frame stat = ask(
                    d, FilesProtocol.request(FilesProtocol.STAT, "docs/a.txt").build());
            assertThat(stat.headers().value(FilesProtocol.SIZE)).isEqualTo(Long.toString(content.length));
            assertThat(stat.headers().value(FilesProtocol.SHA256)).isEqualTo(sha);
            stat.release();
            Frame prefix = ask(
                    d,
                    FilesProtocol.request(FilesProtocol.STAT, "docs/a.txt")
                            .header(FilesProtocol.PREFIX, "9")
                            .build());
            assertThat(prefix.headers().value(FilesProtocol.PREFIX_SHA256))
                    .isEqualTo(sha256("line one\n".getBytes(StandardCharsets.UTF_8)));
            prefix.release();

            Frame list =
                    ask(d, FilesProtocol.request(FilesProtocol.LIST, "docs").build());
            assertThat(list.payloadAsString()).contains("a.txt");
            assertThat(list.headers().value(FilesProtocol.ENTRIES)).isEqualTo("1");
            list.release();

            Frame get = ask(
                    d,
                    FilesProtocol.request(FilesProtocol.GET, "docs/a.txt")
                            .header(FilesProtocol.OFFSET, "9")
                            .header(FilesProtocol.LENGTH, "8")
                            .build());
            assertThat(get.payloadAsString()).isEqualTo("line two");
            get.release();
            VstpException beyond = refusal(
                    d,
                    FilesProtocol.request(FilesProtocol.GET, "docs/a.txt")
                            .header(FilesProtocol.OFFSET, Long.toString(content.length + 1))
                            .header(FilesProtocol.LENGTH, "1")
                            .build());
            assertThat(beyond.code()).isEqualTo(ErrorCode.BAD_REQUEST);

            ask(
                            d,
                            FilesProtocol.request(FilesProtocol.MOVE, "docs/a.txt")
                                    .header(FilesProtocol.TO, "docs/b.txt")
                                    .build())
                    .release();
            assertThat(root.resolve("docs/b.txt")).hasBinaryContent(content);
            assertThat(root.resolve("docs/a.txt")).doesNotExist();
            ask(d, FilesProtocol.request(FilesProtocol.DELETE, "docs/b.txt").build())
                    .release();
            assertThat(root.resolve("docs/b.txt")).doesNotExist();

            VstpException gone = refusal(
                    d, FilesProtocol.request(FilesProtocol.STAT, "docs/b.txt").build());
            assertThat(gone.code()).isEqualTo(ErrorCode.NOT_FOUND);
            VstpException outside = refusal(
                    d,
                    FilesProtocol.request(FilesProtocol.STAT, "../etc/passwd").build());
            assertThat(outside.code()).isEqualTo(ErrorCode.PATH_REFUSED);
            VstpException unknownOp =
                    refusal(d, FilesProtocol.request("chmod", "docs").build());
            assertThat(unknownOp.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void anUploadWhoseBytesDoNotMatchItsHashIsDiscarded() throws Exception {
        try (FileService files = new FileService(root, FileService.PartialUploads.DEFAULT)) {
            ServiceDispatcher d = new ServiceDispatcher(files);
            String claimed = sha256("what was promised".getBytes(StandardCharsets.UTF_8));
            ask(
                            d,
                            FilesProtocol.request(FilesProtocol.PUT_BEGIN, "x.bin")
                                    .header(FilesProtocol.SIZE, "4")
                                    .header(FilesProtocol.SHA256, claimed)
                                    .build())
                    .release();
            ask(
                            d,
                            FilesProtocol.request(FilesProtocol.PUT_CHUNK, "x.bin")
                                    .header(FilesProtocol.SHA256, claimed)
                                    .header(FilesProtocol.OFFSET, "0")
                                    .payload(Unpooled.wrappedBuffer(new byte[4]))
                                    .build())
                    .release();
            VstpException mismatch = refusal(
                    d,
                    FilesProtocol.request(FilesProtocol.PUT_COMMIT, "x.bin")
                            .header(FilesProtocol.SIZE, "4")
                            .header(FilesProtocol.SHA256, claimed)
                            .build());
            assertThat(mismatch.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(root.resolve("x.bin")).doesNotExist();
            try (var left = Files.list(root)) {
                assertThat(left).as("the partial is gone too").isEmpty();
            }
        }
    }
}
