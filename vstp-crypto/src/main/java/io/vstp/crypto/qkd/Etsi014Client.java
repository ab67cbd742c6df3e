package io.vstp.crypto.qkd;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vstp.crypto.Secrets;
import io.vstp.crypto.internal.CanonicalBase64;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A client of the ETSI GS QKD 014 v1.1.1 key delivery API: an SAE (secure application entity, here a VSTP peer)
 * asks its KME (key management entity) for keys it shares with another SAE. The master SAE calls
 * {@link #getKey} and sends the key IDs to the slave SAE, which calls {@link #getKeyWithKeyIds} with them at its
 * own KME and gets the same bytes.
 *
 * <p>Everything the KME sends is checked before a key is returned: the body is capped while it is read, and the
 * keys must be as many, as large and have the IDs that were asked for, with IDs the API can carry back. Any
 * failure, from the network to a malformed answer, is a {@link QkdException}; nothing is retried.
 *
 * <p>The connection is HTTPS with a client certificate (mutual TLS, see {@link KmeTls}), TLS 1.2 or 1.3, and the
 * KME's certificate must be valid for the host in the URL. Thread-safe; one client per KME.
 *
 * <p>A QKD key is an extra input to key derivation in VSTP, never a key on its own: see {@link QkdKeyMixing}.
 */
public final class Etsi014Client {
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_KEYS_PER_REQUEST = 128;
    public static final int DEFAULT_MIN_KEY_SIZE_BITS = 128;
    public static final int DEFAULT_MAX_KEY_SIZE_BITS = 8192;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** Largest key size a client may be configured for: 64 KiB keys, far beyond any QKD link's output. */
    private static final int MAX_KEY_SIZE_BITS_LIMIT = 1 << 19;

    /** How a request carries its parameters; ETSI GS QKD 014 defines both for Get key and Get key with key IDs. */
    public enum Form {
        /** Parameters in the URL query; Get key with key IDs then carries one key ID. */
        GET,
        /** Parameters in a JSON body. */
        POST
    }

    private final URI kme;
    private final String apiBase;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration deadline;
    private final int maxResponseBytes;
    private final int maxKeysPerRequest;
    private final int minKeySizeBits;
    private final int maxKeySizeBits;
    private final ObjectMapper json;

    private Etsi014Client(Builder b) {
        this.kme = b.kme;
        this.apiBase = b.kme.toString().replaceAll("/+$", "") + Etsi014.API_PREFIX;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        // HttpRequest.timeout stops at the response headers; this also bounds a body that trickles in.
        this.deadline = b.connectTimeout.plus(b.requestTimeout);
        this.maxResponseBytes = b.maxResponseBytes;
        this.maxKeysPerRequest = b.maxKeysPerRequest;
        this.minKeySizeBits = b.minKeySizeBits;
        this.maxKeySizeBits = b.maxKeySizeBits;
        this.json = Etsi014.jsonMapper(b.maxResponseBytes);
        SSLParameters tls = b.tls.getDefaultSSLParameters();
        tls.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"}); // ETSI GS QKD 014 asks for TLS 1.2 or later
        this.http = HttpClient.newBuilder()
                .sslContext(b.tls)
                .sslParameters(tls)
                .connectTimeout(b.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * A client of the KME at {@code kme} (e.g. {@code https://kme-a.example:8443}, optionally with a path prefix)
     * connecting with {@code tls}, typically from {@link KmeTls}.
     */
    public static Builder builder(URI kme, SSLContext tls) {
        return new Builder(kme, tls);
    }

    public URI kme() {
        return kme;
    }

    /** Whether {@code keyId} is a key ID this client can ask a KME for (1..128 of A-Z a-z 0-9 . _ ~ -). */
    public static boolean isValidKeyId(String keyId) {
        return Etsi014.isValidId(keyId);
    }

    /** Get status: what the KME can deliver for keys shared with {@code slaveSaeId}. */
    public KmeStatus status(String slaveSaeId) throws QkdException {
        Etsi014.requireId(slaveSaeId, "slave SAE ID");
        String what = "Get status for slave SAE " + slaveSaeId;
        JsonNode root =
                call(HttpRequest.newBuilder(uri(slaveSaeId, Etsi014.STATUS, "")).GET(), what);
        KmeStatus status = new KmeStatus(
                text(root, KmeStatus.SOURCE_KME_ID, what),
                text(root, KmeStatus.TARGET_KME_ID, what),
                text(root, KmeStatus.MASTER_SAE_ID, what),
                text(root, KmeStatus.SLAVE_SAE_ID, what),
                count(root, KmeStatus.KEY_SIZE, what),
                count(root, KmeStatus.STORED_KEY_COUNT, what),
                count(root, KmeStatus.MAX_KEY_COUNT, what),
                count(root, KmeStatus.MAX_KEY_PER_REQUEST, what),
                count(root, KmeStatus.MAX_KEY_SIZE, what),
                count(root, KmeStatus.MIN_KEY_SIZE, what),
                count(root, KmeStatus.MAX_SAE_ID_COUNT, what));
        if (!status.slaveSaeId().equals(slaveSaeId)) {
            throw invalid(what, "it describes slave SAE " + Etsi014.quote(status.slaveSaeId()));
        }
        return status;
    }

    /** Get key, as a POST: {@code number} new keys of {@code sizeBits} bits shared with {@code slaveSaeId}. */
    public List<QkdKey> getKey(String slaveSaeId, int number, int sizeBits) throws QkdException {
        return getKey(slaveSaeId, number, sizeBits, Form.POST);
    }

    /**
     * Get key ({@code /api/v1/keys/{slave_SAE_ID}/enc_keys}): {@code number} new keys of {@code sizeBits} bits
     * shared with {@code slaveSaeId}, in the KME's order. Send their IDs to the slave SAE.
     *
     * @throws IllegalArgumentException if {@code number} or {@code sizeBits} is outside this client's limits or
     *                                  {@code sizeBits} is not a multiple of 8
     */
    public List<QkdKey> getKey(String slaveSaeId, int number, int sizeBits, Form form) throws QkdException {
        Etsi014.requireId(slaveSaeId, "slave SAE ID");
        if (number < 1 || number > maxKeysPerRequest) {
            throw new IllegalArgumentException("number of keys must be 1.." + maxKeysPerRequest + ", not " + number);
        }
        requireKeySize(sizeBits);
        String what = "Get key (" + number + " keys of " + sizeBits + " bits) for slave SAE " + slaveSaeId;
        HttpRequest.Builder request;
        if (form == Form.GET) {
            request = HttpRequest.newBuilder(uri(
                            slaveSaeId,
                            Etsi014.ENC_KEYS,
                            "?" + Etsi014.NUMBER + "=" + number + "&" + Etsi014.SIZE + "=" + sizeBits))
                    .GET();
        } else {
            ObjectNode body =
                    json.createObjectNode().put(Etsi014.NUMBER, number).put(Etsi014.SIZE, sizeBits);
            request = post(uri(slaveSaeId, Etsi014.ENC_KEYS, ""), body);
        }
        List<QkdKey> keys = keys(call(request, what), what, number);
        for (QkdKey key : keys) {
            if (key.sizeBits() != sizeBits) {
                int got = key.sizeBits();
                wipe(keys);
                throw invalid(what, "key " + key.keyId() + " has " + got + " bits");
            }
        }
        return keys;
    }

    /** Get key with key IDs, as a POST: the keys a master SAE got with {@link #getKey} for this SAE. */
    public List<QkdKey> getKeyWithKeyIds(String masterSaeId, List<String> keyIds) throws QkdException {
        return getKeyWithKeyIds(masterSaeId, keyIds, Form.POST);
    }

    /**
     * Get key with key IDs ({@code /api/v1/keys/{master_SAE_ID}/dec_keys}): the keys {@code masterSaeId} got for
     * this SAE, in the order of {@code keyIds}. A KME delivers each key once.
     *
     * @throws IllegalArgumentException for no IDs, more than this client's limit, a repeated or malformed ID, or
     *                                  more than one ID with {@link Form#GET}
     */
    public List<QkdKey> getKeyWithKeyIds(String masterSaeId, List<String> keyIds, Form form) throws QkdException {
        Etsi014.requireId(masterSaeId, "master SAE ID");
        if (keyIds.isEmpty() || keyIds.size() > maxKeysPerRequest) {
            throw new IllegalArgumentException(
                    "number of key IDs must be 1.." + maxKeysPerRequest + ", not " + keyIds.size());
        }
        if (new HashSet<>(keyIds).size() != keyIds.size()) {
            throw new IllegalArgumentException("key IDs repeat");
        }
        keyIds.forEach(id -> Etsi014.requireId(id, "key ID"));
        String what = "Get key with key IDs (" + keyIds.size() + " keys) from master SAE " + masterSaeId;
        HttpRequest.Builder request;
        if (form == Form.GET) {
            if (keyIds.size() != 1) {
                throw new IllegalArgumentException("the GET form carries one key ID; use POST for " + keyIds.size());
            }
            request = HttpRequest.newBuilder(
                            uri(masterSaeId, Etsi014.DEC_KEYS, "?" + Etsi014.KEY_ID + "=" + keyIds.get(0)))
                    .GET();
        } else {
            ObjectNode body = json.createObjectNode();
            ArrayNode ids = body.putArray(Etsi014.KEY_IDS);
            keyIds.forEach(id -> ids.addObject().put(Etsi014.KEY_ID, id));
            request = post(uri(masterSaeId, Etsi014.DEC_KEYS, ""), body);
        }
        List<QkdKey> keys = keys(call(request, what), what, keyIds.size());
        Map<String, QkdKey> byId = new HashMap<>();
        keys.forEach(k -> byId.put(k.keyId(), k));
        List<QkdKey> ordered = new ArrayList<>(keyIds.size());
        for (String id : keyIds) {
            QkdKey key = byId.get(id);
            if (key == null) {
                wipe(keys);
                throw invalid(what, "key ID " + id + " is missing and others were sent instead");
            }
            ordered.add(key);
        }
        return ordered;
    }

    private URI uri(String saeId, String endpoint, String query) {
        return URI.create(apiBase + saeId + "/" + endpoint + query);
    }

    private HttpRequest.Builder post(URI uri, ObjectNode body) {
        try {
            return HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write a JSON request", e);
        }
    }

    /** Sends the request and returns the JSON object of a 200 answer; anything else is a QkdException. */
    private JsonNode call(HttpRequest.Builder builder, String what) throws QkdException {
        HttpRequest request = builder.timeout(requestTimeout)
                .header("Accept", "application/json")
                .build();
        BoundedBodySubscriber.Handler body = new BoundedBodySubscriber.Handler(maxResponseBytes);
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request, body);
        HttpResponse<byte[]> response;
        try {
            response = sent.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            body.cancel(e);
            sent.cancel(true);
            throw new QkdException(
                    "the KME at " + kme + " did not answer " + what + " within " + deadline.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            body.cancel(e);
            sent.cancel(true);
            Thread.currentThread().interrupt();
            throw new QkdException("interrupted while waiting for the KME at " + kme + " to answer " + what, e);
        } catch (ExecutionException e) {
            throw transportFailure(what, e.getCause());
        }
        byte[] bytes = response.body();
        try {
            int status = response.statusCode();
            if (status != 200) {
                throw errorAnswer(what, status, bytes);
            }
            JsonNode root = parse(bytes);
            if (root == null || !root.isObject()) {
                throw invalid(what, "it is not a JSON object (" + contentType(response) + ")");
            }
            return root;
        } finally {
            Secrets.wipe(bytes);
        }
    }

    private QkdException transportFailure(String what, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BoundedBodySubscriber.TooLarge) {
                return new QkdException(
                        "the KME at " + kme + " answered " + what + " with more than "
                                + maxResponseBytes
                                + " bytes; refused (raise maxResponseBytes only if the KME is known to"
                                + " send such answers)",
                        t);
            }
            if (t instanceof HttpConnectTimeoutException) {
                return new QkdException(
                        "could not connect to the KME at " + kme + " within " + connectTimeout.toMillis()
                                + " ms; check the URL and that the KME is reachable",
                        t);
            }
            if (t instanceof HttpTimeoutException) {
                return new QkdException(
                        "the KME at " + kme + " did not answer " + what + " within " + requestTimeout.toMillis()
                                + " ms",
                        t);
            }
            if (t instanceof ConnectException) {
                return new QkdException(
                        "could not connect to the KME at " + kme + " (" + t.getMessage()
                                + "); check the URL and that the KME is running",
                        t);
            }
            if (t instanceof SSLException) {
                return new QkdException(
                        "TLS with the KME at " + kme + " failed during " + what + " ("
                                + t.getMessage()
                                + "); check that this SAE's certificate is issued by a CA the KME trusts,"
                                + " and that the KME's certificate is issued by a trusted CA and valid for "
                                + kme.getHost(),
                        t);
            }
        }
        // With TLS 1.3 a server that refuses the client certificate says so after the handshake, often by just
        // closing the connection: that is the usual cause of a bare I/O error here.
        return new QkdException(
                "talking to the KME at " + kme + " failed during " + what + " (" + failure
                        + "); a KME that refuses the client certificate closes the connection like this: check that "
                        + "this"
                        + " SAE's certificate is issued by a CA the KME trusts",
                failure);
    }

    private QkdException errorAnswer(String what, int status, byte[] bytes) {
        StringBuilder message = new StringBuilder("the KME at ")
                .append(kme)
                .append(" refused ")
                .append(what)
                .append(": HTTP ")
                .append(status);
        JsonNode error = parse(bytes);
        if (error != null && error.isObject() && error.path(Etsi014.MESSAGE).isTextual()) {
            message.append(", ").append(Etsi014.quote(error.get(Etsi014.MESSAGE).textValue()));
            JsonNode details = error.get(Etsi014.DETAILS);
            if (details != null && !details.isNull() && !(details.isArray() && details.isEmpty())) {
                message.append(", details ").append(Etsi014.quote(details.toString()));
            }
        } else {
            message.append(" without an ETSI error object");
            if (bytes.length > 0) {
                // Not JSON, so not key material: shown (cleaned) since a proxy's error page says what went wrong.
                message.append(", body starts ")
                        .append(Etsi014.quote(
                                new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8)));
            }
        }
        message.append(
                switch (status) {
                    case 401 ->
                        " (the KME does not accept this SAE for this request: check the SAE IDs and the certificate)";
                    case 400 ->
                        " (the KME found the request wrong: check SAE IDs, key IDs, number and size against status)";
                    case 503 -> " (an error at the KME: try again later)";
                    default -> "";
                });
        return new QkdException(message.toString(), status, null);
    }

    /** The JSON in {@code bytes}, or null if it is not JSON (or breaks the parser's limits). */
    private JsonNode parse(byte[] bytes) {
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    /** The keys of a Key container, decoded and checked; {@code expected} is the number asked for. */
    private List<QkdKey> keys(JsonNode root, String what, int expected) throws QkdException {
        JsonNode array = root.get(Etsi014.KEYS);
        if (array == null || !array.isArray()) {
            throw invalid(what, "it has no \"keys\" array");
        }
        if (array.size() != expected) {
            throw invalid(what, "it holds " + array.size() + " keys where " + expected + " were asked for");
        }
        List<QkdKey> keys = new ArrayList<>(array.size());
        Set<String> ids = new HashSet<>();
        try {
            for (int i = 0; i < array.size(); i++) {
                JsonNode entry = array.get(i);
                JsonNode id = entry.get(Etsi014.KEY_ID);
                JsonNode key = entry.get(Etsi014.KEY);
                if (id == null || !id.isTextual() || key == null || !key.isTextual()) {
                    throw invalid(what, "keys[" + i + "] lacks a key_ID or key string");
                }
                String keyId = id.textValue();
                if (!Etsi014.isValidId(keyId)) {
                    throw invalid(
                            what,
                            "keys[" + i + "] has key_ID " + Etsi014.quote(keyId) + ", which is not 1.."
                                    + Etsi014.MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -");
                }
                if (!ids.add(keyId)) {
                    throw invalid(what, "key_ID " + keyId + " appears twice");
                }
                byte[] bytes;
                try {
                    bytes = CanonicalBase64.decode(key.textValue());
                } catch (IllegalArgumentException e) {
                    throw invalid(what, "the key of key_ID " + keyId + " is " + e.getMessage());
                }
                keys.add(new QkdKey(keyId, bytes));
                int bits = bytes.length * 8;
                if (bits < minKeySizeBits || bits > maxKeySizeBits) {
                    throw invalid(
                            what,
                            "the key of key_ID " + keyId + " has " + bits + " bits, outside this" + " client's limits "
                                    + minKeySizeBits + ".." + maxKeySizeBits);
                }
            }
        } catch (QkdException e) {
            wipe(keys);
            throw e;
        }
        return keys;
    }

    private static String text(JsonNode root, String field, String what) throws QkdException {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw invalid(what, "it has no string " + field);
        }
        return node.textValue();
    }

    private static int count(JsonNode root, String field, String what) throws QkdException {
        JsonNode node = root.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw invalid(what, "it has no non-negative integer " + field);
        }
        return node.intValue();
    }

    private void requireKeySize(int sizeBits) {
        if (sizeBits % 8 != 0 || sizeBits < minKeySizeBits || sizeBits > maxKeySizeBits) {
            throw new IllegalArgumentException("key size must be a multiple of 8 in " + minKeySizeBits + ".."
                    + maxKeySizeBits + " bits, not " + sizeBits);
        }
    }

    private static String contentType(HttpResponse<?> response) {
        return "Content-Type "
                + response.headers()
                        .firstValue("content-type")
                        .map(Etsi014::quote)
                        .orElse("none");
    }

    private static QkdException invalid(String what, String problem) {
        return new QkdException("the KME's answer to " + what + " breaks ETSI GS QKD 014 or this client's limits: "
                + problem + "; no key from it is used");
    }

    private static void wipe(List<QkdKey> keys) {
        keys.forEach(QkdKey::wipe);
    }

    /** Settings of an {@link Etsi014Client}; every limit has a default suitable for a KME on a normal network. */
    public static final class Builder {
        private final URI kme;
        private final SSLContext tls;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private int maxKeysPerRequest = DEFAULT_MAX_KEYS_PER_REQUEST;
        private int minKeySizeBits = DEFAULT_MIN_KEY_SIZE_BITS;
        private int maxKeySizeBits = DEFAULT_MAX_KEY_SIZE_BITS;

        private Builder(URI kme, SSLContext tls) {
            Objects.requireNonNull(kme, "kme");
            if (!"https".equalsIgnoreCase(kme.getScheme())
                    || kme.getHost() == null
                    || kme.getRawQuery() != null
                    || kme.getRawFragment() != null
                    || kme.getRawUserInfo() != null) {
                // ETSI GS QKD 014 requires HTTPS, and keys must never cross a network in the clear.
                throw new IllegalArgumentException("KME URL must be https://host[:port][/prefix], not " + kme);
            }
            this.kme = kme;
            this.tls = Objects.requireNonNull(tls, "tls");
        }

        /** How long establishing the TCP and TLS connection may take. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long the KME may take to answer once a request is sent. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /** The largest response body read; more is refused while reading. */
        public Builder maxResponseBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max response bytes must be at least 1024, not " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /** The most keys one request may ask for, and so the most one answer may hold. */
        public Builder maxKeysPerRequest(int keys) {
            if (keys < 1 || keys > 10_000) {
                throw new IllegalArgumentException("max keys per request must be 1..10000, not " + keys);
            }
            this.maxKeysPerRequest = keys;
            return this;
        }

        /** The key sizes, in bits, this client asks for and accepts; multiples of 8. */
        public Builder keySizeBits(int min, int max) {
            if (min < 8 || min % 8 != 0 || max % 8 != 0 || max < min || max > MAX_KEY_SIZE_BITS_LIMIT) {
                throw new IllegalArgumentException("key size limits must be multiples of 8 with 8 <= min <= max <= "
                        + MAX_KEY_SIZE_BITS_LIMIT + ", not " + min + ".." + max);
            }
            this.minKeySizeBits = min;
            this.maxKeySizeBits = max;
            return this;
        }

        public Etsi014Client build() {
            return new Etsi014Client(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }
    }
}
