package io.vstp.transport.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The keys that seal and open TLS session tickets on a server's BoringSSL contexts: the current key seals new
 * tickets and opens them; the previous one only opens the tickets it sealed before the last rotation; anything
 * older is dropped, so tickets it sealed no longer resume. Not thread-safe: {@link ServerTls} guards it.
 *
 * <p><b>Key material.</b> Each key is 16 random bytes of name (sent in clear at the front of each ticket), 16 of
 * HMAC-SHA256 key and 16 of AES-128 key, as tcnative's ticket callback expects. {@link OpenSslSessionTicketKey}'s
 * constructor clones the arrays it is given (netty-handler 4.2.18, checked with {@code javap}), so ours are
 * zeroed right after. The copies Netty keeps in the key objects, the array it assembles for each
 * {@code setTicketKeys} call and the native copy cannot be reached from here; dropping a retired key leaves its
 * Java copy to the garbage collector.
 */
final class SessionTicketKeys {
    private final SecureRandom random;
    private OpenSslSessionTicketKey current;
    private OpenSslSessionTicketKey previous;
    private long rotations;

    SessionTicketKeys(SecureRandom random) {
        this.random = random;
        this.current = newKey();
    }

    /** A new current key; the current one becomes the previous, and the previous one is retired. */
    void rotate() {
        previous = current;
        current = newKey();
        rotations++;
    }

    /** A new current key and no previous one: no ticket sealed so far opens any more. */
    void replaceAll() {
        previous = null;
        current = newKey();
        rotations++;
    }

    /** Makes {@code context} seal with the current key and open with the current and previous ones. */
    void installOn(SslContext context) {
        OpenSslSessionContext sessions = (OpenSslSessionContext) context.sessionContext();
        if (previous == null) {
            sessions.setTicketKeys(current);
        } else {
            sessions.setTicketKeys(current, previous);
        }
    }

    /** How often the current key was replaced ({@link #rotate()}, {@link #replaceAll()}). */
    long rotations() {
        return rotations;
    }

    private OpenSslSessionTicketKey newKey() {
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmacKey = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aesKey = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        try {
            random.nextBytes(name);
            random.nextBytes(hmacKey);
            random.nextBytes(aesKey);
            return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
        } finally {
            Arrays.fill(hmacKey, (byte) 0);
            Arrays.fill(aesKey, (byte) 0);
            Arrays.fill(name, (byte) 0);
        }
    }
}
