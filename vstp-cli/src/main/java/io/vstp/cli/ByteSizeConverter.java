package io.vstp.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Sizes as people write them: {@code 64}, {@code 64B}, {@code 16KiB} ({@code 16K}), {@code 1MiB}, {@code 10GiB}. */
final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parse(value, Long.MAX_VALUE);
    }

    /** The size {@code value} names, at most {@code max}; a clear error otherwise. */
    static long parse(String value, long max) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {
            {"kib", "1024"},
            {"mib", "1048576"},
            {"gib", "1073741824"},
            {"tib", "1099511627776"},
            {"k", "1024"},
            {"m", "1048576"},
            {"g", "1073741824"},
            {"t", "1099511627776"},
            {"b", "1"}
        }) {
            if (v.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                v = v.substring(0, v.length() - suffix[0].length()).trim();
                break;
            }
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            bytes = -1;
        }
        if (bytes < 0 || bytes > max) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size of 0.." + max + " bytes (e.g. 64, 16KiB, 1MiB, 10GiB)");
        }
        return bytes;
    }
}
