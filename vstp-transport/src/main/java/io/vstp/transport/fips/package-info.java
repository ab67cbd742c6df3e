/**
 * FIPS mode: whether this JVM runs VSTP on a FIPS 140-3 validated module's approved algorithms only, and the one
 * refusal every layer uses for what that mode does not allow. The module itself (BouncyCastle FIPS) is installed
 * by vstp-fips; this package only reads the switch, so that every module can ask without depending on it.
 */
package io.vstp.transport.fips;
