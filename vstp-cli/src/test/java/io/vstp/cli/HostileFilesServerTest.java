package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.files.FilesClient;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpServer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

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
                try (ConnectionRequester requester = Requesters.tcp(options, new Target("127.0.0.1", server.port(),
                        "d"))) {
                    assertThatThrownBy(() -> FolderTransfer.remoteFiles(new FilesClient(requester), "d"))
                            .as(lie[0]).isInstanceOf(CliException.class).hasMessageContaining(lie[1]);
                }
            }
        }
    }
}
