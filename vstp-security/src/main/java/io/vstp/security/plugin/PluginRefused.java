package io.vstp.security.plugin;

/** Refusal of a jar or provider, with the reason a person can act on. */
final class PluginRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean clash;

    PluginRefused(String message) {
        this(message, null, false);
    }

    PluginRefused(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** {@code clash}: refused only because another jar or the class path has the name, so worth retrying later. */
    PluginRefused(String message, Throwable cause, boolean clash) {
        // No stack trace of its own: the cause's is the one that helps, and the reason is what a person reads.
        super(message, cause, false, false);
        this.clash = clash;
    }

    boolean clash() {
        return clash;
    }

    /** The message chain of a failure, class names included: {@code ServiceConfigurationError: ...: caused by ...}. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable cur = t;
        for (int depth = 0; cur != null && depth < 5; depth++) {
            if (depth > 0) {
                sb.append("; caused by ");
            }
            sb.append(cur.getClass().getSimpleName());
            if (cur.getMessage() != null) {
                sb.append(": ").append(cur.getMessage());
            }
            if (cur.getCause() == cur) {
                break;
            }
            cur = cur.getCause();
        }
        return sb.toString();
    }
}
