package io.vstp.crypto;

import java.util.Arrays;

/**
 * Zeroing of key material held in byte and char arrays once it is no longer needed. The JDK's own key objects
 * keep private copies that only their {@code destroy()} (where implemented) can clear, so this is best effort:
 * it shortens how long secrets stay in the heap, it does not guarantee they are gone.
 */
public final class Secrets {
    private Secrets() {}

    public static void wipe(byte[]... secrets) {
        for (byte[] s : secrets) {
            if (s != null) {
                Arrays.fill(s, (byte) 0);
            }
        }
    }

    public static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }
}
