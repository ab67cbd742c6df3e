/**
 * Wire v2 (docs/spec/wire-v2.md): {@link io.vstp.core.codec.v2.VarInt}, {@link io.vstp.core.codec.v2.V2FrameReader}
 * and {@link io.vstp.core.codec.v2.V2FrameWriter} with their {@link io.vstp.core.codec.v2.Integrity} mode and
 * {@link io.vstp.core.codec.v2.V2Limits}, the Netty stage {@link io.vstp.core.codec.v2.V2FrameEncoder} (decoding
 * goes through {@link io.vstp.core.codec.v1.VstpFrameDecoder} over the reader), and UDP datagram batching in
 * {@link io.vstp.core.codec.v2.V2Datagrams}. Header blocks go through the
 * {@link io.vstp.core.codec.v2.HeaderBlockEncoder} and {@link io.vstp.core.codec.v2.HeaderBlockDecoder} interfaces
 * (HPACK lives in {@code io.vstp.core.hpack}). Flag, stream and flow-control rules are the session's.
 */
package io.vstp.core.codec.v2;
