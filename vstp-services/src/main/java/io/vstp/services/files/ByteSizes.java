package io.vstp.services.files;

/** Byte counts in the words of the {@code vstp} command's progress lines ("16.0 GiB"), for the server's answers. */
final class ByteSizes {
    private ByteSizes() {
    }

    /** {@code n} bytes as "512 B", "1.5 KiB", "16.0 GiB". */
    static String format(long n) {
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
