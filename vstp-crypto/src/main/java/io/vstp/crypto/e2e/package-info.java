/**
 * End-to-end encrypted files (docs/spec/e2e.md): a header that wraps a random file key to each recipient with the
 * hybrid KEM, then the content in ChaCha20-Poly1305 chunks whose index and final flag are authenticated, so a
 * store or relay in between can neither read, alter, reorder, truncate nor splice them.
 */
package io.vstp.crypto.e2e;
