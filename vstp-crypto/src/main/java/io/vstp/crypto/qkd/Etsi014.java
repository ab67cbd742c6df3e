package io.vstp.crypto.qkd;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.regex.Pattern;

/**
 * What the client needs of ETSI GS QKD 014 v1.1.1: paths, JSON field names, and the checks on IDs and on text that
 * came from the other side.
 */
final class Etsi014 {
    static final String API_PREFIX = "/api/v1/keys/";
    static final String STATUS = "status";
    static final String ENC_KEYS = "enc_keys";
    static final String DEC_KEYS = "dec_keys";

    static final String KEYS = "keys";
    static final String KEY_ID = "key_ID";
    static final String KEY_IDS = "key_IDs";
    static final String KEY = "key";
    static final String NUMBER = "number";
    static final String SIZE = "size";
    static final String MESSAGE = "message";
    static final String DETAILS = "details";
    static final String ADDITIONAL_SLAVE_SAE_IDS = "additional_slave_SAE_IDs";
    static final String EXTENSION_MANDATORY = "extension_mandatory";

    /** Longest SAE or key ID accepted; a UUID key ID is 36 characters. */
    static final int MAX_ID_LENGTH = 128;

    /**
     * IDs travel in URL paths and queries. Restricting them to URL-unreserved characters (RFC 3986 §2.3) means they
     * never need escaping, so an ID cannot smuggle a path segment, a query or a header into a request.
     */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_ID_LENGTH + "}");

    /** How much of a text from the other side goes into an exception message or an error answer. */
    private static final int MAX_QUOTED_LENGTH = 300;

    private Etsi014() {}

    static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** @throws IllegalArgumentException when the caller passes an ID the API cannot carry */
    static String requireId(String id, String what) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException(
                    what + " must be 1.." + MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -, not " + quote(id));
        }
        return id;
    }

    /**
     * A text from the other side made safe to put in a message: control and formatting characters (which could
     * forge log lines or reorder text) become '?', and it is cut to a readable length.
     */
    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED_LENGTH) + 8).append('"');
        int shown = 0;
        for (int i = 0; i < text.length() && shown < MAX_QUOTED_LENGTH; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            boolean unsafe = Character.isISOControl(cp)
                    || type == Character.FORMAT
                    || type == Character.SURROGATE
                    || type == Character.UNASSIGNED
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR;
            out.appendCodePoint(unsafe ? '?' : cp);
            shown++;
            if (shown == MAX_QUOTED_LENGTH && i < text.length()) {
                out.append("...");
            }
        }
        return out.append('"').toString();
    }

    /**
     * A JSON mapper that refuses what a well-behaved peer never sends: duplicate fields (two different "keys" would
     * leave which one counts to the parser), trailing content after the JSON value, and deep nesting.
     */
    static ObjectMapper jsonMapper(int maxInputBytes) {
        return JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(32)
                                .maxStringLength(maxInputBytes)
                                .maxNumberLength(20)
                                .build())
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }
}
