package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.ConnectionRequester;
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
 * Files servers that lie, against {@link FilesClient}: what a server announces (size, SHA-256, a listing) is checked
 * against what it sends, and a download that does not hold up is refused with nothing kept.
 */
class FilesClientHostileServerTest {
    @TempDir
    Path tmp;

    private static final byte[] ANNOUNCED = "ten bytes!".getBytes(StandardCharsets.US_ASCII);

    /**
     * A server that announces a 10-byte file and its SHA-256, then sends 20 bytes in answer to ranged gets (wire v1,
     * as over UDP): the download is refused, to a file or to a stream, and nothing kept, since the extra bytes would
     * be covered by neither the hash nor a signature.
     */
    @Test
    void aChunkBeyondTheAnnouncedSizeIsRefused() throws Exception {
        String sha = HexFormat.of().formatHex(FilesProtocol.sha256().digest(ANNOUNCED));
        RequestHandler liar = (request, session) -> {
            String op = request.headers().value("op");
            Frame answer = switch (String.valueOf(op)) {
                case "stat" ->
                    Frame.builder(FrameType.DATA)
                            .header("size", "10")
                            .header("sha256", sha)
                            .build();
                // ANNOUNCED and ten bytes more, in the v1/UDP form of the answer
                case "get" ->
                    Frame.builder(FrameType.DATA)
                            .header("size", "10")
                            .header("offset", "0")
                            .payload("ten bytes!AND MORE!!".getBytes(StandardCharsets.US_ASCII))
                            .build();
                default -> null;
            };
            return CompletableFuture.completedFuture(answer);
        };
        // Wire v1: no stream, so get goes as pipelined ranged requests, which this server answers with too much.
        try (VstpServer server = VstpServer.builder()
                .port(0)
                .threads(1)
                .plain()
                .protocol(ProtocolOptions.DEFAULT.withV2(false))
                .handler(liar)
                .start()) {
            try (ConnectionRequester requester = FilesFairnessTest.client(server.port())) {
                Path out = tmp.resolve("f.bin");
                FilesClient transfer = new FilesClient(requester);
                assertThatThrownBy(() -> transfer.get("f.bin", out, TransferProgress.NONE))
                        .isInstanceOf(FileTransferException.class)
                        .hasMessageContaining("more of f.bin than the 10 bytes");
                assertThat(out).doesNotExist();
                java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
                assertThatThrownBy(() -> transfer.getTo("f.bin", stdout, TransferProgress.NONE))
                        .isInstanceOf(FileTransferException.class)
                        .hasMessageContaining("than the 10 bytes");
                assertThat(stdout.size()).as("nothing written past the refusal").isZero();
            }
        }
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith(".vstp-part-"));
        }
    }

    /** A listing's names become local paths in a folder copy: each must be one plain path component. */
    @Test
    void aListingWithANameThatIsNotOnePathComponentOrANegativeSizeIsRefused() {
        for (String lie : new String[] {
            "f\t5\t..\n",
            "d\t0\t.\n",
            "f\t5\tsub/x\n",
            "f\t5\tsub\\x\n",
            "f\t5\tnul\0x\n",
            "f\t5\t" + "n".repeat(256) + "\n",
            "d\t0\t\n"
        }) {
            assertThatThrownBy(() -> FilesClient.parseList(lie))
                    .as(lie)
                    .isInstanceOf(FileTransferException.class)
                    .hasMessageContaining("not one path component");
        }
        assertThatThrownBy(() -> FilesClient.parseList("f\t-5\tx\n"))
                .isInstanceOf(FileTransferException.class)
                .hasMessageContaining("with size -5");
        assertThatThrownBy(() -> FilesClient.parseList("f\tbig\tx\n"))
                .isInstanceOf(FileTransferException.class)
                .hasMessageContaining("with size 'big'");
        assertThat(FilesClient.parseList("f\t5\ta b.txt\nd\t0\t" + "n".repeat(255) + "\nnot an entry\n"))
                .containsExactly(
                        new FilesClient.Entry("a b.txt", false, 5), new FilesClient.Entry("n".repeat(255), true, 0));
    }
}
