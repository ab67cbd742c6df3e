package io.vstp.core.internal;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The failure inside the wrappers that futures put around it. */
public final class Failures {
    private Failures() {}

    /**
     * The first cause of {@code error} that is not a {@link CompletionException} or {@link ExecutionException}
     * wrapper; {@code error} itself when it is none or wraps nothing. What a caller reports and what decides an error
     * code, since where a failure happened (in a stage, behind {@code get()}) is not what failed.
     */
    public static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The code a failed request reports to its peer: the failure's own when it says, HANDLER_ERROR otherwise. */
    public static ErrorCode code(Throwable error) {
        return cause(error) instanceof VstpException ve ? ve.code() : ErrorCode.HANDLER_ERROR;
    }

    /**
     * What the peer learns of a failed request: a VSTP error's own detail; of any other failure only its class, since
     * its message may hold application data (paths, keys, contents).
     */
    public static String detail(Throwable error) {
        Throwable c = cause(error);
        return c instanceof VstpException ve
                ? ve.detail()
                : "handler failed: " + c.getClass().getSimpleName();
    }
}
