package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.files.FilesProtocol;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A files server that lies: it announces a 10-byte file and its SHA-256, then sends 20 bytes. The download must
 * be refused, and nothing kept, since the extra bytes would be covered by neither the hash nor a signature.
 */
class HostileFilesServerTest {
    @TempDir
    Path tmp;

    private static final byte[] ANNOUNCED = "ten bytes!".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aChunkBeyondTheAnnouncedSizeIsRefusedOnEveryWire() throws Exception {
        String sha = HexFormat.of().formatHex(FilesProtocol.sha256().digest(ANNOUNCED));
        RequestHandler liar = (request, session) -> {
            String op = request.headers().value("op");
            Frame answer = switch (String.valueOf(op)) {
                case "stat" -> Frame.builder(FrameType.DATA).header("size", "10").header("sha256", sha).build();
                // ANNOUNCED and ten bytes more, in the v1/UDP form of the answer
                case "get" -> Frame.builder(FrameType.DATA).header("size", "10").header("offset", "0")
                        .payload("ten bytes!AND MORE!!".getBytes(StandardCharsets.US_ASCII)).build();
                default -> null;
            };
            return CompletableFuture.completedFuture(answer);
        };
        // Wire v1: no stream, so get goes as pipelined ranged requests, which this server answers with too much.
        try (VstpServer server = VstpServer.builder().port(0).threads(1).plain().protocol(ProtocolOptions.DEFAULT
                .withV2(false)).handler(liar).start()) {
            ClientOptions options = new ClientOptions();
            options.plain = true;
            options.wire = 1;
            options.timeout = java.time.Duration.ofSeconds(10);
            Target target = new Target("127.0.0.1", server.port(), "f.bin");
            try (TcpRequester requester = TcpRequester.open(options, target)) {
                Path out = tmp.resolve("f.bin");
                FileTransfer transfer = new FileTransfer(requester);
                assertThatThrownBy(() -> transfer.get("f.bin", out, Progress.silent()))
                        .isInstanceOf(CliException.class).hasMessageContaining("more of f.bin than the 10 bytes");
                assertThat(out).doesNotExist();
                java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
                assertThatThrownBy(() -> transfer.getTo("f.bin", stdout, Progress.silent()))
                        .isInstanceOf(CliException.class).hasMessageContaining("than the 10 bytes");
                assertThat(stdout.size()).as("nothing written past the refusal").isZero();
            }
        }
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith(".vstp-part-"));
        }
    }

    /**
     * A server whose listing names a path outside the folder ("..", a name with '/'), or says it is only part of the
     * directory: get -r refuses before anything is written, since a name from the server becomes a local path.
     */
    @Test
    void aListingThatWouldLeaveTheFolderOrIsTruncatedIsRefused() throws Exception {
        for (String[] lie : new String[][] {{"f\t5\t..\n", "not one path component"},
                {"d\t0\t../../etc\n", "not one path component"}, {"f\t5\tsub/x\n", "not one path component"},
                {"f\t-5\tx\n", "with size -5"}, {"f\t5\tx\n", "holds more than"}}) {
            RequestHandler liar = (request, session) -> {
                Frame.Builder answer = Frame.builder(FrameType.DATA).header("entries", "1").payload(lie[0]);
                if (lie[1].equals("holds more than")) {
                    answer.header("truncated", "true");
                }
                return CompletableFuture.completedFuture(answer.build());
            };
            try (VstpServer server = VstpServer.builder().port(0).threads(1).plain().handler(liar).start()) {
                ClientOptions options = new ClientOptions();
                options.plain = true;
                options.timeout = java.time.Duration.ofSeconds(10);
                try (TcpRequester requester = TcpRequester.open(options, new Target("127.0.0.1", server.port(), "d"))) {
                    assertThatThrownBy(() -> FolderTransfer.remoteFiles(new FileTransfer(requester), "d"))
                            .as(lie[0]).isInstanceOf(CliException.class).hasMessageContaining(lie[1]);
                }
            }
        }
    }
}
