package io.vstp.security.token;

import io.vstp.security.spi.Authenticator;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opaque access tokens kept in a file on the server: what {@code vstp serve} requires by default
 * (docs/decisions/009-safe-by-default-server.md). Each line of the file that is not blank and does not start with
 * {@code #} is {@code TOKEN [SUBJECT]}. A bearer token that starts with {@link #PREFIX} is this authenticator's: it
 * proves SUBJECT (default {@code owner}) with the configured roles when it is one of the file's tokens, and is refused
 * otherwise; any other token (a JWT) is left to the next authenticator.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the comparison takes the same time
 * whichever byte differs. The file must be readable by its owner only, as a private key must.
 */
public final class AccessTokenAuthenticator implements Authenticator {
    /** Every access token starts with this, so it is told from a JWT without trying to parse it. */
    public static final String PREFIX = "vstp-at-";
    /** The subject of a token line that names none. */
    public static final String DEFAULT_SUBJECT = "owner";
    /** At most this many tokens in one file: the file is read whole at start. */
    static final int MAX_TOKENS = 10_000;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private record Entry(byte[] digest, String subject) {}

    private final List<Entry> entries;
    private final Set<String> roles;

    private AccessTokenAuthenticator(List<Entry> entries, Set<String> roles) {
        this.entries = List.copyOf(entries);
        this.roles = Set.copyOf(roles);
    }

    /**
     * Reads the tokens of {@code file}; every principal gets {@code roles}.
     *
     * @throws IllegalArgumentException the file is readable by others, holds no token, or a line is malformed
     */
    public static AccessTokenAuthenticator load(Path file, Set<String> roles) throws IOException {
        checkOwnerOnly(file);
        List<Entry> entries = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length > 2 || !parts[0].startsWith(PREFIX) || parts[0].length() < PREFIX.length() + 32) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected 'TOKEN [SUBJECT]' with a "
                        + "token of at least 32 characters after " + PREFIX + " ('vstp serve' writes such a file)");
            }
            if (entries.size() == MAX_TOKENS) {
                throw new IllegalArgumentException(file + ": more than " + MAX_TOKENS + " tokens");
            }
            entries.add(new Entry(digest(parts[0]), parts.length == 2 ? parts[1] : DEFAULT_SUBJECT));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no access token");
        }
        return new AccessTokenAuthenticator(entries, roles);
    }

    /**
     * The first token of {@code file}, creating the file (owner-only) with a fresh token for {@link #DEFAULT_SUBJECT}
     * when it does not exist.
     */
    public static String loadOrCreate(Path file, SecureRandom random) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String fresh = generate(random);
        // Written whole under a temporary name, then linked under its own: a crash or a second server starting at
        // the same moment never sees an empty token file.
        Path dir = parent != null ? parent : Path.of(".");
        Path temp = parent != null && Files.getFileAttributeView(parent, PosixFileAttributeView.class) != null
                ? Files.createTempFile(dir, ".access-token-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, ".access-token-", ".tmp");
        try {
            // The token alone, so that the same file serves a client on this machine as --token-file.
            Files.writeString(temp, fresh + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.createLink(file, temp);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                if (e instanceof FileAlreadyExistsException exists) {
                    throw exists;
                }
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // no hard links here
            }
            return fresh;
        } catch (FileAlreadyExistsException e) {
            checkOwnerOnly(file);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.startsWith(PREFIX)) {
                    return t.split("\\s+")[0];
                }
            }
            throw new IllegalArgumentException(file + " holds no access token");
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A new token: {@link #PREFIX} and 256 random bits in unpadded base64url. */
    public static String generate(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    public CompletionStage<Optional<Principal>> authenticate(Credentials credentials) {
        String token = credentials.bearerToken();
        if (token == null || !token.startsWith(PREFIX)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        byte[] presented = digest(token);
        Entry match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), presented) && match == null) {
                match = e;
            }
        }
        if (match == null) {
            return CompletableFuture.failedFuture(new AuthenticationException("unknown access token"));
        }
        return CompletableFuture.completedFuture(
                Optional.of(new Principal(match.subject(), roles, Map.of(), "access-token", null)));
    }

    private static void checkOwnerOnly(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new IllegalArgumentException("access token file " + file + " is accessible to other users ("
                        + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
