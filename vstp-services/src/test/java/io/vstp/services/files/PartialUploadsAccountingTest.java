package io.vstp.services.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes unfinished uploads hold, which the quota is checked against, are what is on disk, even while the
 * periodic sweep runs beside the uploads: a count taken during uploads would miss or double some chunks.
 */
class PartialUploadsAccountingTest {
    @TempDir
    Path root;

    @Test
    void theTotalIsTheBytesOnDiskWhileSweepsRun() throws Exception {
        try (FileService files = new FileService(root)) {
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
            int uploads = 8;
            byte[] chunk = new byte[16 * 1024];
            long[] offsets = new long[uploads];
            for (int u = 0; u < uploads; u++) {
                files.handleDatagram(
                                op("put-begin", u)
                                        .header("size", Long.toString(1L << 30))
                                        .header("sha256", "0".repeat(64))
                                        .build(),
                                peer)
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .release();
            }
            for (int round = 0; round < 200; round++) {
                var sweep = files.expirePartials().toCompletableFuture();
                for (int u = 0; u < uploads; u++) {
                    Frame put = op("put-chunk", u)
                            .header("offset", Long.toString(offsets[u]))
                            .header("sha256", "0".repeat(64))
                            .payload(Unpooled.wrappedBuffer(chunk))
                            .build();
                    try {
                        files.handleDatagram(put, peer)
                                .toCompletableFuture()
                                .get(10, TimeUnit.SECONDS)
                                .release();
                    } finally {
                        put.release();
                    }
                    offsets[u] += chunk.length;
                }
                sweep.get(10, TimeUnit.SECONDS);
                assertThat(files.partialBytes()).as("round %d", round).isEqualTo(onDisk());
            }
        }
    }

    @Test
    void anExpiredUploadSweptAwayReleasesItsBytes() throws Exception {
        try (FileService files =
                new FileService(root, new FileService.PartialUploads(Duration.ofMillis(300), 1L << 30))) {
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
            files.handleDatagram(
                            op("put-begin", 0)
                                    .header("size", "4096")
                                    .header("sha256", "0".repeat(64))
                                    .build(),
                            peer)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .release();
            Frame put = op("put-chunk", 0)
                    .header("offset", "0")
                    .header("sha256", "0".repeat(64))
                    .payload(Unpooled.wrappedBuffer(new byte[1000]))
                    .build();
            try {
                files.handleDatagram(put, peer)
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .release();
            } finally {
                put.release();
            }
            assertThat(files.partialBytes()).isEqualTo(1000);
            Thread.sleep(400); // older than its maximum age
            files.expirePartials().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(onDisk()).isZero();
            assertThat(files.partialBytes()).isZero();
        }
    }

    @Test
    void aChunkLargerThanTheProtocolsLimitIsRefusedAndNothingIsWritten() throws Exception {
        try (FileService files = new FileService(root)) {
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 9);
            files.handleDatagram(
                            op("put-begin", 0)
                                    .header("size", Long.toString(8L << 20))
                                    .header("sha256", "0".repeat(64))
                                    .build(),
                            peer)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .release();
            Frame big = op("put-chunk", 0)
                    .header("offset", "0")
                    .header("sha256", "0".repeat(64))
                    .payload(Unpooled.wrappedBuffer(new byte[FilesProtocol.MAX_CHUNK + 1]))
                    .build();
            try {
                Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() ->
                        files.handleDatagram(big, peer).toCompletableFuture().get(10, TimeUnit.SECONDS));
                assertThat(refused)
                        .hasCauseInstanceOf(io.vstp.core.error.VstpException.class)
                        .hasMessageContaining("a chunk of 1048577 bytes; at most 1048576");
            } finally {
                big.release();
            }
            assertThat(partialFiles()).as("refused before anything was created").isZero();
            assertThat(files.partialBytes()).isZero();
        }
    }

    private long partialFiles() throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().startsWith(FileService.PARTIAL_PREFIX))
                    .count();
        }
    }

    private static Frame.Builder op(String op, int upload) {
        return Frame.builder(FrameType.DATA)
                .header("service", FilesProtocol.SERVICE)
                .header("op", op)
                .header("path", "upload-" + upload + ".bin");
    }

    private long onDisk() throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().startsWith(FileService.PARTIAL_PREFIX))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }
}
