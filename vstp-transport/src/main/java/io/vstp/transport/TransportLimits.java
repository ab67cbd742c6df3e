package io.vstp.transport;

import io.vstp.core.codec.FrameLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a peer could otherwise make unbounded, with safe defaults (docs/spec/session.md §8). The server
 * enforces all of them; the client enforces the ones that apply to a connection.
 *
 * @param frame                     frame size, header section and header count limits of the decoder
 * @param maxConnections            open connections a server accepts in total
 * @param maxConnectionsPerAddress  open connections a server accepts from one remote IP address
 * @param maxInFlightRequests       requests one connection may have unanswered; reads pause at this level
 * @param handshakeTimeout          TLS handshake plus HELLO/WELCOME
 * @param idleTimeout               a connection with nothing received for this long is closed
 * @param frameTimeout              a frame started but not finished within this time closes the connection
 * @param keepaliveInterval         a client sends PING when it has received nothing for this long
 * @param writeBufferLowWaterMark   outbound bytes below which a paused writer may resume
 * @param writeBufferHighWaterMark  outbound bytes above which the channel reports unwritable and reads pause
 */
public record TransportLimits(
        FrameLimits frame,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxInFlightRequests,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration frameTimeout,
        Duration keepaliveInterval,
        int writeBufferLowWaterMark,
        int writeBufferHighWaterMark) {

    public static final TransportLimits DEFAULT = new TransportLimits(
            FrameLimits.DEFAULT,
            10_000,
            256,
            1024,
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(30),
            Duration.ofSeconds(20),
            256 * 1024,
            1024 * 1024);

    public TransportLimits {
        Objects.requireNonNull(frame, "frame");
        positive("maxConnections", maxConnections);
        positive("maxConnectionsPerAddress", maxConnectionsPerAddress);
        positive("maxInFlightRequests", maxInFlightRequests);
        positive("handshakeTimeout", handshakeTimeout);
        positive("idleTimeout", idleTimeout);
        positive("frameTimeout", frameTimeout);
        positive("keepaliveInterval", keepaliveInterval);
        positive("writeBufferLowWaterMark", writeBufferLowWaterMark);
        if (writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("writeBufferHighWaterMark " + writeBufferHighWaterMark
                    + " is below writeBufferLowWaterMark " + writeBufferLowWaterMark);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    public TransportLimits withFrame(FrameLimits value) {
        return new TransportLimits(
                value,
                maxConnections,
                maxConnectionsPerAddress,
                maxInFlightRequests,
                handshakeTimeout,
                idleTimeout,
                frameTimeout,
                keepaliveInterval,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark);
    }

    public TransportLimits withMaxConnections(int total, int perAddress) {
        return new TransportLimits(
                frame,
                total,
                perAddress,
                maxInFlightRequests,
                handshakeTimeout,
                idleTimeout,
                frameTimeout,
                keepaliveInterval,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark);
    }

    public TransportLimits withMaxInFlightRequests(int value) {
        return new TransportLimits(
                frame,
                maxConnections,
                maxConnectionsPerAddress,
                value,
                handshakeTimeout,
                idleTimeout,
                frameTimeout,
                keepaliveInterval,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark);
    }

    public TransportLimits withTimeouts(Duration handshake, Duration idle, Duration frame) {
        return new TransportLimits(
                this.frame,
                maxConnections,
                maxConnectionsPerAddress,
                maxInFlightRequests,
                handshake,
                idle,
                frame,
                keepaliveInterval,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark);
    }

    public TransportLimits withKeepaliveInterval(Duration value) {
        return new TransportLimits(
                frame,
                maxConnections,
                maxConnectionsPerAddress,
                maxInFlightRequests,
                handshakeTimeout,
                idleTimeout,
                frameTimeout,
                value,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark);
    }

    public TransportLimits withWriteBufferWaterMarks(int low, int high) {
        return new TransportLimits(
                frame,
                maxConnections,
                maxConnectionsPerAddress,
                maxInFlightRequests,
                handshakeTimeout,
                idleTimeout,
                frameTimeout,
                keepaliveInterval,
                low,
                high);
    }
}
