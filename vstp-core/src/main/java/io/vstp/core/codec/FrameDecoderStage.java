package io.vstp.core.codec;

/**
 * A pipeline stage that turns bytes into frames, whatever the wire version ({@link VstpFrameDecoder} for v1,
 * {@code io.vstp.core.v2.V2FrameDecoder} for v2). Session handlers find it through this interface, so the codec
 * can be swapped after the handshake without them noticing: the stage is registered under {@link #NAME}, and a
 * switch replaces it under the same name.
 */
public interface FrameDecoderStage {
    /** The pipeline name of the decoder stage. */
    String NAME = "decoder";

    /**
     * Bytes received but not yet decoded: a frame that has started and not finished. Session handlers use it to
     * time out frames that never complete (slow-loris).
     */
    int pendingBytes();
}
