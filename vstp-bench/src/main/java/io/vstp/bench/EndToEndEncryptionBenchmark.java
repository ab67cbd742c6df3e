package io.vstp.bench;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.e2e.DecryptingInputStream;
import io.vstp.crypto.e2e.EncryptingOutputStream;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.e2e.RecipientKeys;
import io.vstp.crypto.kem.HybridKem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * End-to-end encryption of a 4 MiB file (docs/spec/e2e.md) against its floor: the same bytes sealed in 64 KiB
 * chunks by one JDK ChaCha20-Poly1305 {@link Cipher}, with no header, KEM, key derivation or framing. The ratio
 * {@code encrypt / chachaBaseline} is what the file format costs on top of the cipher; {@code encapsulate} and
 * {@code decapsulate} are the per-file cost of the hybrid KEM (X25519 + ML-KEM-768) on their own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EndToEndEncryptionBenchmark {
    private static final int SIZE = 4 << 20;
    private static final int CHUNK = 64 << 10;

    private final SecureRandom random = new SecureRandom();
    private byte[] plaintext;
    private byte[] ciphertext;
    private HybridKem.KeyPair key;
    private byte[] encapsulation;
    private RecipientKeys keys;
    private byte[] chachaKey;

    @Setup
    public void setUp() throws IOException {
        plaintext = new byte[SIZE];
        new Random(1).nextBytes(plaintext);
        key = HybridKem.generate(random);
        keys = id -> id.equals(KeyId.of(key.publicKey())) ? key.privateKey().clone() : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE + 4096);
        try (EncryptingOutputStream e =
                new EncryptingOutputStream(out, List.of(new Recipient(key.publicKey())), random)) {
            e.write(plaintext);
        }
        ciphertext = out.toByteArray();
        encapsulation =
                HybridKem.encapsulate(key.publicKey(), new byte[0], random).encapsulation();
        chachaKey = new byte[32];
        random.nextBytes(chachaKey);
    }

    @Benchmark
    public void encrypt() throws IOException {
        try (EncryptingOutputStream e = new EncryptingOutputStream(
                OutputStream.nullOutputStream(), List.of(new Recipient(key.publicKey())), random)) {
            e.write(plaintext);
        }
    }

    @Benchmark
    public void decrypt(Blackhole hole) throws IOException {
        byte[] buf = new byte[CHUNK];
        try (DecryptingInputStream in = new DecryptingInputStream(new ByteArrayInputStream(ciphertext), keys)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                hole.consume(n);
            }
        }
    }

    @Benchmark
    public void chachaBaseline(Blackhole hole) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        SecretKeySpec k = new SecretKeySpec(chachaKey, "ChaCha20");
        byte[] nonce = new byte[12];
        for (int off = 0, i = 0; off < SIZE; off += CHUNK, i++) {
            nonce[11] = (byte) i;
            nonce[10] = (byte) (i >> 8);
            c.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(nonce));
            hole.consume(c.doFinal(plaintext, off, CHUNK));
        }
    }

    @Benchmark
    public HybridKem.Encapsulated encapsulate() {
        return HybridKem.encapsulate(key.publicKey(), new byte[0], random);
    }

    @Benchmark
    public byte[] decapsulate() {
        return HybridKem.decapsulate(key.privateKey(), encapsulation, new byte[0]);
    }
}
