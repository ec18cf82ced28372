package io.vecml.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecml.cli.Main;
import io.vecml.engine.data.Npy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line as {@link ParityTest} (and the grid comparisons) call it, in one place: when options are
 * renamed (e.g. {@code --seed} to {@code --split-seed} on knn/template, {@code --seed} to {@code --train-seed} and
 * {@code --preprocess} to {@code --standardize} on linear train, or a {@code vecml predict --model} command
 * appears), only this class changes. Runs {@link Main} in-process on {@code embedded:digits} with the
 * 0.2 holdout of seed 42 and one thread.
 */
final class CliFace {

    /** What one command-line run gave: predictions and scores (probabilities) when the command writes them. */
    record Outcome(int[] predictions, double accuracy, double balancedAccuracy, double[] probabilities) {
    }

    /** grid/cv: the seed that shuffles the folds (the vocabulary's {@code --cv-seed}). */
    static final String GRID_CV_SEED = "--cv-seed";
    /** grid/cv: the first N training rows (the vocabulary's {@code --train-limit}). */
    static final String GRID_TRAIN_LIMIT = "--train-limit";
    /** grid/cv: z-scores fitted on each training fold (the vocabulary's {@code --standardize train}). */
    static final String GRID_STANDARDIZE_TRAIN = "train";

    private final Path dir;

    CliFace(Path dir) {
        this.dir = dir;
    }

    /** The holdout every face uses: 20 % of embedded:digits, seed 42. */
    private static List<String> holdout(String seedOption) {
        return List.of("--data", "embedded:digits", "--test-fraction", "0.2", seedOption, "42", "--threads", "1");
    }

    /** {@code standardize}: none or train, as {@code --standardize}. */
    Outcome knn(String metric, int k, String weights, String standardize) throws Exception {
        Path pred = dir.resolve("knn-" + metric + "-" + k + "-" + weights + "-" + standardize + ".npy");
        List<String> a = new ArrayList<>(List.of("knn"));
        a.addAll(holdout("--split-seed"));
        a.addAll(List.of("--metric", metric, "--k", Integer.toString(k), "--weights", weights, "--standardize",
                standardize, "--json", "--predictions", pred.toString()));
        JsonNode r = json(a).get("results").get(0);
        return new Outcome(ints(pred), r.get("accuracy").asDouble(), r.get("balancedAccuracy").asDouble(), null);
    }

    /** vecml template writes no per-row predictions (yet): its scores only. */
    Outcome template(String metric, String standardize) throws Exception {
        List<String> a = new ArrayList<>(List.of("template"));
        a.addAll(holdout("--split-seed"));
        a.addAll(List.of("--metric", metric, "--center", "mean", "--standardize", standardize, "--json"));
        JsonNode r = json(a).get("results").get(0);
        return new Outcome(null, r.get("accuracy").asDouble(), r.get("balancedAccuracy").asDouble(), null);
    }

    /**
     * {@code linear train} (z-scores of the training rows, L2 penalty) then {@code linear predict} on the same
     * holdout's test rows; probabilities for a softmax model.
     */
    Outcome linear(String loss, double lr, int epochs, int batch, double lambda, long trainSeed) throws Exception {
        Path model = dir.resolve("linear-" + loss + ".vecml");
        List<String> a = new ArrayList<>(List.of("linear", "train"));
        a.addAll(holdout("--split-seed"));
        a.addAll(List.of("--loss", loss, "--lr", num(lr), "--epochs", Integer.toString(epochs), "--batch",
                Integer.toString(batch), "--reg", "l2", "--lambda", num(lambda), "--train-seed", Long.toString(trainSeed),
                "--standardize", "train", "--model", model.toString(), "--json"));
        JsonNode t = json(a);
        Path pred = dir.resolve("linear-" + loss + "-pred.npy");
        Path probs = dir.resolve("linear-" + loss + "-probs.npy");
        boolean softmax = loss.equals("softmax");
        List<String> p = new ArrayList<>(List.of("linear", "predict", "--model", model.toString(), "--data",
                "embedded:digits", "--test-fraction", "0.2", "--split-seed", "42", "--threads", "1", "--out",
                pred.toString()));
        if (softmax) {
            p.addAll(List.of("--probabilities", probs.toString()));
        }
        run(p);
        return new Outcome(ints(pred), t.get("testAccuracy").asDouble(), t.get("testBalancedAccuracy").asDouble(),
                softmax ? doubles(probs) : null);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    private static JsonNode json(List<String> args) throws Exception {
        return ServeClient.JSON.readTree(run(args));
    }

    /** Runs the command; its standard output, or a failure with its error output. */
    static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
        if (code != 0) {
            throw new AssertionError("vecml " + String.join(" ", args) + " exited " + code + ": " + err);
        }
        return out.toString();
    }

    private static int[] ints(Path npy) throws Exception {
        try (Npy.NpyArray a = Npy.read(npy)) {
            int[] v = new int[(int) a.count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (int) a.getLong(i);
            }
            return v;
        }
    }

    private static double[] doubles(Path npy) throws Exception {
        try (Npy.NpyArray a = Npy.read(npy)) {
            double[] v = new double[(int) a.count()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.getDouble(i);
            }
            return v;
        }
    }
}
