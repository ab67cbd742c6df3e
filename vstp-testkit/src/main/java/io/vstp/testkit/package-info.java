/**
 * What the tests of several modules share: {@link io.vstp.testkit.TestPki}, certificates made in code, and
 * {@link io.vstp.testkit.ScriptedPeer}, a frame-level peer on a real socket whose script reads like the
 * conversation. Not here: the transport contract suite and the lossy datagram link, which need vstp-transport and
 * so live in its test tree (decision 012).
 */
package io.vstp.testkit;
