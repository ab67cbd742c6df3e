/**
 * HPACK (RFC 7541) header blocks of wire v2 (docs/spec/wire-v2.md §5):
 * {@link io.vstp.core.hpack.HpackHeaderBlocks} hands out the {@link io.vstp.core.codec.v2.HeaderBlockEncoder} and
 * {@link io.vstp.core.codec.v2.HeaderBlockDecoder} of a connection (ordered transports, one dynamic table per
 * direction) or of a UDP association (no dynamic table).
 * The coding itself is Netty's maintained HPACK implementation (netty-codec-http2), used through its public
 * entry points; this package adapts it to {@link io.vstp.core.frame.Headers} and to v2's rules and error codes.
 */
package io.vstp.core.hpack;
