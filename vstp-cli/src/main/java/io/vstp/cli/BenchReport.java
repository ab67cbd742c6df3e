package io.vstp.cli;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The outcome of {@code vstp bench}, as a compact table for people or one JSON object for scripts. Latencies in
 * microseconds; throughput counts measured frames and their payload bytes in one direction (an echoed TCP/TLS
 * round trip carries the payload twice, but counts once).
 *
 * @param count     frames sent, warm-up included ({@code count = warmup + measured + errors})
 * @param warmup    frames completed during the warm-up, not in the latencies
 * @param measured  frames completed after the warm-up: the latencies and the throughput
 * @param errors    frames that failed (not in the latencies)
 * @param seconds   the measurement window: end of the warm-up to the last measured completion
 * @param baseline  with {@code --baseline}: the raw Netty run of the same workload, measured just before; else null
 */
record BenchReport(
        String transport,
        String target,
        boolean local,
        String tlsProtocol,
        String tlsCipher,
        int size,
        int concurrency,
        long count,
        long warmup,
        long measured,
        long errors,
        String firstError,
        double seconds,
        double p50,
        double p90,
        double p99,
        double p999,
        double max,
        double mean,
        double framesPerSecond,
        double bytesPerSecond,
        BenchReport baseline) {

    private static final double MIB = 1024.0 * 1024.0;

    static BenchReport of(
            String transport,
            String target,
            boolean local,
            String tlsProtocol,
            String tlsCipher,
            int size,
            int concurrency,
            BenchLoop.Result r) {
        Histogram h = r.latency();
        double seconds = r.measuredNanos() / 1e9;
        boolean any = r.measured() > 0;
        double fps = any && r.measuredNanos() > 0 ? r.measured() / seconds : 0;
        return new BenchReport(
                transport,
                target,
                local,
                tlsProtocol,
                tlsCipher,
                size,
                concurrency,
                r.sent(),
                r.warmup(),
                r.measured(),
                r.errors(),
                r.firstError(),
                seconds,
                micros(h, 50),
                micros(h, 90),
                micros(h, 99),
                micros(h, 99.9),
                any ? h.getMaxValue() / 1000.0 : 0,
                any ? h.getMean() / 1000.0 : 0,
                fps,
                fps * size,
                null);
    }

    /** This report with {@code base} as its baseline (the ratios divide this run's numbers by the baseline's). */
    BenchReport withBaseline(BenchReport base) {
        return new BenchReport(
                transport,
                target,
                local,
                tlsProtocol,
                tlsCipher,
                size,
                concurrency,
                count,
                warmup,
                measured,
                errors,
                firstError,
                seconds,
                p50,
                p90,
                p99,
                p999,
                max,
                mean,
                framesPerSecond,
                bytesPerSecond,
                base);
    }

    /** This run's frames/s divided by the baseline's: below 1 means slower than raw Netty. */
    double throughputRatio() {
        return ratio(framesPerSecond, baseline.framesPerSecond);
    }

    /** This run's p50 divided by the baseline's: above 1 means slower than raw Netty. */
    double p50Ratio() {
        return ratio(p50, baseline.p50);
    }

    /** This run's p99 divided by the baseline's: above 1 means slower than raw Netty. */
    double p99Ratio() {
        return ratio(p99, baseline.p99);
    }

    private static double ratio(double a, double b) {
        return b > 0 ? a / b : 0;
    }

    /** Frames that failed, in this run and the baseline. */
    long allErrors() {
        return errors + (baseline != null ? baseline.errors : 0);
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    double mibPerSecond() {
        return bytesPerSecond / MIB;
    }

    /** The table, one line per aspect, ending with a line separator. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-12s%s%n",
                "transport",
                transport
                        + (tlsProtocol != null
                                ? ", " + tlsProtocol + " " + tlsCipher
                                : transport.equals("netty")
                                        ? " (raw Netty echo, no VSTP, plaintext)"
                                        : " (plaintext)")));
        sb.append(String.format(Locale.ROOT, "%-12s%s%n", "server", target + (local ? " (local, in-process)" : "")));
        sb.append(String.format(
                Locale.ROOT,
                "%-12s%d sent = %d warm-up + %d measured + %d errors%n",
                "frames",
                count,
                warmup,
                measured,
                errors));
        sb.append(String.format(Locale.ROOT, "%-12s%s, %d in flight%n", "payload", bytes(size), concurrency));
        sb.append(String.format(
                Locale.ROOT,
                "%-12s%10s%10s%10s%10s%10s%10s%n",
                "latency us",
                "p50",
                "p90",
                "p99",
                "p99.9",
                "max",
                "mean"));
        sb.append(String.format(
                Locale.ROOT, "%-12s%10.1f%10.1f%10.1f%10.1f%10.1f%10.1f%n", "", p50, p90, p99, p999, max, mean));
        sb.append(String.format(
                Locale.ROOT,
                "%-12s%.0f frames/s, %.2f MiB/s of payload, over %.3f s%n",
                "throughput",
                framesPerSecond,
                mibPerSecond(),
                seconds));
        if (firstError != null) {
            sb.append(String.format(Locale.ROOT, "%-12s%s%n", "first error", firstError));
        }
        if (baseline != null) {
            sb.append(String.format(Locale.ROOT, "%nbaseline: raw Netty echo, same workload, measured first%n"));
            sb.append(baseline.table());
            sb.append(String.format(
                    Locale.ROOT,
                    "%n%-12s%s vs netty: frames/s %.3fx, p50 %.3fx, p99 %.3fx%n",
                    "ratio",
                    transport,
                    throughputRatio(),
                    p50Ratio(),
                    p99Ratio()));
        }
        return sb.toString();
    }

    private static String bytes(int n) {
        if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + " MiB";
        }
        if (n >= 1024 && n % 1024 == 0) {
            return n / 1024 + " KiB";
        }
        return n + " bytes";
    }

    /** One JSON object on one line (no trailing newline); field names in docs/guide/cli.md, section bench. */
    String json() {
        StringBuilder sb = new StringBuilder(512).append('{');
        field(sb, "transport", transport);
        field(sb, "target", target);
        raw(sb, "local", Boolean.toString(local));
        field(sb, "tls_protocol", tlsProtocol);
        field(sb, "tls_cipher", tlsCipher);
        raw(sb, "size", Integer.toString(size));
        raw(sb, "concurrency", Integer.toString(concurrency));
        raw(sb, "count", Long.toString(count));
        raw(sb, "warmup", Long.toString(warmup));
        raw(sb, "measured", Long.toString(measured));
        raw(sb, "errors", Long.toString(errors));
        field(sb, "first_error", firstError);
        raw(sb, "seconds", number(seconds, 6));
        sb.append("\"latency_us\":{");
        raw(sb, "p50", number(p50, 1));
        raw(sb, "p90", number(p90, 1));
        raw(sb, "p99", number(p99, 1));
        raw(sb, "p99_9", number(p999, 1));
        raw(sb, "max", number(max, 1));
        raw(sb, "mean", number(mean, 1));
        sb.setLength(sb.length() - 1);
        sb.append("},");
        raw(sb, "frames_per_second", number(framesPerSecond, 1));
        raw(sb, "bytes_per_second", number(bytesPerSecond, 0));
        raw(sb, "mib_per_second", number(mibPerSecond(), 3));
        if (baseline != null) {
            raw(sb, "baseline", baseline.json());
            sb.append("\"ratio\":{");
            raw(sb, "frames_per_second", number(throughputRatio(), 3));
            raw(sb, "p50", number(p50Ratio(), 3));
            raw(sb, "p99", number(p99Ratio(), 3));
            sb.setLength(sb.length() - 1);
            sb.append("},");
        }
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        raw(sb, name, value == null ? "null" : Json.quote(value));
    }

    private static void raw(StringBuilder sb, String name, String value) {
        sb.append(Json.quote(name)).append(':').append(value).append(',');
    }

    private static String number(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "0";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
