package io.vecml.cli;

import io.vecml.engine.data.Datasets;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;

/** Loading and progress for the experiment commands (grid, cv, linear): no logic, only the command line's side. */
final class ExperimentIo {

    private ExperimentIo() {
    }

    /** Loads {@code path} with the source options, printing the loader's warnings under the command's name. */
    static LoadedData load(String path, DataSourceOptions source) throws IOException {
        LoadedData d = Datasets.load(path, source.toLoadOptions());
        source.warn(d.warnings());
        return d;
    }

    /** Clears a progress bar left on stderr (before the results are printed). */
    static void finish(ProgressListener p) {
        if (p instanceof ProgressOptions.Bars b) {
            b.finish();
        }
    }
}
