package io.vstp.security.token;

import io.vstp.transport.auth.AuthenticationException;
import java.nio.charset.StandardCharsets;

/** The one size check every token validator makes before it parses, hashes or sends a token anywhere. */
final class TokenSize {
    private TokenSize() {}

    /** @throws AuthenticationException when {@code token} is longer than {@code maxBytes} in UTF-8 */
    static void check(String token, int maxBytes) {
        // A UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair, 2 chars, is 4): most tokens need no encoding.
        boolean tooLarge = token.length() > maxBytes
                || (long) token.length() * 3 > maxBytes && token.getBytes(StandardCharsets.UTF_8).length > maxBytes;
        if (tooLarge) {
            throw new AuthenticationException("token larger than " + maxBytes + " bytes");
        }
    }
}
