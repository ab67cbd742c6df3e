package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client against a server that answers over real HTTPS on 127.0.0.1 the way a broken or hostile KME might.
 * The first path segment of the client's KME URL picks the misbehaviour.
 */
@Timeout(20)
class Etsi014HostileKmeTest {
    private static final String SAE_A = "SAE_A";
    private static final String SAE_B = "SAE_B";
    private static final Issued CA = TestPki.ca("VSTP QKD test CA");
    /** The KME's side: a server certificate for 127.0.0.1, trusting SAE certificates from {@link #CA}. */
    private static final SSLContext KME_TLS = TestPki.server(CA, "127.0.0.1").tlsContext(CA);

    private static final String KEY_256 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String ID_1 = "11111111-1111-1111-1111-111111111111";
    private static final String ID_2 = "22222222-2222-2222-2222-222222222222";

    private static final SSLContext SAE_A_TLS = TestPki.client(CA, SAE_A).tlsContext(CA);

    private static HttpsServer server;
    private static ExecutorService executor;
    private static final CountDownLatch RELEASE_SILENT = new CountDownLatch(1);
    private static final AtomicLong ENDLESS_WRITTEN = new AtomicLong();
    private static final AtomicBoolean ENDLESS_CUT_OFF = new AtomicBoolean();
    private static final CountDownLatch ENDLESS_DONE = new CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(KME_TLS));
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hostile-kme");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", Etsi014HostileKmeTest::misbehave);
        server.start();
    }

    @AfterAll
    static void stop() {
        RELEASE_SILENT.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private static void misbehave(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String behaviour = exchange.getRequestURI().getPath().split("/")[1];
            switch (behaviour) {
                case "endless" -> endless(exchange);
                case "declared-10MiB" -> {
                    exchange.sendResponseHeaders(200, 10L << 20);
                    exchange.getResponseBody().write(new byte[64 * 1024]);
                }
                case "html" -> answer(exchange, 200, "<html><body>Welcome to nginx!</body></html>");
                case "trailing" -> answer(exchange, 200, keys(key(ID_1, KEY_256)) + " {}");
                case "duplicate-field" ->
                    answer(
                            exchange,
                            200,
                            "{\"keys\":[" + key(ID_1, KEY_256) + "],\"keys\":[" + key(ID_2, KEY_256) + "]}");
                case "two-keys" -> answer(exchange, 200, keys(key(ID_1, KEY_256), key(ID_2, KEY_256)));
                case "short-key" ->
                    answer(exchange, 200, keys(key(ID_1, Base64.getEncoder().encodeToString(new byte[16]))));
                case "bad-base64" -> answer(exchange, 200, keys(key(ID_1, "not*base64!")));
                // The same 32 zero bytes, spelled with a non-zero unused bit, and without the padding.
                case "respelled-key" -> answer(exchange, 200, keys(key(ID_1, "A".repeat(42) + "B=")));
                case "unpadded-key" -> answer(exchange, 200, keys(key(ID_1, "A".repeat(43))));
                case "bad-key-id" -> answer(exchange, 200, keys(key("../../etc\\n\\u202e", KEY_256)));
                case "same-id-twice" -> answer(exchange, 200, keys(key(ID_1, KEY_256), key(ID_1, KEY_256)));
                case "no-keys" -> answer(exchange, 200, "{\"message\":\"ok\"}");
                case "other-id" -> answer(exchange, 200, keys(key(ID_2, KEY_256)));
                case "unavailable" ->
                    answer(
                            exchange,
                            503,
                            "{\"message\":\"QKD link A-B down\\r\\nFAKE LOG LINE\",\"details\":[{\"link\":\"A-B\"}]}");
                case "proxy-error" -> answer(exchange, 502, "Bad Gateway: upstream KME unreachable");
                case "status-incomplete" ->
                    answer(
                            exchange,
                            200,
                            "{\"source_KME_ID\":\"K1\",\"target_KME_ID\":\"K2\",\"master_SAE_ID\":\"SAE_A\","
                                    + "\"slave_SAE_ID\":\"SAE_B\",\"key_size\":-256}");
                case "key-not-string" ->
                    answer(exchange, 200, "{\"keys\":[{\"key_ID\":\"" + ID_1 + "\",\"key\":12345}]}");
                case "tiny-key" ->
                    answer(exchange, 200, keys(key(ID_1, Base64.getEncoder().encodeToString(new byte[1]))));
                case "status-other-slave" -> answer(exchange, 200, status("SAE_C"));
                case "status-no-source" ->
                    answer(exchange, 200, status(SAE_B).replace("\"source_KME_ID\":\"K1\",", ""));
                case "silent" -> RELEASE_SILENT.await(30, TimeUnit.SECONDS);
                default -> answer(exchange, 404, "{\"message\":\"no such behaviour\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A body without end (up to 1 GiB): only a client that stops reading at its cap gets past it. */
    private static void endless(HttpExchange exchange) {
        try {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            while (ENDLESS_WRITTEN.get() < 1L << 30) {
                out.write(chunk);
                ENDLESS_WRITTEN.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            ENDLESS_CUT_OFF.set(true);
        } finally {
            ENDLESS_DONE.countDown();
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/html");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String key(String id, String base64) {
        return "{\"key_ID\":\"" + id + "\",\"key\":\"" + base64 + "\"}";
    }

    private static String keys(String... keys) {
        return "{\"keys\":[" + String.join(",", keys) + "]}";
    }

    /** A complete Get status answer for the pair SAE_A and {@code slave}. */
    private static String status(String slave) {
        return "{\"source_KME_ID\":\"K1\",\"target_KME_ID\":\"K2\",\"master_SAE_ID\":\"SAE_A\","
                + "\"slave_SAE_ID\":\"" + slave + "\",\"key_size\":256,\"stored_key_count\":10,"
                + "\"max_key_count\":100,\"max_key_per_request\":8,\"max_key_size\":1024,\"min_key_size\":64,"
                + "\"max_SAE_ID_count\":0}";
    }

    private static Etsi014Client client(String behaviour) {
        return client(behaviour, Etsi014Client.DEFAULT_REQUEST_TIMEOUT);
    }

    private static Etsi014Client client(String behaviour, Duration requestTimeout) {
        URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/" + behaviour);
        return Etsi014Client.builder(url, SAE_A_TLS)
                .requestTimeout(requestTimeout)
                .build();
    }

    @Test
    void anEndlessBodyIsCutOffAtTheCapWhileReading() throws Exception {
        assertThatThrownBy(() -> client("endless").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("with more than 1048576 bytes; refused");

        // The client hung up instead of reading on: the server's writes failed long before its 1 GiB.
        assertThat(ENDLESS_DONE.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ENDLESS_CUT_OFF).isTrue();
        assertThat(ENDLESS_WRITTEN.get()).isLessThan(1L << 30);
    }

    @Test
    void aDeclaredTenMebibyteBodyIsRefusedBeforeReadingIt() {
        assertThatThrownBy(() -> client("declared-10MiB").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("with more than 1048576 bytes; refused");
    }

    @Test
    void aBodyThatIsNotJsonIsRefused() {
        assertThatThrownBy(() -> client("html").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("breaks ETSI GS QKD 014")
                .hasMessageContaining("not a JSON object")
                .hasMessageContaining("text/html");
    }

    @Test
    void jsonWithTrailingContentOrDuplicateFieldsIsRefused() {
        assertThatThrownBy(() -> client("trailing").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> client("duplicate-field").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void theWrongNumberOfKeysIsRefused() {
        assertThatThrownBy(() -> client("two-keys").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("it holds 2 keys where 1 were asked for");
        assertThatThrownBy(() -> client("no-keys").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("no \"keys\" array");
    }

    @Test
    void aKeyOfTheWrongSizeIsRefused() {
        assertThatThrownBy(() -> client("short-key").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("key " + ID_1 + " has 128 bits");
        assertThatThrownBy(() -> client("short-key").getKey(SAE_B, 1, 256))
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(new byte[16]));
    }

    @Test
    void aKeyThatIsNotBase64IsRefused() {
        assertThatThrownBy(() -> client("bad-base64").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("the key of key_ID " + ID_1 + " is not base64")
                .hasMessageNotContaining("not*base64!");
    }

    @Test
    void aKeyInAnyButTheCanonicalSpellingIsRefused() {
        for (String kme : List.of("respelled-key", "unpadded-key")) {
            assertThatThrownBy(() -> client(kme).getKey(SAE_B, 1, 256))
                    .as(kme)
                    .isInstanceOf(QkdException.class)
                    .hasMessageContaining("the key of key_ID " + ID_1 + " is not canonical base64");
        }
    }

    @Test
    void malformedOrRepeatedKeyIdsAreRefused() {
        assertThatThrownBy(() -> client("bad-key-id").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("has key_ID \"../../etc??\", which is not")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("\u202e");
        assertThatThrownBy(() -> client("same-id-twice").getKey(SAE_B, 2, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("key_ID " + ID_1 + " appears twice");
    }

    @Test
    void keysOtherThanTheRequestedIdsAreRefused() {
        assertThatThrownBy(() -> client("other-id").getKeyWithKeyIds(SAE_A, List.of(ID_1)))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("key ID " + ID_1 + " is missing and others were sent instead");
    }

    @Test
    void anErrorStatusCarriesTheKmesMessage() {
        assertThatThrownBy(() -> client("unavailable").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 503")
                .hasMessageContaining("\"QKD link A-B down??FAKE LOG LINE\"")
                .hasMessageContaining("details \"[{\"link\":\"A-B\"}]\"")
                .hasMessageContaining("try again later")
                .satisfies(e -> assertThat(((QkdException) e).httpStatus()).hasValue(503));
        assertThatThrownBy(() -> client("proxy-error").status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("HTTP 502 without an ETSI error object")
                .hasMessageContaining("Bad Gateway: upstream KME unreachable");
    }

    @Test
    void anIncompleteStatusIsRefused() {
        assertThatThrownBy(() -> client("status-incomplete").status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("no non-negative integer key_size");
    }

    @Test
    void aKmeThatNeverAnswersTimesOut() {
        long start = System.nanoTime();

        assertThatThrownBy(() -> client("silent", Duration.ofMillis(300)).getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("did not answer Get key")
                .hasMessageContaining("within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aKeyEntryWithoutAKeyStringIsRefused() {
        assertThatThrownBy(() -> client("key-not-string").getKey(SAE_B, 1, 256))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("breaks ETSI GS QKD 014")
                .hasMessageContaining("keys[0] lacks a key_ID or key string");
    }

    /** Keys fetched by ID have no requested size: they must still be within the client's limits. */
    @Test
    void aKeyFetchedByIdOutsideTheClientsLimitsIsRefused() {
        assertThatThrownBy(() -> client("tiny-key").getKeyWithKeyIds(SAE_A, List.of(ID_1)))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining(
                        "the key of key_ID " + ID_1 + " has 8 bits, outside this client's limits " + "128..8192");
    }

    @Test
    void aStatusOfAnotherPairOrWithoutItsKmeIdsIsRefused() throws Exception {
        assertThat(client("status-other-slave").kme())
                .isEqualTo(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/status-other-slave"));
        assertThatThrownBy(() -> client("status-other-slave").status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("it describes slave SAE \"SAE_C\"");
        assertThatThrownBy(() -> client("status-no-source").status(SAE_B))
                .isInstanceOf(QkdException.class)
                .hasMessageContaining("it has no string source_KME_ID");
    }
}
