package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The sender's bookkeeping under random acknowledgements, losses, timeouts and receiver evictions: the in-flight
 * count always equals the fragments actually in flight, and every message ends (acknowledged or failed). A drift
 * here once stalled a transfer forever.
 */
class ReliableSenderInvariantTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    @Test
    void inFlightAccountingStaysExactAndEveryMessageEnds() {
        for (long seed = 1; seed <= 200; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        Random random = new Random(seed);
        List<Frame> sent = new ArrayList<>();
        ReliableSender.Output output = new ReliableSender.Output() {
            @Override
            public boolean writable() {
                return true;
            }

            @Override
            public void sendFrame(InetSocketAddress peer, Frame frame) {
                sent.add(frame);
            }

            @Override
            public void sendEncoded(InetSocketAddress peer, ByteBuf datagram) {
                datagram.release();
            }
        };
        UdpLimits limits = UdpLimits.DEFAULT.withRetransmission(Duration.ofMillis(1), Duration.ofMillis(4), 6);
        ReliableSender sender = new ReliableSender(
                PEER, limits, output, new UdpStats(), new java.util.concurrent.atomic.AtomicLong(), true);
        int chunk = 100;
        List<CompletableFuture<Void>> results = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            int size = chunk * (2 + random.nextInt(30)) - random.nextInt(chunk);
            results.add(sender.enqueue(1000 + m, Unpooled.wrappedBuffer(new byte[size]), chunk, false));
            ids.add(1000L + m);
        }
        long now = System.nanoTime();
        long generation = 1;
        for (int step = 0; step < 3000 && results.stream().anyMatch(f -> !f.isDone()); step++) {
            now += 1_000_000L * random.nextInt(3);
            int action = random.nextInt(10);
            long id = ids.get(random.nextInt(ids.size()));
            if (action < 6) {
                List<int[]> ranges = new ArrayList<>();
                int a = random.nextInt(40);
                ranges.add(new int[] {a, a + random.nextInt(5)});
                sender.onSack(id, generation, random.nextInt(3) == 0 ? random.nextInt(20) : 0, ranges, now);
            } else if (action < 7) {
                generation += 1; // the receiver evicted and started over
            } else if (action < 8) {
                sender.onSack(id, 0, Integer.MAX_VALUE, List.of(), now); // complete
            } else {
                sender.onTick(now + 50_000_000L);
            }
            sent.forEach(Frame::release);
            sent.clear();
            assertThat(sender.inFlight()).as("seed %d step %d", seed, step).isEqualTo(sender.inFlightByState());
        }
        for (int i = 0; i < 100 && results.stream().anyMatch(f -> !f.isDone()); i++) {
            now += 100_000_000L;
            sender.onTick(now);
            sent.forEach(Frame::release);
            sent.clear();
        }
        assertThat(results).as("seed %d: every message ends", seed).allMatch(CompletableFuture::isDone);
        assertThat(sender.busy()).isFalse();
    }
}
