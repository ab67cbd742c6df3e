package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.files.FileTransferException;
import io.vstp.services.files.FilesClient;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpServer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A files server that lies in its listing, against {@code get -r} (the library's own checks of announced sizes and
 * hashes are in vstp-services, FilesClientHostileServerTest).
 */
class HostileFilesServerTest {
    /**
     * A server whose listing names a path outside the folder ("..", a name with '/'), or says it is only part of the
     * directory: get -r refuses before anything is written, since a name from the server becomes a local path.
     */
    @Test
    void aListingThatWouldLeaveTheFolderOrIsTruncatedIsRefused() throws Exception {
        for (String[] lie : new String[][] {
            {"f\t5\t..\n", "not one path component"},
            {"d\t0\t../../etc\n", "not one path component"},
            {"f\t5\tsub/x\n", "not one path component"},
            {"f\t-5\tx\n", "with size -5"},
            {"f\t5\tx\n", "holds more than"}
        }) {
            RequestHandler liar = (request, session) -> {
                Frame.Builder answer =
                        Frame.builder(FrameType.DATA).header("entries", "1").payload(lie[0]);
                if (lie[1].equals("holds more than")) {
                    answer.header("truncated", "true");
                }
                return CompletableFuture.completedFuture(answer.build());
            };
            try (VstpServer server = VstpServer.builder()
                    .port(0)
                    .threads(1)
                    .plain()
                    .handler(liar)
                    .start()) {
                ClientOptions options = new ClientOptions();
                options.plain = true;
                options.timeout = java.time.Duration.ofSeconds(10);
                try (ConnectionRequester requester =
                        Requesters.tcp(options, new Target("127.0.0.1", server.port(), "d"))) {
                    assertThatThrownBy(() -> FolderTransfer.remoteFiles(new FilesClient(requester), "d"))
                            .as(lie[0])
                            .isInstanceOfAny(CliException.class, FileTransferException.class)
                            .hasMessageContaining(lie[1]);
                }
            }
        }
    }

    /**
     * One file of a folder whose bytes do not match the hash the server announced fails alone: {@code get -r} goes on
     * with the others, keeps none of the bad one, and reports it in the summary (as a refusal by the server would).
     */
    @Test
    void aFileThatFailsItsCheckFailsAloneAndTheFolderGoesOn(@TempDir Path tmp) throws Exception {
        byte[] good = "abcdefghij".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] bad = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String goodSha = java.util.HexFormat.of()
                .formatHex(io.vstp.services.files.FilesProtocol.sha256().digest(good));
        RequestHandler liar = (request, session) -> {
            String op = String.valueOf(request.headers().value("op"));
            String path = String.valueOf(request.headers().value("path"));
            Frame.Builder answer = Frame.builder(FrameType.DATA);
            if (path.endsWith(".vstp-sig")) { // no file is signed
                return CompletableFuture.failedFuture(new io.vstp.transport.SessionException(
                        io.vstp.core.error.ErrorCode.NOT_FOUND,
                        io.vstp.core.error.VstpException.Scope.REQUEST,
                        "no such file"));
            }
            switch (op) {
                case "list" -> answer.header("entries", "2").payload("f\t10\ta.bin\nf\t10\tb.bin\n");
                // a.bin's announced hash is b.bin's: its bytes cannot match it
                case "stat" -> answer.header("size", "10").header("sha256", goodSha);
                case "get" ->
                    answer.header("size", "10").header("offset", "0").payload(path.endsWith("a.bin") ? bad : good);
                default -> {
                    return CompletableFuture.completedFuture(null);
                }
            }
            return CompletableFuture.completedFuture(answer.build());
        };
        // Wire v1: get goes as ranged requests, which this handler answers.
        try (VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .protocol(io.vstp.transport.ProtocolOptions.DEFAULT.withV2(false))
                .handler(liar)
                .start()) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            Path into = tmp.resolve("into");
            int code = VstpCommand.execute(
                    new String[] {"get", "-r", "--plain", "--json", "127.0.0.1:" + server.port() + "/d", into.toString()
                    },
                    new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(err, true));
            assertThat(code).as(out + " " + err).isEqualTo(ExitCodes.FAILED);
            assertThat(into.resolve("b.bin")).hasBinaryContent(good);
            assertThat(into.resolve("a.bin")).doesNotExist();
            assertThat(out.toString())
                    .contains("\"failed\":[")
                    .contains("a.bin")
                    .contains("\"files\":1");
            assertThat(err.toString()).contains("1 of 2 files not downloaded").contains("the others are in place");
        }
    }
}
