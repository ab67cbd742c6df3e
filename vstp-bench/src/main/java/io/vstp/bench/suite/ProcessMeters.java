package io.vstp.bench.suite;

import java.lang.management.ManagementFactory;

/**
 * What this whole process (clients and servers of a measurement together) spent: CPU time, and bytes allocated on
 * the heap by all live threads. Read once before and once after a measurement window; the differences are the
 * window's cost.
 */
final class ProcessMeters {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A reading. */
    record Reading(long nanos, long cpuNanos, long allocatedBytes) {
        Reading minus(Reading earlier) {
            return new Reading(
                    nanos - earlier.nanos, cpuNanos - earlier.cpuNanos, allocatedBytes - earlier.allocatedBytes);
        }
    }

    private ProcessMeters() {}

    static Reading read() {
        long allocated = 0;
        // Threads that end inside the window take their allocations with them; the event loops and senders that
        // do the work live through it.
        for (long a : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            if (a > 0) {
                allocated += a;
            }
        }
        return new Reading(System.nanoTime(), OS.getProcessCpuTime(), allocated);
    }
}
