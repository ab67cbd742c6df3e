/**
 * FIPS mode: {@link io.vstp.fips.FipsBootstrap} puts this JVM on the BouncyCastle FIPS module (approved algorithms
 * only) and switches {@link io.vstp.transport.fips.FipsMode} on; {@link io.vstp.fips.VstpFips} is the {@code vstp}
 * command run that way. See docs/guide/fips.md.
 */
package io.vstp.fips;
