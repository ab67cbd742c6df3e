package io.vstp.crypto.keys;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.Secrets;
import io.vstp.crypto.e2e.RecipientKeys;
import io.vstp.crypto.internal.CanonicalBase64;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * A passphrase-encrypted PKCS#12 file of keys (docs/guide/crypto.md, "Keys"). Each entry is a PKCS#12 secret bag
 * under the key's id holding a small record: type, name, state, creation time, whether it is our own, and the raw
 * public and private keys. The JDK's PKCS12 store encrypts each bag with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC)
 * and protects the file with a PBKDF2-derived HMAC, so a wrong passphrase or a damaged file is detected before
 * anything is used. (PKCS#12 has no standard bag for ML-KEM or ML-DSA keys in JDK 17, hence the record.)
 *
 * <p>Every change reads the file, applies, and writes a new file that replaces the old atomically, under an
 * exclusive lock on {@code FILE.lock}, so two {@code vstp keys} processes cannot lose each other's changes. The file
 * is created with mode 0600 and refused when others can read it.
 */
public final class KeyRing implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,64}");
    private static final String EXPORT_PREFIX = "vstp-public-key 1 ";
    private static final int RECORD_VERSION = 1;
    // The JDK's PKCS12 store needs an algorithm it has an OID for on a secret bag; the bag holds our record, not
    // an AES key, and is only ever read back by this class.
    private static final String BAG_ALGORITHM = "AES";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private static final Map<Path, Object> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final char[] passphrase;
    private final SecureRandom random;

    private KeyRing(Path file, char[] passphrase, SecureRandom random) {
        this.file = file.toAbsolutePath().normalize();
        this.passphrase = passphrase.clone();
        this.random = random;
    }

    /**
     * Opens the key ring at {@code file}, creating an empty one if there is none. The passphrase is checked now: a
     * wrong one is a {@link KeyRingException}. The caller may wipe its passphrase array afterwards.
     */
    public static KeyRing open(Path file, char[] passphrase) throws IOException {
        return open(file, passphrase, new SecureRandom());
    }

    static KeyRing open(Path file, char[] passphrase, SecureRandom random) throws IOException {
        io.vstp.crypto.FipsRefusals.keyRing();
        if (passphrase.length == 0) {
            throw new KeyRingException("the key ring passphrase must not be empty");
        }
        KeyRing ring = new KeyRing(file, passphrase, random);
        if (Files.exists(file)) {
            ring.load();
        } else {
            ring.update(store -> null);
        }
        return ring;
    }

    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- reading

    /** All keys, newest first within each name. */
    public List<KeyEntry> list() throws IOException {
        KeyStore store = load();
        List<KeyEntry> out = new ArrayList<>();
        for (String alias : Collections.list(aliases(store))) {
            out.add(read(store, alias).entry());
        }
        out.sort(Comparator.comparing(KeyEntry::name).thenComparing(KeyEntry::created, Comparator.reverseOrder()));
        return out;
    }

    public Optional<KeyEntry> find(KeyId id) throws IOException {
        KeyStore store = load();
        String alias = id.toString();
        return contains(store, alias) ? Optional.of(read(store, alias).entry()) : Optional.empty();
    }

    /** The active key of {@code name} that encrypts ({@code signing} false) or signs (true). */
    public KeyEntry active(String name, boolean signing) throws KeyRingException, IOException {
        List<KeyEntry> matches = new ArrayList<>();
        for (KeyEntry e : list()) {
            if (e.name().equals(name)
                    && e.state() == KeyState.ACTIVE
                    && e.type().signs() == signing) {
                matches.add(e);
            }
        }
        if (matches.isEmpty()) {
            throw new KeyRingException("no active " + (signing ? "signing" : "encryption") + " key named '" + name
                    + "' in " + file + " (see: vstp keys list)");
        }
        return matches.get(0);
    }

    /** A copy of the private key of {@code id}, or null if we hold none (imported or retired); the caller wipes it. */
    public byte[] privateKey(KeyId id) throws IOException {
        KeyStore store = load();
        String alias = id.toString();
        if (!contains(store, alias)) {
            return null;
        }
        Record r = read(store, alias);
        return r.privateKey.length == 0 ? null : r.privateKey;
    }

    /**
     * This ring as the key source of an end-to-end decryption: own encryption keys that are active or previous.
     * Signing keys are never offered, even when a file's header names one (their ids are public, in every signed
     * manifest): a signing key's private part is never handed to the KEM.
     */
    public RecipientKeys recipientKeys() {
        return id -> {
            KeyStore store = load();
            String alias = id.toString();
            if (!contains(store, alias)) {
                return null;
            }
            Record r = read(store, alias);
            if (r.type != KeyType.E2E || r.privateKey.length == 0) {
                Secrets.wipe(r.privateKey);
                return null;
            }
            return r.privateKey;
        };
    }

    /** The one-line public export of a key: {@code vstp-public-key 1 TYPE NAME BASE64}. */
    public String exportPublic(KeyId id) throws IOException {
        KeyEntry e = find(id).orElseThrow(() -> new KeyRingException("no key " + id + " in " + file));
        return EXPORT_PREFIX + e.type().id() + " " + e.name() + " "
                + Base64.getEncoder().encodeToString(e.publicKey());
    }

    /** Parses an export line into (type, name, public key) without touching any key ring. */
    public static KeyEntry parseExport(String line) throws KeyRingException {
        String s = line.strip();
        if (!s.startsWith(EXPORT_PREFIX)) {
            throw new KeyRingException(
                    "not a VSTP public key (expected a line starting '" + EXPORT_PREFIX.strip() + "')");
        }
        String[] parts = s.substring(EXPORT_PREFIX.length()).split(" ");
        if (parts.length != 3) {
            throw new KeyRingException("a VSTP public key line has a type, a name and a base64 key");
        }
        KeyType type;
        byte[] key;
        try {
            type = KeyType.fromId(parts[0]);
            key = CanonicalBase64.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new KeyRingException("malformed public key: " + e.getMessage(), e);
        }
        checkName(parts[1]);
        if (key.length != type.publicKeyLength()) {
            throw new KeyRingException(
                    type.id() + " public key of " + key.length + " bytes (must be " + type.publicKeyLength() + ")");
        }
        return new KeyEntry(KeyId.of(key), parts[1], type, KeyState.ACTIVE, Instant.EPOCH, false, key);
    }

    // ---------------------------------------------------------------- changing

    /** A new own key of {@code type} named {@code name}; an active key of the same name and kind becomes previous. */
    public KeyEntry generate(String name, KeyType type) throws IOException {
        checkName(name);
        return update(store -> {
            byte[] priv = type.generatePrivateKey(random);
            try {
                requireNameHeldBy(store, name, type.signs(), true);
                Record r = new Record(type, name, KeyState.ACTIVE, Instant.now(), true, type.publicKeyOf(priv), priv);
                demoteActive(store, name, type.signs(), r.entry().id());
                write(store, r);
                return r.entry();
            } finally {
                Secrets.wipe(priv);
            }
        });
    }

    /** Replaces the active key of {@code name} with a new one of the same type; the old one keeps decrypting. */
    public KeyEntry rotate(String name, boolean signing) throws IOException {
        KeyEntry current = active(name, signing);
        if (!current.own()) {
            throw new KeyRingException("'" + name + "' is an imported key: import its owner's new key instead");
        }
        return generate(name, current.type());
    }

    /** Rotates every own active key created before {@code now - maxAge}: the scheduled form of {@link #rotate}. */
    public List<KeyEntry> rotateOlderThan(Duration maxAge, Instant now) throws IOException {
        List<KeyEntry> rotated = new ArrayList<>();
        for (KeyEntry e : list()) {
            if (e.own() && e.state() == KeyState.ACTIVE && e.created().isBefore(now.minus(maxAge))) {
                rotated.add(rotate(e.name(), e.type().signs()));
            }
        }
        return rotated;
    }

    /** Destroys the private part of {@code id}: files encrypted to it can no longer be read here. */
    public KeyEntry retire(KeyId id) throws IOException {
        return update(store -> {
            String alias = id.toString();
            if (!contains(store, alias)) {
                throw new KeyRingException("no key " + id + " in " + file);
            }
            Record r = read(store, alias);
            Secrets.wipe(r.privateKey);
            Record retired = new Record(r.type, r.name, KeyState.RETIRED, r.created, r.own, r.publicKey, new byte[0]);
            write(store, retired);
            return retired.entry();
        });
    }

    /** Adds someone else's public key; it becomes the active key of its name and kind. */
    public KeyEntry importPublic(String exportLine, String nameOverride) throws IOException {
        KeyEntry parsed = parseExport(exportLine);
        String name = nameOverride != null ? nameOverride : parsed.name();
        checkName(name);
        return update(store -> {
            String alias = parsed.id().toString();
            if (contains(store, alias)) {
                throw new KeyRingException(
                        "key " + parsed.id() + " is already in " + file + " as '" + read(store, alias).name + "'");
            }
            requireNameHeldBy(store, name, parsed.type().signs(), false);
            Record r = new Record(
                    parsed.type(), name, KeyState.ACTIVE, Instant.now(), false, parsed.publicKey(), new byte[0]);
            demoteActive(store, name, parsed.type().signs(), parsed.id());
            write(store, r);
            return r.entry();
        });
    }

    /**
     * A name (of one kind: encryption or signing) belongs either to our own keys or to someone else's, never both:
     * otherwise importing "alice" would quietly retire our own "alice" as the key {@code put --to alice} uses.
     */
    private void requireNameHeldBy(KeyStore store, String name, boolean signing, boolean own) throws IOException {
        for (String alias : Collections.list(aliases(store))) {
            Record r = read(store, alias);
            Secrets.wipe(r.privateKey);
            if (r.name.equals(name) && r.type.signs() == signing && r.own != own) {
                throw new KeyRingException("'" + name + "' already names " + (r.own ? "your own" : "an imported")
                        + " " + (signing ? "signing" : "encryption") + " key; use another name"
                        + (own ? "" : " (vstp keys import FILE --name NAME)"));
            }
        }
    }

    private void demoteActive(KeyStore store, String name, boolean signing, KeyId except) throws IOException {
        for (String alias : Collections.list(aliases(store))) {
            Record r = read(store, alias);
            if (r.name.equals(name)
                    && r.type.signs() == signing
                    && r.state == KeyState.ACTIVE
                    && !alias.equals(except.toString())) {
                write(
                        store,
                        new Record(r.type, r.name, KeyState.PREVIOUS, r.created, r.own, r.publicKey, r.privateKey));
            }
            Secrets.wipe(r.privateKey);
        }
    }

    private static void checkName(String name) throws KeyRingException {
        if (!NAME.matcher(name).matches()) {
            throw new KeyRingException("key name '" + name + "' must be 1-64 of A-Z a-z 0-9 . _ @ + -");
        }
    }

    // ---------------------------------------------------------------- storage

    private interface Change<T> {
        T apply(KeyStore store) throws IOException;
    }

    private <T> T update(Change<T> change) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(file.getFileName() + ".lock");
        // A FileLock excludes other processes only; threads of this one queue on the same monitor first.
        synchronized (IN_PROCESS_LOCKS.computeIfAbsent(lockFile, k -> new Object())) {
            return updateLocked(change, dir, lockFile);
        }
    }

    private <T> T updateLocked(Change<T> change, Path dir, Path lockFile) throws IOException {
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockChannel.lock()) {
            KeyStore store = Files.exists(file) ? load() : emptyStore();
            T result = change.apply(store);
            save(store, dir);
            return result;
        }
    }

    private KeyStore load() throws IOException {
        checkPermissions();
        KeyStore store = emptyStore();
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, passphrase);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new KeyRingException("wrong passphrase for key ring " + file + " (or the file is damaged)", e);
            }
            throw new KeyRingException("cannot read key ring " + file + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("cannot read key ring " + file + ": " + e.getMessage(), e);
        }
        return store;
    }

    private void checkPermissions() throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new KeyRingException("key ring " + file + " is accessible to other users ("
                        + PosixFilePermissions.toString(perms) + "); run: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its own ACLs apply.
        }
    }

    private void save(KeyStore store, Path dir) throws IOException {
        Path temp;
        try {
            temp = Files.createTempFile(
                    dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        }
        try {
            try (OutputStream out = Files.newOutputStream(temp)) {
                store.store(out, passphrase);
            } catch (GeneralSecurityException e) {
                throw new KeyRingException("cannot write key ring " + file + ": " + e.getMessage(), e);
            }
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static KeyStore emptyStore() throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("this JDK has no PKCS12 key store", e);
        }
    }

    private static java.util.Enumeration<String> aliases(KeyStore store) throws KeyRingException {
        try {
            return store.aliases();
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("key ring not loaded", e);
        }
    }

    private static boolean contains(KeyStore store, String alias) throws KeyRingException {
        try {
            return store.containsAlias(alias);
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("key ring not loaded", e);
        }
    }

    private Record read(KeyStore store, String alias) throws IOException {
        byte[] bytes;
        try {
            // A certificate entry (keytool -importcert) has no password: getEntry with one throws unchecked.
            KeyStore.Entry e = store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)
                    ? store.getEntry(alias, new KeyStore.PasswordProtection(passphrase))
                    : null;
            if (!(e instanceof KeyStore.SecretKeyEntry s)) {
                throw new KeyRingException("entry " + alias + " of " + file + " is not a VSTP key");
            }
            bytes = s.getSecretKey().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("cannot read key " + alias + " of " + file + ": " + e.getMessage(), e);
        }
        try {
            return Record.decode(bytes);
        } finally {
            Secrets.wipe(bytes);
        }
    }

    private void write(KeyStore store, Record r) throws IOException {
        byte[] bytes = r.encode();
        try {
            store.setEntry(
                    r.entry().id().toString(),
                    new KeyStore.SecretKeyEntry(new SecretKeySpec(bytes, BAG_ALGORITHM)),
                    new KeyStore.PasswordProtection(passphrase));
        } catch (GeneralSecurityException e) {
            throw new KeyRingException("cannot store key: " + e.getMessage(), e);
        } finally {
            Secrets.wipe(bytes);
        }
    }

    /** Wipes the passphrase held for later reads and writes. */
    @Override
    public void close() {
        Secrets.wipe(passphrase);
    }

    private record Record(
            KeyType type,
            String name,
            KeyState state,
            Instant created,
            boolean own,
            byte[] publicKey,
            byte[] privateKey) {
        KeyEntry entry() {
            return new KeyEntry(KeyId.of(publicKey), name, type, state, created, own, publicKey);
        }

        byte[] encode() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64 + publicKey.length + privateKey.length);
            DataOutputStream out = new DataOutputStream(b);
            out.writeByte(RECORD_VERSION);
            out.writeUTF(type.id());
            out.writeUTF(name);
            out.writeUTF(state.name());
            out.writeLong(created.toEpochMilli());
            out.writeBoolean(own);
            out.writeInt(publicKey.length);
            out.write(publicKey);
            out.writeInt(privateKey.length);
            out.write(privateKey);
            return b.toByteArray();
        }

        static Record decode(byte[] bytes) throws KeyRingException {
            try {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
                if (in.readUnsignedByte() != RECORD_VERSION) {
                    throw new KeyRingException("key record of an unknown version: written by a newer vstp?");
                }
                KeyType type = KeyType.fromId(in.readUTF());
                String name = in.readUTF();
                KeyState state = KeyState.valueOf(in.readUTF());
                Instant created = Instant.ofEpochMilli(in.readLong());
                boolean own = in.readBoolean();
                byte[] pub = in.readNBytes(bounded(in.readInt(), bytes.length));
                byte[] priv = in.readNBytes(bounded(in.readInt(), bytes.length));
                return new Record(type, name, state, created, own, pub, priv);
            } catch (KeyRingException e) {
                throw e; // a record of a newer version is not damaged: say so as it is
            } catch (IOException | IllegalArgumentException e) {
                throw new KeyRingException("damaged key record: " + e.getMessage(), e);
            }
        }

        private static int bounded(int n, int limit) throws IOException {
            if (n < 0 || n > limit) {
                throw new IOException("length " + n + " out of range");
            }
            return n;
        }
    }
}
