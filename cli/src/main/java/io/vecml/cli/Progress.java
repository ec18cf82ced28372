package io.vecml.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most twice a second; silent unless enabled
 * (the CLI enables it when stderr is a terminal, or with --progress always).
 */
final class Progress {

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    Progress(PrintWriter err, boolean enabled, String label, long total) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.total = total;
    }

    /** Whether a progress bar should be shown: "always", "never", or "auto" (stderr is a terminal). */
    static boolean enabled(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.console().isTerminal();
            default -> throw new IllegalArgumentException("--progress must be auto, always or never, got '" + mode + "'");
        };
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (drawn && now - lastDraw < 500_000_000L && done < total) {
            return;
        }
        lastDraw = now;
        drawn = true;
        double secs = (now - start) / 1e9;
        double frac = total == 0 ? 1 : (double) done / total;
        int width = 30;
        int full = (int) Math.round(frac * width);
        String eta = done == 0 ? "?" : String.format(Locale.ROOT, "%.0f s", secs / done * (total - done));
        err.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %d/%d  %.1f s, eta %s   ", label, "#".repeat(full),
                "-".repeat(width - full), frac * 100, done, total, secs, eta);
        err.flush();
    }

    void finish() {
        if (enabled && drawn) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
    }
}
