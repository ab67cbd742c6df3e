/**
 * Quantum key distribution as an extra key source: a client of the ETSI GS QKD 014 key delivery API
 * ({@link io.vstp.crypto.qkd.Etsi014Client}) with mutual TLS to the KME ({@link io.vstp.crypto.qkd.KmeTls}), a KME
 * simulator for tests and demos ({@link io.vstp.crypto.qkd.KmeSimulator}), and the two ways a QKD key enters VSTP's
 * keys, both always together with a classical component: HKDF with a classical secret
 * ({@link io.vstp.crypto.qkd.QkdKeyMixing}, or the {@code extra} input of the hybrid KEM) and additional input to
 * an OS-seeded DRBG ({@link io.vstp.crypto.qkd.EntropyPool}). See docs/guide/qkd.md.
 */
package io.vstp.crypto.qkd;
