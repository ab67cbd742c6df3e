package io.vstp.crypto.keys;

import io.vstp.crypto.KeyId;
import java.time.Instant;

/**
 * A key ring entry as listed: everything but the private key. {@code own} tells a key generated here (with a private
 * part until retired) from a public key imported from someone else.
 */
public record KeyEntry(
        KeyId id, String name, KeyType type, KeyState state, Instant created, boolean own, byte[] publicKey) {
    public KeyEntry {
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public String toString() {
        return "KeyEntry[" + id + " " + name + " " + type.id() + " " + state + (own ? "" : " imported") + "]";
    }
}
