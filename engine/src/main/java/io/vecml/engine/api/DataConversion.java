package io.vecml.engine.api;

import io.vecml.engine.data.AtomicWrite;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.data.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Converts a loaded dataset to the files numpy reads, reporting the rows written to the run's progress. */
public final class DataConversion {

    private DataConversion() {
    }

    /** The files {@link #toNpy} may write into its folder. */
    public static final List<String> NPY_FILES = List.of("x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy",
            "class_names.txt");

    /**
     * Writes {@code x_SPLIT.npy} (features as {@link Npy#write(Path, Dataset)}) and {@code y_SPLIT.npy}
     * (int64 labels) for every split, then {@code class_names.txt} (one name a line), each atomically,
     * into the existing folder {@code out}. Progress: stage {@code "convert SPLIT"}, rows written.
     *
     * @return the names of the files written, in order
     */
    public static List<String> toNpy(LoadedData data, Path out, RunOptions run) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(run, "run");
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, Dataset> e : data.splits().entrySet()) {
            Dataset d = e.getValue();
            String stage = "convert " + e.getKey();
            Path x = out.resolve("x_" + e.getKey() + ".npy");
            Path y = out.resolve("y_" + e.getKey() + ".npy");
            if (d.rows() > 0) {
                run.progress().update(stage, 0, d.rows());
            }
            Npy.write(x, d, rows -> run.progress().update(stage, rows, d.rows()));
            Npy.writeLabels(y, d.labels());
            written.add(x.getFileName().toString());
            written.add(y.getFileName().toString());
        }
        Path names = out.resolve("class_names.txt");
        List<String> classNames = data.train().classNames();
        AtomicWrite.write(names, os -> {
            StringBuilder b = new StringBuilder();
            for (String n : classNames) {
                b.append(n).append('\n');
            }
            os.write(b.toString().getBytes(StandardCharsets.UTF_8));
        });
        written.add(names.getFileName().toString());
        return written;
    }
}
