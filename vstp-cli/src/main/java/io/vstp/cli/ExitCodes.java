package io.vstp.cli;

/**
 * The exit status of every {@code vstp} command (docs/guide/cli.md). Scripts may rely on these numbers; they are
 * never renumbered.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The operation ran and failed: a remote ERR, a checksum mismatch, a malformed frame in {@code inspect}. */
    public static final int FAILED = 1;
    /** Bad command line: unknown option, missing or malformed argument (picocli's usage error). */
    public static final int USAGE = 2;
    /** The server could not be reached, or the connection broke. */
    public static final int UNREACHABLE = 3;
    /** Trust refused: TLS/DTLS (unknown or changed certificate, expired, pin mismatch), a bad or mismatched
     * signature, an end-to-end encrypted file that was altered or truncated. */
    public static final int TRUST = 4;
    /** A local file problem: missing input, unwritable output, refused path. */
    public static final int IO = 5;
    /** The server refused the credentials or the permission (UNAUTHENTICATED, PERMISSION_DENIED), or an
     * end-to-end encrypted file is for none of our keys. */
    public static final int DENIED = 6;
    /** Interrupted (Ctrl-C). */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
