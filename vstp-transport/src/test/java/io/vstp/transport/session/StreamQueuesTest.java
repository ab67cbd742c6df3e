package io.vstp.transport.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order and the bounds of v2 messages waiting behind their stream's earlier one. */
class StreamQueuesTest {
    private static Frame message(long stream, String header, int payload) {
        return Frame.builder(FrameType.DATA).stream(stream)
                .header("h", header)
                .payload(new byte[payload])
                .build();
    }

    @Test
    void aStreamsMessagesGoOneAtATimeInOrderAndStreamZeroNeverWaits() {
        StreamQueues q = new StreamQueues();
        assertThat(q.claim(0)).isTrue();
        assertThat(q.claim(0)).as("one-way messages never wait").isTrue();
        assertThat(q.claim(1)).isTrue();
        assertThat(q.claim(1)).as("busy").isFalse();
        Frame second = message(1, "2", 10);
        Frame third = message(1, "3", 20);
        assertThat(q.offer(second, false, 10, 1, 16, 0, 1 << 20)).isTrue();
        assertThat(q.offer(third, true, 20, 1, 16, 0, 1 << 20)).isTrue();
        assertThat(q.messages()).isEqualTo(2);
        assertThat(q.payloadBytes()).isEqualTo(30);
        assertThat(q.heldBytes()).isEqualTo(30 + 2 * (1 + 1 + 32));

        assertThat(q.next(1).message()).isSameAs(second);
        StreamQueues.Waiting last = q.next(1);
        assertThat(last.message()).isSameAs(third);
        assertThat(last.end()).isTrue();
        assertThat(last.credit()).isEqualTo(20);
        assertThat(q.next(1)).as("nothing waits: the stream is free again").isNull();
        assertThat(q.claim(1)).isTrue();
        assertThat(q.messages()).isZero();
        assertThat(q.heldBytes()).isZero();
        second.release();
        third.release();
    }

    @Test
    void waitingIsBoundedInNumberHeaderBytesAndHeldBytes() {
        StreamQueues q = new StreamQueues();
        q.claim(3);
        Frame m = message(3, "x", 1);
        assertThat(q.offer(m, false, 0, 4, 4, 0, 1 << 20))
                .as("in the handler and waiting: at most 4")
                .isFalse();
        assertThat(q.offer(m, false, 0, 0, 4, (1 << 20) - 1, 1 << 20))
                .as("exactly the most")
                .isTrue();
        Frame big = message(3, "x", 2);
        assertThat(q.offer(big, false, 0, 0, 4, (1 << 20) - 1, 1 << 20))
                .as("held bytes")
                .isFalse();
        Frame headers = message(3, "y".repeat(StreamQueues.MAX_HEADER_BYTES), 0);
        assertThat(q.offer(headers, false, 0, 0, 4, 0, 1 << 20))
                .as("decoded header bytes")
                .isFalse();
        big.release();
        headers.release();
        q.clear();
        assertThat(q.messages()).isZero();
        assertThat(m.payload().refCnt()).as("clear releases what waited").isZero();
    }

    @Test
    void droppingAStreamHandsBackEveryWaitingMessage() {
        StreamQueues q = new StreamQueues();
        q.claim(5);
        q.offer(message(5, "a", 1), false, 7, 1, 16, 0, 1 << 20);
        q.offer(message(5, "b", 1), false, 9, 1, 16, 0, 1 << 20);
        List<Integer> credits = new ArrayList<>();
        q.drop(5, w -> {
            credits.add(w.credit());
            w.message().release();
        });
        assertThat(credits).containsExactly(7, 9);
        assertThat(q.messages()).isZero();
        assertThat(q.claim(5)).isTrue();
    }
}
