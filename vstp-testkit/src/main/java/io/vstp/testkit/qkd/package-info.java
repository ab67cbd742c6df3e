/**
 * {@link io.vstp.testkit.qkd.KmeSimulator}, a simulated ETSI GS QKD 014 key server for vstp-crypto's tests and
 * {@code vstp qkd-sim}. It gives no quantum security: its keys come from a SecureRandom.
 */
package io.vstp.testkit.qkd;
