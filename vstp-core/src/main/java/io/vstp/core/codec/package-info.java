/**
 * The codec seam and wire v1. {@link io.vstp.core.codec.WireReader} and {@link io.vstp.core.codec.WireWriter} are
 * what everything above the codec sees of either wire version; {@link io.vstp.core.codec.VstpFrameDecoder} puts any
 * reader in a Netty pipeline. Wire v1: {@link io.vstp.core.codec.FrameReader} and
 * {@link io.vstp.core.codec.FrameWriter} mirror each other; {@link io.vstp.core.codec.FrameLayout} holds the offsets;
 * {@link io.vstp.core.codec.FrameLimits} the bounds a receiver enforces; {@link io.vstp.core.codec.VstpFrameEncoder}
 * writes frames in a pipeline. Wire v2 lives in {@code io.vstp.core.v2}. No sockets or threads live here: transports
 * do.
 */
package io.vstp.core.codec;
