package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.transport.udp.FragmentReassembler.Outcome;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reassembly under hostile input: every limit holds, and memory is counted from bytes held, not declared. */
class FragmentReassemblerTest {
    private static final int CHUNK = 100;
    private static final InetSocketAddress ALICE = new InetSocketAddress("127.0.0.1", 1000);

    private static ByteBuf chunk(int size, int fill) {
        return Unpooled.buffer(size).writeZero(size).setByte(0, fill);
    }

    private static FragmentReassembler reassembler(UdpLimits limits) {
        return new FragmentReassembler(limits, CHUNK);
    }

    private static UdpLimits limits(int perPeer, int total, long bytesPerPeer, long bytesTotal) {
        return UdpLimits.DEFAULT
                .withMaxMessageSize(1 << 20)
                .withReassembly(perPeer, total, bytesPerPeer, bytesTotal, Duration.ofSeconds(30));
    }

    @Test
    void completesInAnyOrderWithDuplicates() {
        FragmentReassembler r = reassembler(UdpLimits.DEFAULT);
        long len = 250;
        assertThat(r.add(ALICE, 1, 2, 3, len, chunk(50, 3), 0).outcome()).isEqualTo(Outcome.PENDING);
        assertThat(r.add(ALICE, 1, 0, 3, len, chunk(CHUNK, 1), 0).outcome()).isEqualTo(Outcome.PENDING);
        assertThat(r.add(ALICE, 1, 0, 3, len, chunk(CHUNK, 1), 0).outcome()).isEqualTo(Outcome.DUPLICATE);
        FragmentReassembler.Result done = r.add(ALICE, 1, 1, 3, len, chunk(CHUNK, 2), 0);
        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(done.message().readableBytes()).isEqualTo(250);
        assertThat(done.message().getByte(0)).isEqualTo((byte) 1);
        assertThat(done.message().getByte(100)).isEqualTo((byte) 2);
        assertThat(done.message().getByte(200)).isEqualTo((byte) 3);
        done.message().release();
        assertThat(r.bufferedBytes()).isZero();
        assertThat(r.activeCount()).isZero();
    }

    @Test
    void rejectsAbsurdAndInconsistentShapes() {
        FragmentReassembler r = reassembler(limits(8, 64, 1 << 20, 1 << 22));
        // Declared 4 GiB: refused before anything is buffered.
        assertThat(r.add(ALICE, 1, 0, 42_949_673, 4_294_967_296L, chunk(CHUNK, 0), 0)
                        .outcome())
                .isEqualTo(Outcome.TOO_LARGE);
        // Count that does not match the length.
        assertThat(r.add(ALICE, 2, 0, 7, 250, chunk(CHUNK, 0), 0).outcome()).isEqualTo(Outcome.INCONSISTENT);
        // Index beyond count; wrong chunk size; a single "fragment".
        assertThat(r.add(ALICE, 3, 5, 3, 250, chunk(CHUNK, 0), 0).outcome()).isEqualTo(Outcome.INCONSISTENT);
        assertThat(r.add(ALICE, 4, 0, 3, 250, chunk(99, 0), 0).outcome()).isEqualTo(Outcome.INCONSISTENT);
        assertThat(r.add(ALICE, 5, 0, 1, 50, chunk(50, 0), 0).outcome()).isEqualTo(Outcome.INCONSISTENT);
        // A later fragment that changes the total drops the whole message.
        assertThat(r.add(ALICE, 6, 0, 3, 250, chunk(CHUNK, 0), 0).outcome()).isEqualTo(Outcome.PENDING);
        assertThat(r.add(ALICE, 6, 1, 4, 350, chunk(CHUNK, 0), 0).outcome()).isEqualTo(Outcome.INCONSISTENT);
        assertThat(r.activeCount()).isZero();
        assertThat(r.bufferedBytes()).isZero();
    }

    @Test
    void staleReassembliesExpire() {
        FragmentReassembler r = reassembler(limits(8, 64, 1 << 20, 1 << 22));
        r.add(ALICE, 1, 0, 3, 250, chunk(CHUNK, 0), 0);
        assertThat(r.expire(Duration.ofSeconds(29).toNanos())).isZero();
        assertThat(r.expire(Duration.ofSeconds(31).toNanos())).isEqualTo(1);
        assertThat(r.bufferedBytes()).isZero();
    }

    @Test
    void onePeerCannotExceedItsShare() {
        FragmentReassembler r = reassembler(limits(4, 1000, 1200, 100_000));
        for (int id = 0; id < 50; id++) {
            r.add(ALICE, id, 0, 3, 250, chunk(CHUNK, 0), 0);
        }
        assertThat(r.activeCount()).isBetween(1, 4);
        assertThat(r.bufferedBytes()).isLessThanOrEqualTo(1200);
    }

    /**
     * A flood of first fragments from 50 000 spoofed sources, each declaring a huge message, interleaved with a
     * legitimate peer's transfer whose fragments come in small bursts (as a congestion window sends them):
     * memory never exceeds the cap, and the legitimate message completes.
     */
    @Test
    void floodOfSpoofedFirstFragmentsStaysUnderTheCapAndLetsLegitimatePeersThrough() {
        long cap = 64 * 1024;
        FragmentReassembler r = reassembler(limits(16, 512, 16 * 1024, cap));
        InetSocketAddress legit = new InetSocketAddress("127.0.0.1", 4242);
        int legitCount = 20;
        long legitLength = (long) CHUNK * legitCount;
        FragmentReassembler.Result last = null;
        long peak = 0;
        long now = 0;
        for (int i = 0; i < 50_000; i++) {
            InetSocketAddress spoofed = new InetSocketAddress(
                    "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 1 + i % 60000);
            r.add(spoofed, i, 0, 10_000, 10_000L * CHUNK, chunk(CHUNK, 0), now);
            peak = Math.max(peak, r.bufferedBytes());
            if (i % 2000 == 0 && i / 1000 < legitCount) {
                // The legitimate peer sends its next two fragments now and then, among the flood.
                int next = i / 1000;
                r.add(legit, 7, next, legitCount, legitLength, chunk(CHUNK, next), now);
                last = r.add(legit, 7, next + 1, legitCount, legitLength, chunk(CHUNK, next + 1), now);
            }
            now += 1000; // 1 µs per datagram
        }
        assertThat(peak).isLessThanOrEqualTo(cap);
        assertThat(last).isNotNull();
        assertThat(last.outcome()).isEqualTo(Outcome.COMPLETE);
        assertThat(last.message().readableBytes()).isEqualTo(legitLength);
        last.message().release();
        assertThat(r.evictions()).isPositive();
        r.clear();
        assertThat(r.bufferedBytes()).isZero();
    }
}
