package io.vecml.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecml.engine.data.Npy;
import io.vecml.engine.data.SplitRng;
import io.vecml.engine.data.Splits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The split options of every command that holds out rows: which random stream makes a seeded holdout
 * (vecml's own, the default, or scikit-learn's), or an explicit split file. Also reads folds files.
 */
final class SplitOptions {

    @Option(names = "--split-rng", defaultValue = "vecml", paramLabel = "RNG",
            description = {"Stream of seeded holdouts and shuffled folds: vecml (default; results as before) or "
                + "sklearn (numpy's RandomState with scikit-learn's train_test_split / KFold / StratifiedKFold "
                + "semantics: the same rows as random_state=SEED in a notebook). Default: ${DEFAULT-VALUE}."})
    String splitRng;

    @Option(names = "--split-file", paramLabel = "FILE",
            description = {"Explicit holdout instead of a seeded one: JSON {\"train\":[...],\"test\":[...]} "
                + "({\"test\"} alone, or a bare list: test rows, the others train), or a .npy of test row indices."})
    Path splitFile;

    SplitRng rng() {
        return SplitRng.parse(splitRng, "--split-rng");
    }

    /** The holdout of {@code n} rows: the split file when given, else the seeded holdout of the chosen stream. */
    Splits.Holdout holdout(int n, double testFraction, long seed) throws IOException {
        SplitRng r = rng();
        return splitFile != null ? readSplit(splitFile, n) : r.holdout(n, testFraction, seed);
    }

    /** "held out 20%, seed 42" (+ ", sklearn stream"), or "split file F". */
    String describe(double testFraction, long seed) {
        if (splitFile != null) {
            return "split file " + splitFile;
        }
        return String.format(Locale.ROOT, "held out %.0f%%, seed %d%s", testFraction * 100, seed,
                rng() == SplitRng.SKLEARN ? ", sklearn stream" : "");
    }

    // ---- files ---------------------------------------------------------------------------------

    /** Made on first use: a split or folds file is rare, and Jackson's set-up costs every run ~0.1 s. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** Reads and checks a split file for {@code n} rows (errors name the file and the entry). */
    static Splits.Holdout readSplit(Path file, int n) throws IOException {
        checkFile(file, "--split-file");
        String what = file.toString();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            try (Npy.NpyArray a = Npy.read(file)) {
                if (a.rank() != 1 || !a.dtype().isInteger()) {
                    throw new IllegalArgumentException(what + ": expected a 1-D integer array of test row indices, found "
                            + a.dtype() + " of shape " + java.util.Arrays.toString(a.shape()));
                }
                int[] test = new int[(int) a.count()];
                for (int i = 0; i < test.length; i++) {
                    long v = a.getLong(i);
                    if (v < 0 || v >= n) {
                        throw new IllegalArgumentException(what + ": test[" + i + "] = " + v + " is outside 0.." + (n - 1)
                                + " (the data has " + n + " rows)");
                    }
                    test[i] = (int) v;
                }
                return Splits.explicit(null, test, n, what);
            }
        }
        JsonNode root = readJson(file);
        if (root.isArray()) {
            return Splits.explicit(null, indices(root, what + ": test"), n, what);
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(what + ": expected {\"train\": [...], \"test\": [...]} or a list of test"
                    + " row indices");
        }
        checkFields(root, what);
        if (!root.has("test")) {
            throw new IllegalArgumentException(what + ": missing field \"test\" (the test row indices)");
        }
        int[] test = indices(root.get("test"), what + ": test");
        int[] train = root.has("train") ? indices(root.get("train"), what + ": train") : null;
        return Splits.explicit(train, test, n, what);
    }

    /**
     * Reads and checks a folds file for {@code n} rows: a JSON list whose entries are {"train":[...],"test":[...]}
     * (train optional: the other rows) or bare lists of test rows.
     */
    static List<Splits.Fold> readFolds(Path file, int n) throws IOException {
        checkFile(file, "--folds-file");
        String what = file.toString();
        JsonNode root = readJson(file);
        if (!root.isArray()) {
            throw new IllegalArgumentException(what + ": expected a JSON list of folds, each {\"train\": [...], \"test\":"
                    + " [...]} or a list of test row indices");
        }
        if (root.size() < 2) {
            throw new IllegalArgumentException(what + ": cross-validation needs at least 2 folds, the file has "
                    + root.size());
        }
        List<Splits.Fold> out = new ArrayList<>();
        for (int f = 0; f < root.size(); f++) {
            JsonNode e = root.get(f);
            String at = what + ": fold " + f;
            Splits.Holdout h;
            if (e.isArray()) {
                h = Splits.explicit(null, indices(e, at + ": test"), n, at);
            } else if (e.isObject()) {
                checkFields(e, at);
                if (!e.has("test")) {
                    throw new IllegalArgumentException(at + ": missing field \"test\"");
                }
                int[] test = indices(e.get("test"), at + ": test");
                int[] train = e.has("train") ? indices(e.get("train"), at + ": train") : null;
                h = Splits.explicit(train, test, n, at);
            } else {
                throw new IllegalArgumentException(at + ": expected {\"train\": [...], \"test\": [...]} or a list of test"
                        + " row indices, found " + e.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            out.add(new Splits.Fold(h.train(), h.test()));
        }
        return out;
    }

    private static void checkFile(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": no such file: " + file);
        }
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            JsonNode n = Mapper.MAPPER.readTree(file.toFile());
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException(file + ": the file is empty; expected JSON");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"), e);
        }
    }

    private static void checkFields(JsonNode obj, String what) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!f.equals("train") && !f.equals("test")) {
                throw new IllegalArgumentException(what + ": unknown field \"" + f + "\" (expected \"train\" and \"test\")");
            }
        }
    }

    private static int[] indices(JsonNode list, String what) {
        if (!list.isArray()) {
            throw new IllegalArgumentException(what + ": expected a list of row indices, found "
                    + list.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = list.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(what + "[" + i + "]: expected a row index (an integer), found " + v);
            }
            out[i] = v.intValue();
        }
        return out;
    }
}
