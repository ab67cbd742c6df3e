package io.vstp.crypto.qkd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.kem.HybridKem;
import java.security.DrbgParameters;
import java.security.SecureRandom;
import java.security.SecureRandomParameters;
import java.security.SecureRandomSpi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntropyPoolTest {
    @Test
    void isTheJdkDrbgAt256BitsWithPredictionResistance() {
        EntropyPool pool = new EntropyPool();

        assertThat(pool.getParameters()).isInstanceOfSatisfying(DrbgParameters.Instantiation.class, p -> {
            assertThat(p.getStrength()).isEqualTo(256);
            assertThat(p.getCapability()).isEqualTo(DrbgParameters.Capability.PR_AND_RESEED);
        });
        assertThat(pool.getAlgorithm()).isEqualTo("DRBG");
    }

    @Test
    void producesOutputBeforeAndAfterMixing() {
        EntropyPool pool = new EntropyPool();
        byte[] before = new byte[64];
        pool.nextBytes(before);

        pool.mix(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] after = new byte[64];
        pool.nextBytes(after);

        assertThat(before).isNotEqualTo(new byte[64]);
        assertThat(after).isNotEqualTo(new byte[64]).isNotEqualTo(before);
    }

    @Test
    void mixingReseedsWithFreshOsEntropyAndTheMaterialAsAdditionalInput() {
        RecordingDrbg drbg = RecordingDrbg.create();
        EntropyPool pool = new EntropyPool(drbg);
        byte[] material = {42, 43, 44};

        pool.mix(material);

        assertThat(drbg.reseeds).singleElement().isInstanceOfSatisfying(DrbgParameters.Reseed.class, r -> {
            assertThat(r.getPredictionResistance())
                    .as("fresh OS entropy on every mix")
                    .isTrue();
            assertThat(r.getAdditionalInput()).containsExactly(42, 43, 44);
        });
        assertThat(material).as("the caller's array is left alone").containsExactly(42, 43, 44);
    }

    @Test
    void refusesEmptyOrOversizedMaterial() {
        EntropyPool pool = new EntropyPool();

        assertThatThrownBy(() -> pool.mix(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.mix(new byte[EntropyPool.MAX_MATERIAL_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void servesAsTheRandomSourceOfTheHybridKem() {
        EntropyPool pool = new EntropyPool();
        pool.mix(new byte[32]);
        HybridKem.KeyPair pair = HybridKem.generate(pool);

        HybridKem.Encapsulated sent = HybridKem.encapsulate(pair.publicKey(), new byte[0], pool);

        assertThat(HybridKem.decapsulate(pair.privateKey(), sent.encapsulation(), new byte[0]))
                .isEqualTo(sent.sharedSecret());
    }

    /** A real JDK DRBG that records the reseed requests it gets. */
    private static final class RecordingDrbg extends SecureRandom {
        private static final long serialVersionUID = 1L;
        final transient List<SecureRandomParameters> reseeds;

        private RecordingDrbg(SecureRandomSpi spi, List<SecureRandomParameters> reseeds, SecureRandom real) {
            super(spi, real.getProvider());
            this.reseeds = reseeds;
        }

        static RecordingDrbg create() {
            SecureRandom real;
            try {
                real = SecureRandom.getInstance(
                        "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.PR_AND_RESEED, null));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            List<SecureRandomParameters> reseeds = new ArrayList<>();
            SecureRandomSpi spi = new SecureRandomSpi(real.getParameters()) {
                @Override
                protected void engineSetSeed(byte[] seed) {
                    real.setSeed(seed);
                }

                @Override
                protected void engineNextBytes(byte[] bytes) {
                    real.nextBytes(bytes);
                }

                @Override
                protected byte[] engineGenerateSeed(int n) {
                    return real.generateSeed(n);
                }

                @Override
                protected void engineReseed(SecureRandomParameters params) {
                    reseeds.add(params);
                    real.reseed(params);
                }

                @Override
                protected SecureRandomParameters engineGetParameters() {
                    return real.getParameters();
                }
            };
            return new RecordingDrbg(spi, reseeds, real);
        }

        @Override
        public String toString() {
            return "RecordingDrbg" + Arrays.toString(new int[] {reseeds.size()});
        }
    }
}
