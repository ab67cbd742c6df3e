package io.vstp.services.files.internal;

/** Byte counts as people read them ("16.0 GiB"): in the server's answers and the {@code vstp} command's lines. */
public final class ByteSizes {
    private ByteSizes() {}

    /** {@code n} bytes as "512 B", "1.5 KiB", "16.0 GiB". */
    public static String format(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
