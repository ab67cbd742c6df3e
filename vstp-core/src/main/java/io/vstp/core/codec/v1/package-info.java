/**
 * Wire v1 (docs/spec/wire-v1.md), byte-compatible with the Rust crate: {@link io.vstp.core.codec.v1.FrameReader}
 * and {@link io.vstp.core.codec.v1.FrameWriter} mirror each other; {@link io.vstp.core.codec.v1.VstpFrameDecoder}
 * puts any {@link io.vstp.core.codec.WireReader} (v1 or v2) in a Netty pipeline, and
 * {@link io.vstp.core.codec.v1.VstpFrameEncoder} writes v1 frames there.
 */
package io.vstp.core.codec.v1;
