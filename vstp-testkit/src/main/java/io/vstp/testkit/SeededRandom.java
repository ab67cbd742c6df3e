package io.vstp.testkit;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A {@link SecureRandom} whose output is fixed by a label, for tests whose keys, nonces and signatures must be the
 * same on every run: a fuzz target's valid input, so that a finding replays against the same bytes. Never for
 * anything that protects data.
 */
public final class SeededRandom {
    private SeededRandom() {}

    /** The SUN provider's SHA1PRNG, seeded before its first use: then it ignores the system's entropy. */
    public static SecureRandom of(String label) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG", "SUN");
            random.setSeed(label.getBytes(StandardCharsets.UTF_8));
            return random;
        } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
            throw new IllegalStateException("the JDK's SHA1PRNG is missing", e);
        }
    }
}
