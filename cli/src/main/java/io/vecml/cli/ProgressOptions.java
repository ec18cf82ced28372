package io.vecml.cli;

import io.vecml.engine.progress.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --progress auto|always|never}, the same on every long command: a one-line bar on stderr, shown
 * when stderr is a terminal (auto) or always; never mixed into stdout, so {@code --json} output stays clean.
 */
final class ProgressOptions {

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "WHEN",
            description = "Progress bar on stderr: auto (when stderr is a terminal), always, never. It never goes to"
                    + " stdout, so --json output is unaffected. Default: ${DEFAULT-VALUE}.")
    String progress = "auto";

    /** Whether to draw (checks the value: a bad one is a usage error). */
    boolean enabled() {
        return Progress.enabled(progress);
    }

    /**
     * A listener for the engine that draws one bar per stage on {@code err} (thread-safe: engine workers
     * may report at once), or {@link ProgressListener#NONE} when progress is off.
     */
    ProgressListener listener(PrintWriter err) {
        if (!enabled()) {
            return ProgressListener.NONE;
        }
        return new Bars(err);
    }

    /** One {@link Progress} per stage; a new stage name finishes the previous bar. */
    static final class Bars implements ProgressListener {
        private final PrintWriter err;
        private String stage;
        private Progress bar;

        Bars(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void update(String stage, long done, long total) {
            if (bar == null || !stage.equals(this.stage)) {
                if (bar != null) {
                    bar.finish();
                }
                this.stage = stage;
                bar = new Progress(err, true, stage, total);
            }
            bar.update(done);
            if (done >= total) {
                bar.finish();
                bar = null;
                this.stage = null;
            }
        }

        /** Clears a bar left unfinished (call before printing results). */
        synchronized void finish() {
            if (bar != null) {
                bar.finish();
                bar = null;
                stage = null;
            }
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "--progress %s", progress);
    }
}
