/**
 * The wire model and codecs of VSTP. Applications read and build frames ({@code frame}), meet its errors
 * ({@code error}), may run the v1 codec themselves ({@code codec.v1}, over the seam in {@code codec}) and pick
 * payload compression ({@code compress}); the v2 codec and HPACK are machinery only the transport drives, so only
 * it may see them, and {@code internal} is for the other VSTP libraries (docs/decisions/013-module-boundaries.md).
 */
// "module": the qualified exports name a module built after this one, which javac cannot see yet.
// "requires-automatic": lz4-java has only an Automatic-Module-Name; its name is stable, so requiring it is safe.
@SuppressWarnings({"module", "requires-automatic"})
module io.vstp.core {
    // Frame carries a ByteBuf and the v1 codec handlers extend Netty's, taking its pipeline's context: users
    // compile against all four.
    requires transitive io.netty.common;
    requires transitive io.netty.buffer;
    requires transitive io.netty.transport;
    requires transitive io.netty.codec;
    requires io.netty.codec.http2;
    requires com.github.luben.zstd_jni;
    requires org.lz4.java;

    exports io.vstp.core.frame;
    exports io.vstp.core.error;
    exports io.vstp.core.codec;
    exports io.vstp.core.codec.v1;
    // ProtocolOptions names the algorithms a connection may offer.
    exports io.vstp.core.compress;
    exports io.vstp.core.codec.v2 to
            io.vstp.transport;
    exports io.vstp.core.hpack to
            io.vstp.transport;
    // What the other VSTP libraries share (the failure behind a future): not API.
    exports io.vstp.core.internal to
            io.vstp.transport,
            io.vstp.security,
            io.vstp.services;
}
