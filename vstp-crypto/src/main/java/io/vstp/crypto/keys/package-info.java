/**
 * The key ring: a user's end-to-end and signing keys, and the public keys of others, in one passphrase-encrypted
 * PKCS#12 file ({@link io.vstp.crypto.keys.KeyRing}), with generation, rotation, retirement, export and import.
 */
package io.vstp.crypto.keys;
