/**
 * Payload compression of wire v2 (docs/spec/wire-v2.md §9): the algorithms and their negotiation names
 * ({@link io.vstp.core.compress.CompressionAlgorithm}), the sender's adaptive policy
 * ({@link io.vstp.core.compress.PayloadCompressor}) and the receiver's bounded decompression
 * ({@link io.vstp.core.compress.PayloadDecompressor}).
 *
 * <p>zstd runs through zstd-jni (native), LZ4 through lz4-java's block format (native where it loads, Java
 * otherwise). Both work on the Netty buffers' memory directly: a heap buffer's array or a direct buffer's
 * {@link java.nio.ByteBuffer}, never a copy, except for a composite buffer of several components (merged once).
 */
package io.vstp.core.compress;
