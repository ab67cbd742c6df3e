package io.vstp.transport.udp.dtls;

import java.util.Arrays;

/**
 * The few fields of a raw DTLS datagram the link reads before BouncyCastle sees it (RFC 6347 §4.1, §4.2.2):
 *
 * <pre>
 *  record header (13 bytes)
 *  0      1      2      3      4      5 ..... 10   11     12
 * +------+------+------+------+------+------------+------+-----+
 * | type | version     | epoch       | sequence   | length     |
 * | 22   |             | 0           |            |            |
 * +------+------+------+------+------+------------+------+-----+
 *  handshake header (12 bytes), then the ClientHello body
 *  13       14 .. 16  17 ... 24          25 26    27 ... 58
 * +--------+---------+-------------------+-------+----------+
 * | msg    | length  | seq, frag offset, | client | random  |
 * | type 1 |         | frag length       | version|         |
 * +--------+---------+-------------------+-------+----------+
 * </pre>
 */
final class DtlsRecords {
    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EPOCH_OFFSET = 3;
    private static final int HANDSHAKE_TYPE_OFFSET = 13;
    private static final int CLIENT_RANDOM_OFFSET = 13 + 12 + 2;
    private static final int CLIENT_RANDOM_LENGTH = 32;

    private DtlsRecords() {}

    /** Whether the datagram starts with an epoch-0 handshake record holding (the start of) a ClientHello. */
    static boolean isClientHello(byte[] datagram) {
        return datagram.length >= CLIENT_RANDOM_OFFSET + CLIENT_RANDOM_LENGTH
                && (datagram[0] & 0xff) == CONTENT_TYPE_HANDSHAKE
                && datagram[EPOCH_OFFSET] == 0
                && datagram[EPOCH_OFFSET + 1] == 0
                && (datagram[HANDSHAKE_TYPE_OFFSET] & 0xff) == HANDSHAKE_CLIENT_HELLO;
    }

    /**
     * The ClientHello's random. A retransmitted ClientHello repeats it; a client that starts over (restarted,
     * or reconnecting from the same port) makes a new one.
     */
    static byte[] clientRandom(byte[] clientHello) {
        return Arrays.copyOfRange(clientHello, CLIENT_RANDOM_OFFSET, CLIENT_RANDOM_OFFSET + CLIENT_RANDOM_LENGTH);
    }

    static boolean hasClientRandom(byte[] clientHello, byte[] random) {
        return random != null
                && Arrays.equals(
                        clientHello,
                        CLIENT_RANDOM_OFFSET,
                        CLIENT_RANDOM_OFFSET + CLIENT_RANDOM_LENGTH,
                        random,
                        0,
                        random.length);
    }
}
