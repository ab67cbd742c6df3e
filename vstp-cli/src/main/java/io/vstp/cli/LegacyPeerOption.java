package io.vstp.cli;

import io.vstp.transport.VstpClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --legacy} of the commands a peer without sessions can answer (send, bench): the Rust crate's
 * {@code VstpTcpServer} never answers HELLO (docs/spec/session.md §6), so the client must either send none or notice
 * that its HELLO goes unanswered.
 */
final class LegacyPeerOption {
    /** How long a plaintext HELLO may go unanswered before the server is taken for a peer without sessions. */
    static final Duration DETECT_WAIT = Duration.ofSeconds(2);

    @Option(
            names = "--legacy",
            description = "The server is a peer without sessions, such as the Rust crate's "
                    + "VstpTcpServer (plaintext TCP, needs --plain): send no HELLO and speak wire v1. Without it, a "
                    + "plaintext "
                    + "client whose HELLO gets no answer within 2 s (or an answer that is not WELCOME) connects again "
                    + "this "
                    + "way by itself.")
    boolean always;

    @Option(
            names = "--no-legacy-detect",
            description = "With --plain, always wait for WELCOME: never take an "
                    + "unanswered HELLO for a peer without sessions.")
    boolean noDetect;

    /**
     * Applies the choice to a plaintext TCP client; {@code timeout} bounds the detection wait. A client with a
     * bearer token never falls back: its credentials travel in HELLO, and a peer without sessions would not get them.
     */
    VstpClient.Builder apply(VstpClient.Builder b, boolean plain, boolean udp, Duration timeout, boolean token) {
        if (always) {
            if (noDetect) {
                throw new CliException(ExitCodes.USAGE, "--legacy and --no-legacy-detect contradict each other");
            }
            if (!plain) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "--legacy needs --plain: a peer without sessions (the " + "Rust crate) has no TLS");
            }
            if (udp) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "--legacy is for TCP: over UDP there is no handshake, "
                                + "and a crate peer is served without it");
            }
            if (token) {
                throw new CliException(
                        ExitCodes.USAGE,
                        "--legacy sends no HELLO, so no token: a peer without "
                                + "sessions (the Rust crate) does not authenticate");
            }
            return b.legacyPeer(true);
        }
        Duration wait = timeout.compareTo(DETECT_WAIT) < 0 ? timeout : DETECT_WAIT;
        return plain && !noDetect && !token && !wait.isZero() && !wait.isNegative() ? b.detectLegacyPeer(wait) : b;
    }
}
