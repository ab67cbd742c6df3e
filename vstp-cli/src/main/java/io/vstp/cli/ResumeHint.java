package io.vstp.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * While a put or get runs, Ctrl-C (SIGINT) or SIGTERM ends it with one line saying how to go on: the same command
 * again resumes from what the other side verified. Files that resume would not find (an unverified download's
 * staging copy) are removed on the way out; the partial file that resume continues from stays.
 */
final class ResumeHint implements AutoCloseable {
    private final Thread hook;

    private ResumeHint(Thread hook) {
        this.hook = hook;
    }

    /** {@link #install(PrintWriter, String, List)} for a transfer that resumes: "interrupted during WHAT; run…". */
    static ResumeHint install(PrintWriter err, String what, List<Path> removeOnExit) {
        return line(err, "interrupted during " + what + "; run the same command again to resume", removeOnExit);
    }

    /** Until {@link #close()}: on interruption, print {@code line} on {@code err} and delete {@code removeOnExit}. */
    static ResumeHint line(PrintWriter err, String line, List<Path> removeOnExit) {
        Thread hook = new Thread(
                () -> {
                    for (Path p : removeOnExit) {
                        try {
                            Files.deleteIfExists(p);
                        } catch (java.io.IOException e) {
                            // best effort on the way out
                        }
                    }
                    err.println();
                    err.println("vstp: " + line);
                    err.flush();
                },
                "vstp-resume-hint");
        Runtime.getRuntime().addShutdownHook(hook);
        return new ResumeHint(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs
        }
    }
}
