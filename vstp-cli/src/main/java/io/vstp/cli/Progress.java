package io.vstp.cli;

import java.io.PrintWriter;

/** A one-line progress bar with rate and ETA, drawn only when stdout is a terminal (silent otherwise). */
final class Progress implements io.vstp.services.files.TransferProgress {
    private final PrintWriter out;
    private final boolean enabled;
    /** The folder's bar that this one file's progress moves, or null for a bar of its own. */
    private final Progress whole;
    /** With {@link #whole}: the bytes of the folder's files before this one. */
    private final long before;

    private long total;
    private long startNanos = System.nanoTime();
    private long startBytes;
    private long lastDraw;
    private String note = "";

    Progress(PrintWriter out, long total, long alreadyDone, boolean enabled) {
        this.out = out;
        this.total = total;
        this.startBytes = alreadyDone;
        this.enabled = enabled;
        this.whole = null;
        this.before = 0;
    }

    private Progress(Progress whole, long before) {
        this.out = whole.out;
        this.enabled = false;
        this.whole = whole;
        this.before = before;
    }

    /**
     * The progress of one file of a folder, drawn on this one bar: the file's bytes count after the {@code before}
     * bytes of the files ahead of it, and bytes it already had (resumed, or already there) do not count as speed.
     */
    Progress part(long before) {
        return new Progress(this, before);
    }

    /** Words after the bar, such as "3/12 files". */
    void note(String note) {
        this.note = note;
    }

    /** (Re)starts the bar once the size is known: {@code done} bytes were there before this run. */
    @Override
    public void start(long total, long done) {
        if (whole != null) {
            whole.startBytes += done;
            whole.update(before + done);
            return;
        }
        this.total = total;
        this.startBytes = done;
        this.startNanos = System.nanoTime();
    }

    /** A progress that draws nothing, for small side transfers such as signatures. */
    static Progress silent() {
        return new Progress(new PrintWriter(java.io.Writer.nullWriter()), 0, 0, false);
    }

    static boolean terminal() {
        return System.console() != null;
    }

    @Override
    public void update(long done) {
        if (whole != null) {
            whole.update(before + done);
            return;
        }
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = (done - startBytes) / seconds;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        String eta = rate > 0 ? formatSeconds((total - done) / rate) : "?";
        out.printf(
                "\r[%s%s] %3d%% %s/%s %s/s ETA %s %s",
                "#".repeat(filled),
                " ".repeat(width - filled),
                total == 0 ? 100 : done * 100 / total,
                bytes(done),
                bytes(total),
                bytes((long) rate),
                eta,
                note);
        out.flush();
    }

    @Override
    public void finish() {
        if (enabled && whole == null) {
            out.println();
        }
    }

    static String bytes(long n) {
        return io.vstp.services.files.internal.ByteSizes.format(n);
    }

    private static String formatSeconds(double s) {
        long t = (long) Math.ceil(s);
        return t >= 3600
                ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }
}
