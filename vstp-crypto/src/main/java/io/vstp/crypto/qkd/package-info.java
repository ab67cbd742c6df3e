/**
 * Quantum key distribution as an extra key source: a client of the ETSI GS QKD 014 key delivery API
 * ({@link io.vstp.crypto.qkd.Etsi014Client}) with mutual TLS to the KME ({@link io.vstp.crypto.qkd.KmeTls}), and the
 * two ways a QKD key enters VSTP's keys, both always together with a classical component: HKDF with a classical secret
 * ({@link io.vstp.crypto.qkd.QkdKeyMixing}, or the {@code extra} input of the hybrid KEM) and additional input to
 * an OS-seeded DRBG ({@link io.vstp.crypto.qkd.EntropyPool}). Not here: the KME simulator for tests and
 * {@code vstp qkd-sim}, {@code io.vstp.testkit.qkd.KmeSimulator} in vstp-testkit. See docs/guide/qkd.md.
 */
package io.vstp.crypto.qkd;
