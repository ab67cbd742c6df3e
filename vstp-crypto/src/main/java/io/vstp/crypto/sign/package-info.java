/**
 * Signed transfer manifests (docs/spec/e2e.md §5): Ed25519 (RFC 8032) and ML-DSA-65 (FIPS 204) signatures over a
 * canonical text naming a stored file's path, size and SHA-256, so a downloader can tell who published exactly
 * these bytes under this name.
 */
package io.vstp.crypto.sign;
