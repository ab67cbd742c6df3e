package io.vstp.crypto.keys;

/** Where a key is in its life. */
public enum KeyState {
    /** Used for new encryption or signatures under its name. */
    ACTIVE,
    /** Replaced by a rotation: still decrypts and verifies, never used for anything new. */
    PREVIOUS,
    /** Private part destroyed: the public part still verifies old signatures; nothing decrypts with it any more. */
    RETIRED
}
