package io.vstp.transport.udp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting {@link DatagramLink} for tests and measurements (the loss runs of the benchmark suite): wraps a
 * real link and, on the way out, drops, duplicates, reorders (holds a datagram back behind later ones) and delays
 * datagrams, driven by a seeded random source so a run can be replayed with the same seed. It lives in the test
 * tree, so no production jar carries it; vstp-bench takes it from vstp-transport's test-jar.
 */
public final class LossyDatagramLink extends ForwardingDatagramLink {
    private final Random random;
    private final double drop;
    private final double duplicate;
    private final double reorder;
    private final int maxDelayMillis;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();

    /**
     * @param drop      probability that a datagram is lost
     * @param duplicate probability that it is delivered twice
     * @param reorder   probability that it is held back 1..maxDelayMillis ms, letting later ones overtake it
     */
    public LossyDatagramLink(
            DatagramLink inner, long seed, double drop, double duplicate, double reorder, int maxDelayMillis) {
        super(inner);
        this.random = new Random(seed);
        this.drop = drop;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.maxDelayMillis = maxDelayMillis;
    }

    /** Datagrams dropped so far. */
    public long dropped() {
        return dropped.get();
    }

    public long duplicated() {
        return duplicated.get();
    }

    public long reordered() {
        return reordered.get();
    }

    @Override
    public void send(InetSocketAddress peer, ByteBuf datagram) {
        double d;
        double u;
        double r;
        int delay;
        synchronized (random) {
            d = random.nextDouble();
            u = random.nextDouble();
            r = random.nextDouble();
            delay = 1 + random.nextInt(maxDelayMillis);
        }
        if (d < drop) {
            dropped.incrementAndGet();
            datagram.release();
            return;
        }
        if (u < duplicate) {
            duplicated.incrementAndGet();
            inner.send(peer, datagram.retainedDuplicate());
        }
        if (r < reorder) {
            reordered.incrementAndGet();
            inner.eventLoop().schedule(() -> inner.send(peer, datagram), delay, TimeUnit.MILLISECONDS);
            return;
        }
        inner.send(peer, datagram);
    }
}
