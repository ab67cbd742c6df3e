package io.vstp.crypto.internal;

import java.util.Base64;

/**
 * Base64 that accepts exactly one spelling of each byte string: the one the JDK's encoder writes. The JDK's decoders
 * also take the other spellings (non-zero unused bits in the last character, and in the basic alphabet a missing
 * padding), so one key or signature would have several texts and anything keyed on the text could be sidestepped.
 */
public final class CanonicalBase64 {
    private CanonicalBase64() {}

    /** The bytes of padded standard base64 (RFC 4648 §4) written canonically. */
    public static byte[] decode(String text) {
        return decode(text, Base64.getDecoder(), Base64.getEncoder());
    }

    /** The bytes of unpadded base64url (RFC 4648 §5, as in RFC 7515 §2) written canonically. */
    public static byte[] decodeUrl(String text) {
        return decode(text, Base64.getUrlDecoder(), Base64.getUrlEncoder().withoutPadding());
    }

    private static byte[] decode(String text, Base64.Decoder decoder, Base64.Encoder encoder) {
        byte[] bytes;
        try {
            bytes = decoder.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64", e);
        }
        if (!encoder.encodeToString(bytes).equals(text)) {
            throw new IllegalArgumentException("not canonical base64 (padding, or unused bits that are not zero)");
        }
        return bytes;
    }
}
