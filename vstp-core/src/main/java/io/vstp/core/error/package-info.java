/**
 * Error codes and the exception family that carries them. Every failure VSTP reports has a stable
 * {@link io.vstp.core.error.ErrorCode}; the codes are listed in docs/spec/wire-v1.md §8.
 */
package io.vstp.core.error;
