package io.vstp.core.compress;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator for tests that records every request and hands out buffers with exactly the requested capacity,
 * carved from a larger buffer whose tail is filled with a canary: a library that writes past the capacity it was
 * given overwrites the canary, which {@link #assertCanariesIntactAndRelease()} detects.
 */
final class CanaryAllocator extends AbstractByteBufAllocator {
    static final int GUARD = 256;
    private static final byte CANARY = (byte) 0xA5;

    private final List<ByteBuf> parents = new ArrayList<>();
    private final List<Integer> sizes = new ArrayList<>();
    private long largest;
    private int count;

    CanaryAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return carve(Unpooled.buffer(initialCapacity + GUARD), initialCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return carve(Unpooled.directBuffer(initialCapacity + GUARD), initialCapacity);
    }

    private ByteBuf carve(ByteBuf parent, int n) {
        count++;
        largest = Math.max(largest, n);
        for (int i = 0; i < parent.capacity(); i++) {
            parent.setByte(i, CANARY);
        }
        parents.add(parent);
        sizes.add(n);
        return parent.retainedSlice(0, n).clear();
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    long largestRequest() {
        return largest;
    }

    int allocations() {
        return count;
    }

    /** Fails when any byte past a handed-out capacity changed; releases the backing buffers either way. */
    void assertCanariesIntactAndRelease() {
        try {
            for (int p = 0; p < parents.size(); p++) {
                ByteBuf parent = parents.get(p);
                for (int i = sizes.get(p); i < parent.capacity(); i++) {
                    if (parent.getByte(i) != CANARY) {
                        throw new AssertionError("written past capacity " + sizes.get(p) + " at " + i);
                    }
                }
            }
        } finally {
            parents.forEach(ByteBuf::release);
            parents.clear();
            sizes.clear();
        }
    }
}
