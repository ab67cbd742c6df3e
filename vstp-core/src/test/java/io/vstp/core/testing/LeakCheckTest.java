package io.vstp.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class LeakCheckTest {
    @Test
    void reportsABufferThatWasNeverReleased() {
        LeakCheck.collectLeaks();
        leakOne();
        assertThat(LeakCheck.collectLeaks()).isNotEmpty();
    }

    @Test
    void reportsNothingWhenEveryBufferIsReleased() {
        LeakCheck.collectLeaks();
        PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(1).release();
        assertThat(LeakCheck.collectLeaks()).isEmpty();
    }

    private static void leakOne() {
        PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(42);
    }
}
