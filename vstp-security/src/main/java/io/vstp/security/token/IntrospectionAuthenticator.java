package io.vstp.security.token;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.vstp.core.internal.Failures;
import io.vstp.security.spi.Authenticator;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves who a peer is by asking an OAuth 2.0 authorisation server about its bearer token (token introspection,
 * RFC 7662): for opaque tokens, which carry nothing a server can check itself. Put it after a
 * {@link JwtAuthenticator}, which leaves non-JWT tokens to it.
 *
 * <ul>
 *   <li>Each call POSTs {@code token=...&token_type_hint=access_token} with the client's HTTP Basic credentials,
 *       asynchronously ({@link HttpClient#sendAsync}); nothing blocks the event loop. The whole call is bounded by
 *       the timeout and the response by a size limit.</li>
 *   <li>{@code "active": false} refuses the token ("token not active"); an active answer becomes a principal with
 *       subject {@code sub} (or {@code username}), method {@value #METHOD}, expiry {@code exp}, roles through
 *       {@link ClaimRoles} and the answer's members as claims.</li>
 *   <li>Answers are cached under the token's SHA-256 (never the token itself): active ones until the earlier of
 *       {@code exp} and the cache TTL, inactive ones for the short negative TTL. Failed calls (timeout, network,
 *       bad answer) are not cached. Concurrent checks of one token share one call.</li>
 * </ul>
 * A refusal completes the stage exceptionally with the {@link AuthenticationException} itself (not wrapped).
 */
public final class IntrospectionAuthenticator implements Authenticator, AutoCloseable {
    /** The {@link Principal#method()} of principals this authenticator proves. */
    public static final String METHOD = "introspection";

    private static final Logger LOG = LoggerFactory.getLogger(IntrospectionAuthenticator.class.getPackageName());

    private final IntrospectionOptions settings;
    private final HttpClient client;
    private final ExecutorService ownExecutor;
    private final String authorization;
    private final AsyncCache<String, Answer> cache;
    private final AtomicInteger calls = new AtomicInteger();

    /** An authenticator with an HTTP client of its own (its threads are daemons, stopped by {@link #close()}). */
    public IntrospectionAuthenticator(IntrospectionOptions settings) {
        this(settings, null);
    }

    /** An authenticator that calls the endpoint with {@code client}; null for one of its own. */
    public IntrospectionAuthenticator(IntrospectionOptions settings, HttpClient client) {
        this.settings = settings;
        if (client == null) {
            AtomicInteger n = new AtomicInteger();
            this.ownExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "vstp-introspection-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.client = HttpClient.newBuilder()
                    .connectTimeout(settings.timeout())
                    .executor(ownExecutor)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        } else {
            this.ownExecutor = null;
            this.client = client;
        }
        String credentials = URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(settings.clientSecret(), StandardCharsets.UTF_8);
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.cacheMaxEntries())
                .expireAfter(new AnswerExpiry())
                .buildAsync();
    }

    public IntrospectionOptions settings() {
        return settings;
    }

    /** How many answers are cached now (approximately). */
    public long cachedAnswers() {
        return cache.synchronous().estimatedSize();
    }

    @Override
    public CompletionStage<Optional<Principal>> authenticate(Credentials credentials) {
        String token = credentials.bearerToken();
        if (token == null || token.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        try {
            TokenSize.check(token, settings.maxTokenBytes());
        } catch (AuthenticationException e) {
            return CompletableFuture.failedFuture(e);
        }
        String key = sha256(token);
        CompletableFuture<Answer> answer;
        try {
            answer = cache.get(key, (k, executor) -> introspect(token, k));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e, key));
        }
        CompletableFuture<Optional<Principal>> result = new CompletableFuture<>();
        answer.whenComplete((a, error) -> {
            if (error != null) {
                result.completeExceptionally(failure(error, key));
            } else if (a instanceof Answer.Active active) {
                result.complete(Optional.of(active.principal()));
            } else {
                result.completeExceptionally(new AuthenticationException(
                        a instanceof Answer.Inactive inactive ? inactive.reason() : ((Answer.Failed) a).reason()));
            }
        });
        return result;
    }

    private AuthenticationException failure(Throwable error, String key) {
        return new AuthenticationException(failed(error, key).reason());
    }

    /** A call that failed: not the token's fault, so never cached (see {@link AnswerExpiry}). */
    private static Answer.Failed failed(Throwable error, String key) {
        Throwable cause = Failures.cause(error);
        Throwable logged = cause;
        LOG.atWarn()
                .setMessage(() -> "token introspection failed (token " + key.substring(0, 8) + "...): " + logged)
                .log();
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return new Answer.Failed("token introspection timed out");
        }
        return new Answer.Failed("token introspection failed");
    }

    private CompletableFuture<Answer> introspect(String token, String key) {
        calls.incrementAndGet();
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token";
        HttpRequest request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build();
        return client.sendAsync(
                        request,
                        info -> info.statusCode() == 200
                                ? new LimitedBody(settings.maxResponseBytes())
                                : HttpResponse.BodySubscribers.replacing(new byte[0]))
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new CompletionException(
                                new IOException("introspection endpoint answered HTTP " + response.statusCode()));
                    }
                    return answer(response.body(), key);
                })
                .exceptionally(error -> failed(error, key));
    }

    private Answer answer(byte[] body, String key) {
        Map<String, Object> json;
        try {
            json = JwtAuthenticator.plainJson(JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (ParseException | RuntimeException e) {
            throw new CompletionException(new IOException("introspection answer is not a JSON object"));
        }
        if (!Boolean.TRUE.equals(json.get("active"))) {
            LOG.atDebug()
                    .setMessage(() -> "token " + key.substring(0, 8) + "... not active")
                    .log();
            return new Answer.Inactive("token not active");
        }
        Instant now = settings.clock().instant();
        Instant exp = null;
        if (json.get("exp") instanceof Number n) {
            exp = Instant.ofEpochSecond(n.longValue());
            if (!now.isBefore(exp)) {
                return new Answer.Inactive("token expired");
            }
        }
        if (settings.issuer() != null && !settings.issuer().equals(json.get("iss"))) {
            return new Answer.Inactive("untrusted issuer");
        }
        if (settings.audience() != null && !audienceMatches(json.get("aud"))) {
            return new Answer.Inactive("wrong audience");
        }
        String subject = json.get("sub") instanceof String s && !s.isBlank()
                ? s
                : json.get("username") instanceof String u && !u.isBlank() ? u : null;
        if (subject == null) {
            return new Answer.Inactive("token has no subject");
        }
        return new Answer.Active(new Principal(subject, settings.roles().roles(json), json, METHOD, exp));
    }

    private boolean audienceMatches(Object aud) {
        if (aud instanceof String s) {
            return s.equals(settings.audience());
        }
        return aud instanceof Collection<?> list && list.contains(settings.audience());
    }

    static String sha256(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    /** How many introspection calls this authenticator has made (cache misses). */
    public int introspectionCalls() {
        return calls.get();
    }

    /** Forgets the cached answers and stops the threads of its own HTTP client. */
    @Override
    public void close() {
        cache.synchronous().invalidateAll();
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    /** An introspection answer: a principal, or why the token is refused. */
    private sealed interface Answer {
        record Active(Principal principal) implements Answer {}

        record Inactive(String reason) implements Answer {}

        /** The call failed (timeout, network, HTTP status, bad answer): reported, never cached. */
        record Failed(String reason) implements Answer {}
    }

    /** Active answers live until min(exp, cacheTtl); inactive ones for negativeCacheTtl; failures not at all. */
    private final class AnswerExpiry implements Expiry<String, Answer> {
        @Override
        public long expireAfterCreate(String key, Answer answer, long currentTime) {
            if (answer instanceof Answer.Active active) {
                Duration ttl = settings.cacheTtl();
                Instant exp = active.principal().expiresAt();
                if (exp != null) {
                    Duration left = Duration.between(settings.clock().instant(), exp);
                    if (left.compareTo(ttl) < 0) {
                        ttl = left.isNegative() ? Duration.ZERO : left;
                    }
                }
                return ttl.toNanos();
            }
            return answer instanceof Answer.Failed
                    ? 0
                    : settings.negativeCacheTtl().toNanos();
        }

        @Override
        public long expireAfterUpdate(String key, Answer answer, long currentTime, long currentDuration) {
            return expireAfterCreate(key, answer, currentTime);
        }

        @Override
        public long expireAfterRead(String key, Answer answer, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    /** Collects a response body of at most {@code max} bytes; a larger one fails the call. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (out.size() + item.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("introspection answer larger than " + max + " bytes"));
                    return;
                }
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.writeBytes(bytes);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
