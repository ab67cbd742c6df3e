package io.vstp.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Sizing and recycling of a {@link VstpConnectionPool}.
 *
 * @param minConnections      connections kept open even when idle (opened in the background)
 * @param maxConnections      connections the pool may open to its address
 * @param maxRequestsPerConnection requests one pooled connection carries at once; also bounded by the server's
 *                            {@code max-in-flight}
 * @param acquireTimeout      how long a request waits for a free slot before it fails
 * @param maxLifetime         a connection older than this takes no new requests and closes when drained
 * @param maxIdle             a connection above the minimum that carried nothing for this long is closed
 * @param healthCheckInterval idle connections are PINGed this often; one that does not answer is removed
 * @param maxQueued           requests that may wait for a slot; beyond it a request fails at once with
 *                            {@code TOO_MANY_IN_FLIGHT} instead of growing the queue
 */
public record PoolOptions(
        int minConnections,
        int maxConnections,
        int maxRequestsPerConnection,
        Duration acquireTimeout,
        Duration maxLifetime,
        Duration maxIdle,
        Duration healthCheckInterval,
        int maxQueued) {
    public static final PoolOptions DEFAULT = new PoolOptions(
            1,
            4,
            256,
            Duration.ofSeconds(5),
            Duration.ofMinutes(30),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            10_000);

    public PoolOptions {
        if (minConnections < 0 || maxConnections < 1 || minConnections > maxConnections) {
            throw new IllegalArgumentException("need 0 <= minConnections <= maxConnections, 1 <= maxConnections; got "
                    + minConnections + ", " + maxConnections);
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued must not be negative");
        }
        if (maxRequestsPerConnection < 1) {
            throw new IllegalArgumentException("maxRequestsPerConnection must be positive");
        }
        for (Duration d : new Duration[] {acquireTimeout, maxLifetime, maxIdle, healthCheckInterval}) {
            Objects.requireNonNull(d, "duration");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
    }

    public PoolOptions withSize(int min, int max) {
        return new PoolOptions(
                min,
                max,
                maxRequestsPerConnection,
                acquireTimeout,
                maxLifetime,
                maxIdle,
                healthCheckInterval,
                maxQueued);
    }

    public PoolOptions withMaxRequestsPerConnection(int value) {
        return new PoolOptions(
                minConnections,
                maxConnections,
                value,
                acquireTimeout,
                maxLifetime,
                maxIdle,
                healthCheckInterval,
                maxQueued);
    }

    public PoolOptions withAcquireTimeout(Duration value) {
        return new PoolOptions(
                minConnections,
                maxConnections,
                maxRequestsPerConnection,
                value,
                maxLifetime,
                maxIdle,
                healthCheckInterval,
                maxQueued);
    }

    public PoolOptions withRecycling(Duration lifetime, Duration idle, Duration healthCheck) {
        return new PoolOptions(
                minConnections,
                maxConnections,
                maxRequestsPerConnection,
                acquireTimeout,
                lifetime,
                idle,
                healthCheck,
                maxQueued);
    }

    public PoolOptions withMaxQueued(int value) {
        return new PoolOptions(
                minConnections,
                maxConnections,
                maxRequestsPerConnection,
                acquireTimeout,
                maxLifetime,
                maxIdle,
                healthCheckInterval,
                value);
    }
}
