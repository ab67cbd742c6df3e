package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.DatagramRequester;
import io.vstp.services.ServiceDispatcher;
import io.vstp.services.ServicesServer;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpServer;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files service shared among clients (issue 16, attack 6): a client that queues slow requests delays its own,
 * not another client's; its queued work is dropped when it leaves; and a stat never hashes a known file again.
 */
class FilesFairnessTest {
    /** Sparse: costs no disk, but every hash of it reads this much. */
    private static final long BIG = 512L << 20;

    @TempDir
    Path tmp;

    private FileService files;
    private VstpServer server;

    @BeforeEach
    void start() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("served"));
        try (RandomAccessFile f = new RandomAccessFile(served.resolve("big.bin").toFile(), "rw")) {
            f.setLength(BIG);
        }
        Thread.sleep(50); // a tick old: ContentHashes remembers no hash of a file changed within a tick of reading it
        files = new FileService(served);
        server = VstpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .plain()
                .handler(new ServiceDispatcher(files))
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
        files.close();
    }

    private ConnectionRequester client() throws Exception {
        return client(server.port());
    }

    /** A plaintext TCP requester to {@code port} whose requests wait up to 120 s. */
    static ConnectionRequester client(int port) throws Exception {
        VstpClient client = VstpClient.builder()
                .plain()
                .requestTimeout(Duration.ofSeconds(120))
                .build();
        try {
            return ConnectionRequester.over(client.connect("127.0.0.1", port).get(30, TimeUnit.SECONDS), client);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    /** A plaintext UDP requester to {@code port} whose requests wait up to 120 s. */
    static DatagramRequester datagramClient(int port) throws Exception {
        return DatagramRequester.connect(new InetSocketAddress("127.0.0.1", port), null, Duration.ofSeconds(120));
    }

    /**
     * Waits until every one of {@code requests} has reached the server: one client's work runs one task at a time,
     * so all but one are queued or already answered.
     */
    private static void awaitAllArrived(FileService files, List<CompletableFuture<Frame>> requests) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> files.queuedRequests()
                                + requests.stream()
                                        .filter(CompletableFuture::isDone)
                                        .count()
                        >= requests.size() - 1);
    }

    /** {@code n} stats of big.bin, each asking the hash of a different long prefix: each reads most of the file. */
    private static List<CompletableFuture<Frame>> slowStats(ConnectionRequester r, int n) {
        List<CompletableFuture<Frame>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(r.request(files("stat", "big.bin")
                    .header("prefix", Long.toString(BIG - i))
                    .build()));
        }
        return all;
    }

    private static Frame.Builder files(String op, String path) {
        return Frame.builder(FrameType.DATA)
                .header("service", FilesProtocol.SERVICE)
                .header("op", op)
                .header("path", path);
    }

    @Test
    void oneClientsQueueOfSlowWorkDoesNotStallAnother() throws Exception {
        try (ConnectionRequester greedy = client();
                ConnectionRequester other = client()) {
            List<CompletableFuture<Frame>> slow = slowStats(greedy, 12);
            awaitAllArrived(files, slow); // the greedy client's requests are queued first
            other.request(files("list", "").build()).get(60, TimeUnit.SECONDS).release();
            long doneBefore = slow.stream().filter(CompletableFuture::isDone).count();
            assertThat(doneBefore)
                    .as("the list was answered while most of the greedy client's work still waited")
                    .isLessThan(6);
            for (CompletableFuture<Frame> f : slow) {
                f.get(120, TimeUnit.SECONDS).release();
            }
        }
    }

    /** Over UDP too, where there are no sessions: each peer address has a queue of its own. */
    @Test
    void oneUdpPeersQueueOfSlowWorkDoesNotStallAnother() throws Exception {
        try (ServicesServer runtime = ServicesServer.builder()
                        .port(0)
                        .directory(tmp.resolve("served"))
                        .plain()
                        .start();
                DatagramRequester greedy = datagramClient(runtime.port());
                DatagramRequester other = datagramClient(runtime.port())) {
            List<CompletableFuture<Frame>> slow = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                slow.add(greedy.request(files("stat", "big.bin")
                        .header("prefix", Long.toString(BIG - i))
                        .build()));
            }
            awaitAllArrived(runtime.files(), slow); // every one of them reaches the server first
            other.request(files("list", "").build()).get(60, TimeUnit.SECONDS).release();
            long doneBefore = slow.stream().filter(CompletableFuture::isDone).count();
            assertThat(doneBefore)
                    .as("the list was answered while most of the greedy peer's work still waited")
                    .isLessThan(6);
            for (CompletableFuture<Frame> f : slow) {
                f.get(120, TimeUnit.SECONDS).release();
            }
        }
    }

    /** Each UDP address has a queue, and addresses cost nothing to forge: one bound holds over them all. */
    @Test
    void udpRequestsFromAllPeersTogetherAreBounded() throws Exception {
        try (FileService bounded = new FileService(tmp.resolve("served"), FileService.PartialUploads.DEFAULT, 2)) {
            List<CompletableFuture<Frame>> slow = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Frame stat = files("stat", "big.bin")
                        .header("prefix", Long.toString(BIG - i))
                        .build();
                slow.add(bounded.handleDatagram(stat, new java.net.InetSocketAddress("127.0.0.1", 1000 + i))
                        .toCompletableFuture()
                        .whenComplete((a, e) -> stat.release()));
            }
            Frame third = files("list", "").build();
            try {
                Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                        () -> bounded.handleDatagram(third, new java.net.InetSocketAddress("127.0.0.1", 2000))
                                .toCompletableFuture()
                                .get(5, TimeUnit.SECONDS));
                assertThat(refused).hasMessageContaining("more than 2 files requests over UDP waiting");
            } finally {
                third.release();
            }
            for (CompletableFuture<Frame> f : slow) {
                f.get(120, TimeUnit.SECONDS).release();
            }
            Frame later = files("list", "").build();
            try {
                bounded.handleDatagram(later, new java.net.InetSocketAddress("127.0.0.1", 2000))
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS)
                        .release();
            } finally {
                later.release();
            }
        }
    }

    @Test
    void aClientThatLeavesHasItsQueuedWorkDropped() throws Exception {
        ConnectionRequester leaving = client();
        awaitAllArrived(files, slowStats(leaving, 12)); // the requests are queued before the client leaves
        leaving.connection().close(java.time.Duration.ZERO); // gone at once: no waiting for the answers
        leaving.close();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> files.droppedRequests() >= 6);
        assertThat(files.droppedRequests())
                .as("most of the 12 requests never ran")
                .isGreaterThanOrEqualTo(6);
    }

    /**
     * A request read before its session closed but dispatched after it is refused, not run: it would start a new
     * queue for the gone client, beside the session's last task.
     */
    @Test
    void aRequestDispatchedAfterItsSessionClosedIsRefusedNotRun() throws Exception {
        java.util.concurrent.atomic.AtomicReference<io.vstp.transport.Session> seen =
                new java.util.concurrent.atomic.AtomicReference<>();
        ServiceDispatcher services = new ServiceDispatcher(files);
        try (VstpServer capturing = VstpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .plain()
                .handler((request, session) -> {
                    seen.set(session);
                    return services.handle(request, session);
                })
                .start()) {
            try (ConnectionRequester r = client(capturing.port())) {
                r.request(files("list", "").build()).get(30, TimeUnit.SECONDS).release();
            }
            io.vstp.transport.Session gone = seen.get();
            gone.closeFuture().toCompletableFuture().get(10, TimeUnit.SECONDS);

            Frame late = files("delete", "big.bin").build();
            try {
                Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                        () -> services.handle(late, gone).toCompletableFuture().get(10, TimeUnit.SECONDS));
                assertThat(refused)
                        .hasCauseInstanceOf(io.vstp.core.error.VstpException.class)
                        .hasMessageContaining("the client left before this request ran");
            } finally {
                late.release();
            }
            assertThat(tmp.resolve("served/big.bin"))
                    .as("the late delete never ran")
                    .exists();
        }
    }

    @Test
    void aFileIsHashedOnceForAnyNumberOfStatsAndNotAtAllAfterItsUpload() throws Exception {
        try (ConnectionRequester r = client()) {
            List<CompletableFuture<Frame>> stats = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                stats.add(r.request(files("stat", "big.bin").build()));
            }
            String sha = null;
            for (CompletableFuture<Frame> f : stats) {
                Frame answer = f.get(120, TimeUnit.SECONDS);
                sha = sha == null ? answer.headers().value("sha256") : sha;
                assertThat(answer.headers().value("sha256")).isEqualTo(sha);
                answer.release();
            }
            assertThat(files.filesHashed()).isEqualTo(1);

            Path small = Files.write(tmp.resolve("small.bin"), "uploaded, so already known".getBytes());
            new FilesClient(r).put(small, "small.bin", false, TransferProgress.NONE);
            Frame stat = r.request(files("stat", "small.bin").build()).get(30, TimeUnit.SECONDS);
            assertThat(stat.headers().value("sha256")).isEqualTo(FilesProtocol.sha256(small, Files.size(small)));
            stat.release();
            assertThat(files.filesHashed())
                    .as("the upload's verified hash answered the stat")
                    .isEqualTo(1);

            // Through a link inside the root: the linked file's size and hash, not the link's.
            Files.createSymbolicLink(tmp.resolve("served/link.bin"), tmp.resolve("served/small.bin"));
            Frame viaLink = r.request(files("stat", "link.bin").build()).get(30, TimeUnit.SECONDS);
            assertThat(viaLink.headers().value("size")).isEqualTo(Long.toString(Files.size(small)));
            assertThat(viaLink.headers().value("sha256")).isEqualTo(FilesProtocol.sha256(small, Files.size(small)));
            viaLink.release();
            assertThat(files.filesHashed()).as("a link is a name of its own").isEqualTo(2);

            // A changed file is a new version: hashed again, never answered from the old one.
            Files.writeString(tmp.resolve("served/small.bin"), "changed behind the server's back");
            Frame again = r.request(files("stat", "small.bin").build()).get(30, TimeUnit.SECONDS);
            assertThat(again.headers().value("sha256"))
                    .isEqualTo(FilesProtocol.sha256(
                            tmp.resolve("served/small.bin"), Files.size(tmp.resolve("served/small.bin"))));
            again.release();
            assertThat(files.filesHashed()).isEqualTo(3);
        }
    }
}
