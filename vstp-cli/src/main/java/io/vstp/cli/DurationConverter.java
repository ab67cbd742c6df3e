package io.vstp.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Durations as people write them: {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h} (or ISO-8601). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return io.vstp.transport.internal.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
