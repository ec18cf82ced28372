package io.vecml.engine.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a reader returns: the training split and, when the source has one, the test split.
 *
 * @param format the format that was read (a {@link DataFormat} name)
 * @param source the path as given
 * @param train  the training rows (for single-split sources such as CSV: all rows)
 * @param test   the test rows, or null when the source has no test split
 */
public record LoadedData(DataFormat format, String source, Dataset train, Dataset test) implements AutoCloseable {

    public LoadedData {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(train, "train");
        // Every reader returns through here (the CLI, the server's paths and uploads), so data without
        // features is refused once, naming the source, before any model sees it.
        try {
            DataChecks.requireFeatures(train, source + (test == null ? "" : " (training split)"));
            if (test != null) {
                DataChecks.requireFeatures(test, source + " (test split)");
            }
        } catch (IllegalArgumentException e) {
            train.close();
            if (test != null) {
                test.close();
            }
            throw e;
        }
    }

    /** Warnings about the labels (classes without rows); empty when there is nothing to say. */
    public java.util.List<String> warnings() {
        return DataChecks.labelWarnings(source, train, test);
    }

    public boolean hasTest() {
        return test != null;
    }

    /** The splits by name ("train", then "test" if present). */
    public Map<String, Dataset> splits() {
        Map<String, Dataset> m = new LinkedHashMap<>();
        m.put("train", train);
        if (test != null) {
            m.put("test", test);
        }
        return m;
    }

    @Override
    public void close() {
        train.close();
        if (test != null) {
            test.close();
        }
    }
}
