/**
 * Wire v1 byte codecs: {@link io.vstp.core.codec.FrameReader} and {@link io.vstp.core.codec.FrameWriter} mirror each
 * other; {@link io.vstp.core.codec.FrameLayout} holds the offsets; {@link io.vstp.core.codec.FrameLimits} the bounds
 * a receiver enforces; {@link io.vstp.core.codec.VstpFrameDecoder} and {@link io.vstp.core.codec.VstpFrameEncoder}
 * put them in a Netty pipeline; {@link io.vstp.core.codec.FrameDecoderStage} is what session handlers see of a
 * decoder of either wire version. No sockets or threads live here: transports do.
 */
package io.vstp.core.codec;
