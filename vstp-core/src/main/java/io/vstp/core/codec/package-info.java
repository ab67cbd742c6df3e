/**
 * The codec seam: {@link io.vstp.core.codec.WireReader} and {@link io.vstp.core.codec.WireWriter} are what
 * everything above the codec sees of either wire version, with {@link io.vstp.core.codec.FrameLimits} (the bounds
 * a receiver enforces), {@link io.vstp.core.codec.FrameLayout} (v1's offsets, which the limits and
 * {@code vstp inspect} read too) and {@link io.vstp.core.codec.FrameChecksum}. Wire v1 lives in
 * {@code io.vstp.core.codec.v1}, wire v2 in {@code io.vstp.core.codec.v2}. No sockets or threads live here:
 * transports do.
 */
package io.vstp.core.codec;
