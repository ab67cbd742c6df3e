package io.vstp.fips;

import java.nio.ByteBuffer;

/**
 * The two choices a TLS 1.3 server makes in its ServerHello (RFC 8446 §4.1.3), read from the raw bytes it sent:
 * the cipher suite and the key-exchange group of its key_share. A HelloRetryRequest has the same shape, and its
 * key_share names the group the server asks for, so either way the group is the server's choice.
 */
record ServerHello(int cipherSuite, int keyShareGroup) {
    /** IANA TLS supported-groups code points. */
    static final int SECP256R1 = 0x0017;

    static final int SECP384R1 = 0x0018;
    static final int X25519 = 0x001d;
    static final int X25519MLKEM768 = 0x11ec;

    private static final int HANDSHAKE_RECORD = 22;
    private static final int SERVER_HELLO = 2;
    private static final int KEY_SHARE = 51;

    /** Parses the first record of {@code fromServer}, which must hold the whole ServerHello. */
    static ServerHello parse(byte[] fromServer) {
        ByteBuffer in = ByteBuffer.wrap(fromServer);
        if (u8(in) != HANDSHAKE_RECORD) {
            throw new IllegalArgumentException("the server's first record is not a handshake record");
        }
        in.position(in.position() + 2 + 2); // legacy record version, record length
        if (u8(in) != SERVER_HELLO) {
            throw new IllegalArgumentException("the server's first handshake message is not a ServerHello");
        }
        in.position(in.position() + 3 + 2 + 32); // message length, legacy version, random
        int sessionIdLength = u8(in);
        in.position(in.position() + sessionIdLength); // legacy session id echo
        int cipherSuite = u16(in);
        in.position(in.position() + 1); // legacy compression method
        int extensionsLength = u16(in);
        int extensionsEnd = in.position() + extensionsLength;
        while (in.position() < extensionsEnd) {
            int type = u16(in);
            int length = u16(in);
            if (type == KEY_SHARE) {
                return new ServerHello(cipherSuite, u16(in));
            }
            in.position(in.position() + length);
        }
        throw new IllegalArgumentException("the ServerHello has no key_share extension (not TLS 1.3?): "
                + java.util.HexFormat.of().formatHex(fromServer, 0, Math.min(fromServer.length, 160)));
    }

    private static int u8(ByteBuffer in) {
        return in.get() & 0xff;
    }

    private static int u16(ByteBuffer in) {
        return in.getShort() & 0xffff;
    }
}
