package io.vstp.transport.tls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log lines this package writes while the capture is open (SLF4J goes to java.util.logging in the tests, through
 * slf4j-jdk14), so that a test can check what an operator reads in the log: warnings about skipped or replaced files.
 */
final class CapturedLog implements AutoCloseable {
    /** Held strongly: java.util.logging keeps loggers only weakly, and a collected one loses the handler. */
    private final Logger logger = Logger.getLogger(CapturedLog.class.getPackageName());

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    CapturedLog() {
        logger.addHandler(handler);
    }

    /** The messages logged at WARNING or above, oldest first. */
    List<String> warnings() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecord::getMessage)
                .toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
