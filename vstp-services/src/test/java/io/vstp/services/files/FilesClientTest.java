package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.services.ConnectionRequester;
import io.vstp.services.DatagramRequester;
import io.vstp.services.Requester;
import io.vstp.services.ServicesServer;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.VstpClient;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The files service's client as a library user runs it: against a {@link ServicesServer} over TLS with wire v2
 * (stream transfers), TLS with wire v1 (pipelined chunk requests) and DTLS, every transfer verified, resumed where it
 * stopped, and nothing replaced without being asked.
 */
class FilesClientTest {
    @TempDir
    static Path tmp;

    private static ServicesServer server;
    private static TlsClientOptions trust;

    /** How the client reaches the server. */
    enum Transport {
        TLS_V2,
        TLS_V1,
        DTLS
    }

    @BeforeAll
    static void start() throws Exception {
        server = ServicesServer.builder()
                .port(0)
                .directory(tmp.resolve("served"))
                .tls(TlsServerOptions.builder().home(tmp.resolve("server")).build())
                .start();
        trust = TlsClientOptions.builder()
                .home(tmp.resolve("client"))
                .pin(server.fingerprint())
                .build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Requester open(Transport transport) throws Exception {
        if (transport == Transport.DTLS) {
            return DatagramRequester.connect(
                    new InetSocketAddress("127.0.0.1", server.port()),
                    DtlsClientOptions.builder().tls(trust).build(),
                    Duration.ofSeconds(30));
        }
        VstpClient client = VstpClient.builder()
                .tls(trust)
                .requestTimeout(Duration.ofSeconds(30))
                .protocol(ProtocolOptions.DEFAULT.withV2(transport == Transport.TLS_V2))
                .build();
        try {
            return ConnectionRequester.over(
                    client.connect("127.0.0.1", server.port()).get(30, TimeUnit.SECONDS), client);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    private static Path file(String name, int bytes, long seed) throws Exception {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return Files.write(tmp.resolve(name), b);
    }

    /** Records what a transfer reported. */
    private static final class Recorded implements TransferProgress {
        final List<Long> updates = new ArrayList<>();
        long startTotal = -1;
        long startDone = -1;
        boolean finished;

        @Override
        public void start(long total, long done) {
            startTotal = total;
            startDone = done;
        }

        @Override
        public void update(long done) {
            updates.add(done);
        }

        @Override
        public void finish() {
            finished = true;
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void putThenGetGivesTheSameBytesAndReportsProgress(Transport transport) throws Exception {
        String remote = "round-" + transport + ".bin";
        Path local = file("round-" + transport, 3 * FilesClient.CHUNK + 12_345, 1);
        try (Requester r = open(transport)) {
            FilesClient files = new FilesClient(r);
            Recorded up = new Recorded();
            FilesClient.Result put = files.put(local, remote, false, up);
            assertThat(put.bytes()).isEqualTo(Files.size(local));
            assertThat(put.sha256()).isEqualTo(FilesProtocol.sha256(local, Files.size(local)));
            assertThat(put.unchanged()).isFalse();
            assertThat(up.startTotal).isEqualTo(Files.size(local));
            assertThat(up.updates).isNotEmpty().isSorted().last().isEqualTo(Files.size(local));
            assertThat(up.finished).isTrue();

            Path back = tmp.resolve("back-" + transport + "/copy.bin");
            Recorded down = new Recorded();
            FilesClient.Result got = files.get(remote, back, down);
            assertThat(back).hasSameBinaryContentAs(local);
            assertThat(got.sha256()).isEqualTo(put.sha256());
            assertThat(down.updates).last().isEqualTo(Files.size(local));
            assertThat(FilesClient.partialOf(back)).doesNotExist();

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(files.getTo(remote, out, TransferProgress.NONE).sha256()).isEqualTo(put.sha256());
            assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(local));

            assertThat(files.put(local, remote, false, TransferProgress.NONE).unchanged())
                    .as("the same content again: nothing sent")
                    .isTrue();
            assertThat(files.sameAs(remote, back))
                    .isNotNull()
                    .extracting(FilesClient.Result::unchanged)
                    .isEqualTo(true);
            assertThat(files.stat(remote)).isEqualTo(new FilesClient.RemoteFile(Files.size(local), put.sha256()));
            assertThat(files.exists(remote)).isTrue();
            assertThat(files.exists("no-such-" + remote)).isFalse();
            assertThat(files.list("").entries()).contains(new FilesClient.Entry(remote, false, Files.size(local)));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void otherContentIsReplacedOnlyWhenAsked(Transport transport) throws Exception {
        String remote = "kept-" + transport + ".bin";
        try (Requester r = open(transport)) {
            FilesClient files = new FilesClient(r);
            files.put(file("first-" + transport, 1000, 2), remote, false, TransferProgress.NONE);
            Path other = file("second-" + transport, 2000, 3);
            assertThatThrownBy(() -> files.put(other, remote, false, TransferProgress.NONE))
                    .isInstanceOfSatisfying(
                            VstpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
            assertThat(files.stat(remote).size())
                    .as("the first content is kept")
                    .isEqualTo(1000);
            files.put(other, remote, true, TransferProgress.NONE);
            assertThat(files.stat(remote).size()).isEqualTo(2000);
        }
    }

    /** Passes requests on, noting the headers of each put-begin. */
    private static class BeginsSeen implements Requester {
        final Requester inner;
        final List<String> begins = new ArrayList<>();

        BeginsSeen(Requester inner) {
            this.inner = inner;
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.vstp.core.frame.Frame> request(
                io.vstp.core.frame.Frame request) {
            if (FilesProtocol.PUT_BEGIN.equals(request.headers().value(FilesProtocol.OP))) {
                begins.add((request.headers().value(FilesProtocol.UPLOAD) != null ? "upload" : "")
                        + (request.headers().value(FilesProtocol.SHA256) != null ? "sha256" : ""));
            }
            return inner.request(request);
        }

        @Override
        public io.vstp.transport.ClientStream openStream() throws Exception {
            return inner.openStream();
        }

        @Override
        public String security() {
            return inner.security();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * A new file is announced by its upload name and hashed as it is sent (one read of it); a file the server may
     * already hold (same size) is announced by its SHA-256, so an identical one is not sent again; either way the
     * server verifies the SHA-256 the commit carries.
     */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aNewFileIsHashedAsItIsSentAndOneTheServerHoldsIsNotSentAgain(Transport transport) throws Exception {
        String remote = "once-" + transport + ".bin";
        Path local = file("once-" + transport, 2 * FilesClient.CHUNK + 777, 5);
        String sha = FilesProtocol.sha256(local, Files.size(local));
        try (BeginsSeen r = new BeginsSeen(open(transport))) {
            FilesClient files = new FilesClient(r);
            FilesClient.Result first = files.put(local, remote, false, null);
            assertThat(first.sha256()).isEqualTo(sha);
            assertThat(first.unchanged()).isFalse();
            assertThat(Files.readAllBytes(server.files().root().resolve(remote)))
                    .isEqualTo(Files.readAllBytes(local));

            FilesClient.Result again = files.put(local, remote, false, null);
            assertThat(again.unchanged()).as("the server already holds it").isTrue();

            Path other = file("once-other-" + transport, (int) Files.size(local), 6);
            FilesClient.Result replaced = files.put(other, remote, true, null);
            assertThat(replaced.sha256()).isEqualTo(FilesProtocol.sha256(other, Files.size(other)));
            assertThat(Files.readAllBytes(server.files().root().resolve(remote)))
                    .isEqualTo(Files.readAllBytes(other));
            assertThat(r.begins).containsExactly("upload", "sha256", "upload");
        }
    }

    /** A server from before upload names refuses them as a bad request: the client then announces the SHA-256. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aServerThatKnowsNoUploadNamesGetsTheSha256First(Transport transport) throws Exception {
        String remote = "older-" + transport + ".bin";
        Path local = file("older-" + transport, FilesClient.CHUNK + 99, 7);
        try (BeginsSeen r = new BeginsSeen(open(transport)) {
            @Override
            public java.util.concurrent.CompletableFuture<io.vstp.core.frame.Frame> request(
                    io.vstp.core.frame.Frame request) {
                if (request.headers().value(FilesProtocol.UPLOAD) != null) {
                    begins.add("refused upload");
                    request.release();
                    return java.util.concurrent.CompletableFuture.failedFuture(new io.vstp.transport.SessionException(
                            ErrorCode.BAD_REQUEST, VstpException.Scope.REQUEST, "missing header 'sha256'"));
                }
                return super.request(request);
            }
        }) {
            FilesClient.Result put = new FilesClient(r).put(local, remote, false, null);
            assertThat(put.sha256()).isEqualTo(FilesProtocol.sha256(local, Files.size(local)));
            assertThat(Files.readAllBytes(server.files().root().resolve(remote)))
                    .isEqualTo(Files.readAllBytes(local));
            assertThat(r.begins).containsExactly("refused upload", "sha256");
        }
    }

    /** An upload cut off after its first acknowledged chunk continues from what the server kept. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void anInterruptedUploadResumes(Transport transport) throws Exception {
        String remote = "resumed-up-" + transport + ".bin";
        Path local = file("resumed-up-" + transport, 4 * FilesClient.CHUNK, 4);
        try (Requester r = open(transport)) {
            TransferProgress cut = new TransferProgress() {
                @Override
                public void update(long done) {
                    throw new IllegalStateException("cut off at " + done);
                }
            };
            assertThatThrownBy(() -> new FilesClient(r).put(local, remote, false, cut))
                    .hasMessageContaining("cut off");
        }
        try (Requester r = open(transport)) {
            FilesClient.Result again = new FilesClient(r).put(local, remote, false, TransferProgress.NONE);
            assertThat(again.resumedFrom()).as("resumed, not started over").isPositive();
            assertThat(again.sha256()).isEqualTo(FilesProtocol.sha256(local, Files.size(local)));
            Path back = tmp.resolve("resumed-up-back-" + transport);
            new FilesClient(r).get(remote, back, TransferProgress.NONE);
            assertThat(back).hasSameBinaryContentAs(local);
        }
    }

    /** A download finds its partial file beside the target and fetches only the rest, then verifies the whole. */
    @ParameterizedTest
    @EnumSource(Transport.class)
    void aPartialDownloadResumesAndAForeignOneIsReplaced(Transport transport) throws Exception {
        String remote = "resumed-down-" + transport + ".bin";
        Path local = file("resumed-down-" + transport, 2 * FilesClient.CHUNK + 7, 5);
        try (Requester r = open(transport)) {
            FilesClient files = new FilesClient(r);
            files.put(local, remote, false, TransferProgress.NONE);
            Path target = tmp.resolve("resumed-down-target-" + transport);
            byte[] prefix = java.util.Arrays.copyOf(Files.readAllBytes(local), FilesClient.CHUNK + 3);
            Files.write(FilesClient.partialOf(target), prefix);
            FilesClient.Result got = files.get(remote, target, TransferProgress.NONE);
            assertThat(got.resumedFrom()).isEqualTo(prefix.length);
            assertThat(target).hasSameBinaryContentAs(local);

            // A partial that is not a prefix of the remote file is not trusted: the download starts over.
            Files.delete(target);
            prefix[10] ^= 1;
            Files.write(FilesClient.partialOf(target), prefix);
            assertThat(files.get(remote, target, TransferProgress.NONE).resumedFrom())
                    .isZero();
            assertThat(target).hasSameBinaryContentAs(local);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"TLS_V2", "DTLS"})
    void aSmallFileComesIntoMemoryAndALargeOneIsRefusedUnread(Transport transport) throws Exception {
        try (Requester r = open(transport)) {
            FilesClient files = new FilesClient(r);
            Path small = file("small-" + transport, 300, 6);
            files.put(small, "small-" + transport + ".bin", false, TransferProgress.NONE);
            assertThat(files.fetchSmall("small-" + transport + ".bin", 1000)).isEqualTo(Files.readAllBytes(small));
            assertThat(files.fetchSmall("absent-" + transport + ".bin", 1000)).isNull();
            assertThatThrownBy(() -> files.fetchSmall("small-" + transport + ".bin", 100))
                    .isInstanceOf(FileTransferException.class)
                    .hasMessageContaining("at most 100 expected");
        }
    }
}
