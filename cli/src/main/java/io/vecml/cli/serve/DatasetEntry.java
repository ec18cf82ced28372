package io.vecml.cli.serve;

import io.vecml.engine.data.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A dataset held by the server: a training split and, maybe, a test split (an upload may get its test
 * split later, once: the field only ever goes from null to a dataset). Freed when deleted and unused.
 */
final class DatasetEntry extends Shared {

    final String name;
    final String source;
    final String format;
    /** "path", "embedded" or "upload". */
    final String origin;
    final Dataset train;
    final double loadSeconds;
    private volatile Dataset test;

    DatasetEntry(String name, String source, String format, String origin, Dataset train, Dataset test,
            double loadSeconds) {
        this.name = name;
        this.source = source;
        this.format = format;
        this.origin = origin;
        this.train = train;
        this.test = test;
        this.loadSeconds = loadSeconds;
    }

    Dataset test() {
        return test;
    }

    /** Sets the test split of an upload that has none yet. */
    synchronized void attachTest(Dataset t) {
        if (test != null) {
            throw ApiException.conflict("dataset '" + name + "' already has a test split");
        }
        test = t;
    }

    /** "train" or "test"; 400 for another name, 404 when the dataset has no test split. */
    Dataset split(String split, String field) {
        return switch (split.strip().toLowerCase(Locale.ROOT)) {
            case "train" -> train;
            case "test" -> {
                Dataset t = test;
                if (t == null) {
                    throw ApiException.notFound("dataset '" + name + "' has no test split (load it with \"holdout\":"
                            + " 0.2 to hold some training rows out, or upload ?split=test)");
                }
                yield t;
            }
            default -> throw ApiException.badRequest("field '" + field + "' must be train or test, got '" + split + "'");
        };
    }

    Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("source", source);
        m.put("format", format);
        m.put("origin", origin);
        Map<String, Integer> rows = new LinkedHashMap<>();
        rows.put("train", train.rows());
        Dataset t = test;
        if (t != null) {
            rows.put("test", t.rows());
        }
        m.put("rows", rows);
        m.put("dims", train.dims());
        m.put("type", train.type().name().toLowerCase(Locale.ROOT));
        m.put("classes", train.numClasses());
        m.put("classNames", classNames());
        m.put("imageShape", train.imageShape().map(Object::toString).orElse(null));
        m.put("loadSeconds", loadSeconds);
        return m;
    }

    List<String> classNames() {
        return train.classNames();
    }

    @Override
    protected void free() {
        train.close();
        Dataset t = test;
        if (t != null) {
            t.close();
        }
    }
}
