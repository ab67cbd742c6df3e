package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.testing.DatagramPeer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 16, attack 5: answers cannot be aimed at a third party or multiplied by forged acknowledgements
 * (docs/spec/udp.md §7). An address that has not proven itself gets at most three times what it sent; a SACK for
 * fragments never sent is ignored and counted; and a receiver's generation may restart a message only a few
 * times, so alternating forged SACKs cannot make the server send it again and again.
 */
class AmplificationTest {
    private static final byte[] ONE_MIB = new byte[1 << 20];

    /** Why the server's answers failed, in order. */
    private final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    /** A server that answers every datagram with 1 MiB, reliably, as a files server answers a "get". */
    private VstpUdpEndpoint server(DatagramPeer.Security security) throws InterruptedException {
        VstpUdpEndpoint[] self = new VstpUdpEndpoint[1];
        return self[0] = security.server(serverHome)
                .handler((peer, frame) -> {
                    frame.release();
                    self[0].sendReliable(
                                    peer,
                                    new Frame(
                                            FrameType.DATA, Flags.NONE, Headers.EMPTY, Unpooled.wrappedBuffer(ONE_MIB)))
                            .whenComplete((v, e) -> {
                                if (e != null) {
                                    failures.add(e);
                                }
                            });
                })
                .start();
    }

    private static byte[] ask() {
        return io.vstp.core.testing.FrameBytes.v1(
                new Frame(FrameType.DATA, Flags.NONE, Headers.of("get", "x"), Unpooled.EMPTY_BUFFER));
    }

    /** The frames of every datagram that arrives within {@code millis} (each v1, one frame). */
    private static List<Frame> receive(DatagramSocket raw, int millis, long[] bytes) throws Exception {
        List<Frame> out = new java.util.ArrayList<>();
        long end = System.nanoTime() + millis * 1_000_000L;
        byte[] buf = new byte[65_536];
        FrameReader reader = new FrameReader();
        while (System.nanoTime() < end) {
            raw.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000L));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                raw.receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            bytes[0] += p.getLength();
            Frame f = reader.read(Unpooled.copiedBuffer(buf, 0, p.getLength()));
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void anUnprovenAddressGetsAtMostAFewTimesWhatItSent() throws Exception {
        try (VstpUdpEndpoint server = server(DatagramPeer.Security.PLAIN);
                DatagramSocket victim = new DatagramSocket(0)) {
            byte[] ask = ask();
            // What a spoofed request looks like to the server: one small datagram, and never an acknowledgement.
            victim.send(new DatagramPacket(ask, ask.length, server.localAddress()));
            long[] bytes = {0};
            receive(victim, 2500, bytes).forEach(Frame::release);
            // 3 x one datagram, plus a probe per retransmission timeout (1 s, then backing off).
            assertThat(bytes[0])
                    .as("bytes aimed at an address that never proved itself")
                    .isLessThanOrEqualTo(ReliableSender.AMPLIFICATION * 1200L + 3 * 1200L);
            assertThat(bytes[0]).as("but its first answers do go out").isPositive();
        }
    }

    /**
     * Over DTLS too: an attacker who completed a handshake has proven its address, but its forged SACKs still draw
     * no more than a few copies of the message. (Without a handshake a DTLS server answers only with a small
     * HelloVerifyRequest: {@code DtlsDatagramLinkTest.clientHelloWithoutCookieGetsOnlyASmallHelloVerifyRequest...}.)
     */
    @ParameterizedTest
    @EnumSource(DatagramPeer.Security.class)
    void forgedSacksAreIgnoredOrBoundedAndNeverMultiplyTheAnswer(DatagramPeer.Security security) throws Exception {
        try (VstpUdpEndpoint server = server(security);
                DatagramPeer attacker = security.peer(server.localAddress(), clientHome)) {
            attacker.send(ask());
            List<Frame> first = attacker.frames(500);
            assertThat(first).isNotEmpty();
            String msg = first.get(0).headers().value("vf-msg");
            int count = Integer.parseInt(first.get(0).headers().value("vf-cnt"));
            int sentSoFar = first.size();
            first.forEach(Frame::release);

            // A SACK for fragments the server never sent: ignored (and counted), it proves nothing.
            attacker.send(sack(msg, 0, count));
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() -> assertThat(server.stats().dropped(UdpStats.Drop.BOGUS_ACK))
                            .isPositive());

            // Acknowledge what arrives, as a receiver does: the address is proven, and the whole message comes.
            java.util.BitSet got = new java.util.BitSet(count);
            got.set(0, sentSoFar);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (got.nextClearBit(0) < count && System.nanoTime() < deadline) {
                attacker.send(sack(msg, 0, got.nextClearBit(0)));
                for (Frame f : attacker.frames(20)) {
                    String idx = f.headers().value("vf-idx");
                    if (idx != null) {
                        got.set(Integer.parseInt(idx));
                    }
                    f.release();
                }
            }
            assertThat(got.nextClearBit(0)).as("the whole message arrived").isEqualTo(count);
            long legit = attacker.wireBytesIn();
            // Then the attack: SACKs alternating between "all but the last" and "nothing" under a new generation
            // each time. Each change would make the server send everything acknowledged again.
            long sent = 0;
            for (int gen = 1; gen <= 20; gen++) {
                byte[] forged = sack(msg, gen, gen % 2 == 1 ? count - 1 : 0);
                attacker.send(forged);
                sent += forged.length;
                attacker.frames(5).forEach(Frame::release);
            }
            attacker.frames(300).forEach(Frame::release);
            long drawnFirst = attacker.wireBytesIn() - legit;
            // Past a few restarts the message has failed: however many forged SACKs follow, they draw nothing.
            for (int gen = 21; gen <= 300; gen++) {
                attacker.send(sack(msg, gen, gen % 2 == 1 ? count - 1 : 0));
                attacker.frames(5).forEach(Frame::release);
            }
            long drawnLater = attacker.wireBytesIn() - legit - drawnFirst;
            assertThat(drawnFirst)
                    .as("bytes drawn by " + sent + " bytes of forged SACKs")
                    .isLessThan((ReliableSender.MAX_GENERATION_RESETS + 1L) * ONE_MIB.length);
            assertThat(drawnLater).as("bytes drawn by 280 more forged SACKs").isZero();
            assertThat(failures)
                    .as("the message failed for its restarts, not after every fragment went 12 times")
                    .singleElement()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .contains("restarted it more than " + ReliableSender.MAX_GENERATION_RESETS + " times");
            assertThat(server.stats().dropped(UdpStats.Drop.UNKNOWN_ACK))
                    .as("they name a message that is gone")
                    .isPositive();
        }
    }

    private static byte[] sack(String msg, long generation, int cumulative) {
        return io.vstp.core.testing.FrameBytes.v1(new Frame(
                FrameType.ACK,
                Flags.NONE,
                Headers.of("vf-msg", msg, "vf-gen", Long.toString(generation), "vf-cum", Integer.toString(cumulative)),
                Unpooled.EMPTY_BUFFER));
    }
}
