package io.vstp.security.plugin;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where refused jars and providers are reported: the log (with the cause), the {@code onError} listeners, and the
 * latest {@value #MAX_ERRORS} kept for {@link PluginRegistry#errors()}. Kept as strings, never the exception: an
 * exception thrown by plugin code would keep the refused jar's class loader alive.
 */
final class RefusalLog {
    /** Enough to see what went wrong across a few reloads; every refusal is logged anyway. */
    static final int MAX_ERRORS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class.getPackageName());

    private final List<Consumer<PluginError>> listeners;
    private final Clock clock;
    private final Deque<PluginError> errors = new ArrayDeque<>();

    RefusalLog(List<Consumer<PluginError>> listeners, Clock clock) {
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
    }

    /** Records, logs and reports a refusal; a listener that throws does not keep the others from hearing of it. */
    void refuse(String source, String reason, Throwable cause) {
        PluginError error = new PluginError(source, reason, clock.instant());
        synchronized (errors) {
            errors.addLast(error);
            while (errors.size() > MAX_ERRORS) {
                errors.removeFirst();
            }
        }
        LOG.error("plugin refused: {}", error.message(), cause);
        for (Consumer<PluginError> listener : listeners) {
            try {
                listener.accept(error);
            } catch (RuntimeException e) {
                LOG.warn("plugin error listener failed: {}", e, e);
            }
        }
    }

    /** The kept refusals, oldest first. */
    List<PluginError> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }
}
