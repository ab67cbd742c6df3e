/**
 * Cryptography that VSTP adds on top of its transport: key derivation ({@link io.vstp.crypto.internal.Hkdf}), the AEAD
 * ({@link io.vstp.crypto.internal.ChaCha20Poly1305}) and the hybrid KEM ({@link io.vstp.crypto.kem.HybridKem}) that
 * end-to-end encryption ({@code io.vstp.crypto.e2e}) is built from, manifest signatures ({@code io.vstp.crypto.sign}),
 * the key ring ({@code io.vstp.crypto.keys}) and quantum key delivery ({@code io.vstp.crypto.qkd}).
 *
 * <p>Every primitive comes from the JDK or BouncyCastle; this package only composes them. docs/guide/crypto.md
 * names each algorithm, its provider and parameters, and what each mode protects against.
 */
package io.vstp.crypto;
