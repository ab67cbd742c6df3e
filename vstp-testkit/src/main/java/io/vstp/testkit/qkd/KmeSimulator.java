package io.vstp.testkit.qkd;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * A KME (key management entity) of our own, serving the ETSI GS QKD 014 v1.1.1 API over HTTPS for tests and
 * demonstrations. It stands in for a pair of KMEs joined by a QKD link: both SAEs talk to this one server, and keys
 * are random numbers from a {@link SecureRandom}, not the output of a quantum channel. <b>It gives no quantum
 * security whatsoever</b>; it lets VSTP's QKD path run end to end without QKD hardware.
 *
 * <p>Clients must present a certificate issued by one of the CAs in the server's {@link SSLContext} (mutual TLS);
 * the certificate's subject CN is the SAE ID, and only {@linkplain Builder#sae registered} SAEs are served. A master
 * SAE's Get key makes fresh keys and keeps them for the slave SAE; the slave's Get key with key IDs returns each
 * once and forgets it. Everything is bounded: keys per request, keys held, key sizes, request body size.
 *
 * <p>Errors answer 400 (bad request), 401 (this SAE may not do that) or 503 (the KME cannot serve it now) with the
 * ETSI Error object {@code {"message": ..., "details": [...]}}.
 *
 * <p>It lives in the test kit, apart from vstp-crypto's client ({@code io.vstp.crypto.qkd.Etsi014Client}), and
 * reads the API from the standard, not from the client's code: a simulator sharing the client's constants would
 * agree with the client's mistakes. {@code vstp qkd-sim} serves it from the command line.
 */
public final class KmeSimulator implements AutoCloseable {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    // ETSI GS QKD 014 v1.1.1 §5: paths and JSON field names.
    private static final String API_PREFIX = "/api/v1/keys/";
    private static final String STATUS = "status";
    private static final String ENC_KEYS = "enc_keys";
    private static final String DEC_KEYS = "dec_keys";
    private static final String KEYS = "keys";
    private static final String KEY_ID = "key_ID";
    private static final String KEY_IDS = "key_IDs";
    private static final String KEY = "key";
    private static final String NUMBER = "number";
    private static final String SIZE = "size";
    private static final String MESSAGE = "message";
    private static final String DETAILS = "details";
    private static final String ADDITIONAL_SLAVE_SAE_IDS = "additional_slave_SAE_IDs";
    private static final String EXTENSION_MANDATORY = "extension_mandatory";

    /** Longest SAE or key ID accepted; a UUID key ID is 36 characters. */
    private static final int MAX_ID_LENGTH = 128;
    /**
     * IDs travel in URL paths and queries: URL-unreserved characters only (RFC 3986 §2.3), so an ID can never
     * smuggle a path segment or a query into a request.
     */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_ID_LENGTH + "}");
    /** How much of a client's text goes into an error answer. */
    private static final int MAX_QUOTED_LENGTH = 300;

    private final SSLContext tls;
    private final InetSocketAddress address;
    private final String kmeId;
    private final Set<String> saes;
    private final int defaultKeySizeBits;
    private final int minKeySizeBits;
    private final int maxKeySizeBits;
    private final int maxKeysPerRequest;
    private final int maxStoredKeys;
    private final int maxRequestBytes;
    private final SecureRandom random;
    private final ObjectMapper json;

    /** Keys made for a slave SAE and not yet fetched, by key ID; guarded by {@code this}. */
    private final Map<String, HeldKey> held = new LinkedHashMap<>();

    private HttpsServer server;
    private ExecutorService executor;

    private record HeldKey(String masterSaeId, String slaveSaeId, byte[] key) {}

    /** An answer that is an ETSI Error object. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private KmeSimulator(Builder b) {
        this.tls = b.tls;
        this.address = b.address;
        this.kmeId = b.kmeId;
        this.saes = Set.copyOf(b.saes);
        this.defaultKeySizeBits = b.defaultKeySizeBits;
        this.minKeySizeBits = b.minKeySizeBits;
        this.maxKeySizeBits = b.maxKeySizeBits;
        this.maxKeysPerRequest = b.maxKeysPerRequest;
        this.maxStoredKeys = b.maxStoredKeys;
        this.maxRequestBytes = b.maxRequestBytes;
        this.random = b.random;
        this.json = jsonMapper(b.maxRequestBytes);
    }

    /**
     * A simulator presenting the certificate in {@code tls} (which must be valid for the address clients use, e.g.
     * an IP SAN 127.0.0.1) and accepting client certificates from the CAs {@code tls} trusts.
     */
    public static Builder builder(SSLContext tls) {
        return new Builder(tls);
    }

    /** Binds and starts serving. */
    public synchronized KmeSimulator start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        HttpsServer s = HttpsServer.create(address, 16);
        s.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true); // the certificate is how the KME knows which SAE is asking
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                parameters.setSSLParameters(p);
            }
        });
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "kme-simulator-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext(API_PREFIX, this::handle);
        s.start();
        server = s;
        return this;
    }

    /** The base URL of the KME, as an ETSI 014 client takes it, e.g. {@code https://127.0.0.1:40123}. */
    public synchronized URI url() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        return URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
    }

    /** How many keys are held for slave SAEs to fetch. */
    public synchronized int heldKeyCount() {
        return held.size();
    }

    /** Stops serving and wipes the keys still held. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
        held.values().forEach(k -> wipe(k.key()));
        held.clear();
    }

    private void handle(HttpExchange exchange) {
        byte[] answer = null;
        try (exchange) {
            int status = 200;
            try {
                answer = json.writeValueAsBytes(route(exchange));
            } catch (Refusal r) {
                status = r.status;
                answer = error(r.getMessage());
            } catch (RuntimeException e) {
                // Never echo internals to a client; the type is enough to debug the simulator.
                status = 503;
                answer = error(
                        "internal error in the KME simulator (" + e.getClass().getSimpleName() + ")");
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        } catch (IOException e) {
            // The client went away; nothing to answer.
        } finally {
            wipe(answer);
        }
    }

    private JsonNode route(HttpExchange exchange) throws Refusal, IOException {
        String caller = callingSae(exchange);
        String[] path = exchange.getRequestURI()
                .getRawPath()
                .substring(API_PREFIX.length())
                .split("/", -1);
        if (path.length != 2 || !isValidId(path[0])) {
            throw new Refusal(400, "unknown path; the API is " + API_PREFIX + "{SAE_ID}/status|enc_keys|dec_keys");
        }
        String otherSae = path[0];
        String method = exchange.getRequestMethod();
        boolean post = method.equals("POST");
        if (!post && !method.equals("GET")) {
            throw new Refusal(400, "method " + quote(method) + " not supported; use GET or POST");
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        JsonNode body = post ? body(exchange) : null;
        if (!saes.contains(otherSae)) {
            throw new Refusal(400, "SAE " + otherSae + " is not known to this KME");
        }
        return switch (path[1]) {
            case STATUS -> {
                if (post) {
                    throw new Refusal(400, "status is GET only");
                }
                yield status(caller, otherSae);
            }
            case ENC_KEYS -> {
                if (post) {
                    refuseUnsupported(body);
                    yield encKeys(
                            caller,
                            otherSae,
                            optionalInt(body, NUMBER, 1),
                            optionalInt(body, SIZE, defaultKeySizeBits));
                }
                yield encKeys(
                        caller,
                        otherSae,
                        intParameter(query, NUMBER, 1),
                        intParameter(query, SIZE, defaultKeySizeBits));
            }
            case DEC_KEYS -> decKeys(caller, otherSae, post ? keyIds(body) : keyId(query));
            default ->
                throw new Refusal(400, "unknown endpoint " + quote(path[1]) + "; use status, enc_keys or dec_keys");
        };
    }

    private String callingSae(HttpExchange exchange) throws Refusal {
        Certificate[] chain;
        try {
            chain = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new Refusal(401, "no client certificate");
        }
        X500Name subject = X500Name.getInstance(
                ((X509Certificate) chain[0]).getSubjectX500Principal().getEncoded());
        RDN[] cn = subject.getRDNs(BCStyle.CN);
        String sae = cn.length == 1 ? IETFUtils.valueToString(cn[0].getFirst().getValue()) : null;
        if (sae == null || !saes.contains(sae)) {
            throw new Refusal(
                    401,
                    "the client certificate (" + quote(subject.toString())
                            + ") does not name an SAE registered at this KME");
        }
        return sae;
    }

    private synchronized JsonNode status(String master, String slave) {
        // The Status object, ETSI GS QKD 014 §6.1.
        ObjectNode status = json.createObjectNode();
        status.put("source_KME_ID", kmeId);
        status.put("target_KME_ID", kmeId);
        status.put("master_SAE_ID", master);
        status.put("slave_SAE_ID", slave);
        status.put("key_size", defaultKeySizeBits);
        // Keys are made on demand, so what the KME can deliver is the room left to hold them.
        status.put("stored_key_count", maxStoredKeys - held.size());
        status.put("max_key_count", maxStoredKeys);
        status.put("max_key_per_request", maxKeysPerRequest);
        status.put("max_key_size", maxKeySizeBits);
        status.put("min_key_size", minKeySizeBits);
        status.put("max_SAE_ID_count", 0);
        return status;
    }

    private synchronized JsonNode encKeys(String master, String slave, int number, int sizeBits) throws Refusal {
        if (master.equals(slave)) {
            throw new Refusal(400, "master and slave SAE are the same SAE");
        }
        if (number < 1 || number > maxKeysPerRequest) {
            throw new Refusal(400, "number must be 1.." + maxKeysPerRequest + ", not " + number);
        }
        if (sizeBits % 8 != 0 || sizeBits < minKeySizeBits || sizeBits > maxKeySizeBits) {
            throw new Refusal(
                    400,
                    "size must be a multiple of 8 in " + minKeySizeBits + ".." + maxKeySizeBits + ", not " + sizeBits);
        }
        if (held.size() + number > maxStoredKeys) {
            throw new Refusal(503, "key store full: " + held.size() + " keys wait for slave SAEs to fetch them");
        }
        ObjectNode container = json.createObjectNode();
        ArrayNode keys = container.putArray(KEYS);
        for (int i = 0; i < number; i++) {
            byte[] key = new byte[sizeBits / 8];
            random.nextBytes(key);
            String id = UUID.randomUUID().toString();
            held.put(id, new HeldKey(master, slave, key));
            keys.addObject().put(KEY_ID, id).put(KEY, BASE64.encodeToString(key));
        }
        return container;
    }

    private synchronized JsonNode decKeys(String slave, String master, List<String> ids) throws Refusal {
        if (ids.isEmpty() || ids.size() > maxKeysPerRequest) {
            throw new Refusal(400, "give 1.." + maxKeysPerRequest + " key IDs, not " + ids.size());
        }
        if (new LinkedHashSet<>(ids).size() != ids.size()) {
            throw new Refusal(400, "key IDs repeat");
        }
        // All checked before any is removed: a refused request delivers nothing and consumes nothing.
        for (String id : ids) {
            HeldKey key = held.get(id);
            if (key == null) {
                throw new Refusal(400, "key_ID " + quote(id) + " not found: unknown, or already delivered");
            }
            if (!key.slaveSaeId().equals(slave)) {
                throw new Refusal(401, "key_ID " + id + " was not made for SAE " + slave);
            }
            if (!key.masterSaeId().equals(master)) {
                throw new Refusal(400, "key_ID " + id + " was not made by master SAE " + master);
            }
        }
        ObjectNode container = json.createObjectNode();
        ArrayNode keys = container.putArray(KEYS);
        for (String id : ids) {
            HeldKey key = held.remove(id);
            keys.addObject().put(KEY_ID, id).put(KEY, BASE64.encodeToString(key.key()));
            wipe(key.key());
        }
        return container;
    }

    /**
     * Refuses what the simulator does not implement; ETSI GS QKD 014 requires refusing unknown mandatory extensions.
     */
    private static void refuseUnsupported(JsonNode body) throws Refusal {
        JsonNode additional = body.get(ADDITIONAL_SLAVE_SAE_IDS);
        if (additional != null && !(additional.isArray() && additional.isEmpty())) {
            throw new Refusal(400, "additional_slave_SAE_IDs are not supported (max_SAE_ID_count is 0)");
        }
        JsonNode mandatory = body.get(EXTENSION_MANDATORY);
        if (mandatory != null && !(mandatory.isArray() && mandatory.isEmpty())) {
            throw new Refusal(400, "no extension is supported, so extension_mandatory must be empty");
        }
    }

    private JsonNode body(HttpExchange exchange) throws Refusal, IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxRequestBytes) {
                    throw new Refusal(400, "request body larger than " + maxRequestBytes + " bytes");
                }
            } catch (NumberFormatException e) {
                throw new Refusal(400, "bad Content-Length");
            }
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(maxRequestBytes + 1);
        }
        if (bytes.length > maxRequestBytes) {
            throw new Refusal(400, "request body larger than " + maxRequestBytes + " bytes");
        }
        try {
            JsonNode body = json.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new Refusal(400, "request body must be a JSON object");
            }
            return body;
        } catch (IOException e) {
            throw new Refusal(400, "request body is not valid JSON");
        }
    }

    private static Map<String, String> query(String raw) throws Refusal {
        Map<String, String> parameters = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&", 64)) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (parameters.put(name, value) != null) {
                throw new Refusal(400, "query parameter " + quote(name) + " repeats");
            }
        }
        return parameters;
    }

    private static int intParameter(Map<String, String> query, String name, int absent) throws Refusal {
        String value = query.get(name);
        if (value == null) {
            return absent;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new Refusal(400, name + " must be an integer, not " + quote(value));
        }
    }

    private static int optionalInt(JsonNode body, String name, int absent) throws Refusal {
        JsonNode value = body.get(name);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new Refusal(400, name + " must be an integer");
        }
        return value.intValue();
    }

    private static List<String> keyId(Map<String, String> query) throws Refusal {
        String id = query.get(KEY_ID);
        if (id == null) {
            throw new Refusal(400, "key_ID query parameter missing");
        }
        return List.of(validKeyId(id));
    }

    private List<String> keyIds(JsonNode body) throws Refusal {
        JsonNode array = body.get(KEY_IDS);
        if (array == null || !array.isArray()) {
            throw new Refusal(400, "key_IDs array missing");
        }
        if (array.size() > maxKeysPerRequest) {
            throw new Refusal(400, "give at most " + maxKeysPerRequest + " key IDs");
        }
        List<String> ids = new ArrayList<>(array.size());
        for (JsonNode entry : array) {
            JsonNode id = entry.get(KEY_ID);
            if (id == null || !id.isTextual()) {
                throw new Refusal(400, "each key_IDs entry needs a key_ID string");
            }
            ids.add(validKeyId(id.textValue()));
        }
        return ids;
    }

    private static String validKeyId(String id) throws Refusal {
        if (!isValidId(id)) {
            throw new Refusal(400, "malformed key_ID " + quote(id));
        }
        return id;
    }

    private byte[] error(String message) {
        ObjectNode error = json.createObjectNode().put(MESSAGE, message);
        error.putArray(DETAILS);
        try {
            return json.writeValueAsBytes(error);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key material is overwritten once it is no longer needed, as a real KME would. */
    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private static String requireId(String id, String what) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException(
                    what + " must be 1.." + MAX_ID_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -, not " + quote(id));
        }
        return id;
    }

    /**
     * A client's text made safe to put in an answer: control and formatting characters (which could forge log
     * lines on the client's side) become '?', and it is cut to a readable length.
     */
    private static String quote(String text) {
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
     * Refuses what a well-behaved client never sends: duplicate fields (which of two "key_IDs" counts would be the
     * parser's choice), trailing content after the JSON value, and deep nesting.
     */
    private static ObjectMapper jsonMapper(int maxInputBytes) {
        return JsonMapper.builder(JsonFactory.builder()
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

    /** Settings of a {@link KmeSimulator}. */
    public static final class Builder {
        private final SSLContext tls;
        private InetSocketAddress address = new InetSocketAddress(loopback(), 0);
        private String kmeId = "VSTP-KME-SIMULATOR";
        private final Set<String> saes = new LinkedHashSet<>();
        private int defaultKeySizeBits = 256;
        private int minKeySizeBits = 128;
        private int maxKeySizeBits = 8192;
        private int maxKeysPerRequest = 128;
        private int maxStoredKeys = 4096;
        private int maxRequestBytes = 64 * 1024;
        private SecureRandom random = new SecureRandom();

        private Builder(SSLContext tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
        }

        /** Where to listen; 127.0.0.1 on a free port unless set. */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        public Builder kmeId(String kmeId) {
            this.kmeId = requireId(kmeId, "KME ID");
            return this;
        }

        /** Registers SAEs: a client is served when its certificate's CN is one of these. */
        public Builder sae(String... saeIds) {
            for (String id : saeIds) {
                saes.add(requireId(id, "SAE ID"));
            }
            return this;
        }

        /** Default, smallest and largest key size in bits; multiples of 8. */
        public Builder keySizeBits(int defaultSize, int min, int max) {
            if (min < 8
                    || min % 8 != 0
                    || max % 8 != 0
                    || defaultSize % 8 != 0
                    || min > defaultSize
                    || defaultSize > max
                    || max > 1 << 19) {
                throw new IllegalArgumentException(
                        "key sizes must be multiples of 8 with 8 <= min <= default <= max" + " <= " + (1 << 19));
            }
            this.defaultKeySizeBits = defaultSize;
            this.minKeySizeBits = min;
            this.maxKeySizeBits = max;
            return this;
        }

        public Builder maxKeysPerRequest(int keys) {
            this.maxKeysPerRequest = atLeastOne(keys, "max keys per request");
            return this;
        }

        /** The most keys held for slave SAEs at once; Get key answers 503 beyond it. */
        public Builder maxStoredKeys(int keys) {
            this.maxStoredKeys = atLeastOne(keys, "max stored keys");
            return this;
        }

        public Builder maxRequestBytes(int bytes) {
            this.maxRequestBytes = atLeastOne(bytes, "max request bytes");
            return this;
        }

        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public KmeSimulator build() {
            if (saes.isEmpty()) {
                throw new IllegalStateException("register at least one SAE with sae(...)");
            }
            return new KmeSimulator(this);
        }

        private static int atLeastOne(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, not " + value);
            }
            return value;
        }

        private static InetAddress loopback() {
            try {
                return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
