package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.api.RunOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vecml lecture}: the lecture notebook's recipes on the data shipped inside vecml, each number beside
 * what scikit-learn/numpy give for the same recipe (lecture-reference.json, written by scikit-learn through
 * the generator script; see its "writtenBy").
 */
@Command(name = "lecture", mixinStandardHelpOptions = true,
        description = {"The lecture's recipes, each number beside scikit-learn's for the same recipe.",
            "",
            "The lecture's recipes as its notebook runs them, on the data shipped inside vecml, each "
            + "number printed beside scikit-learn's/numpy's for the same recipe; exit code 1 if any differs.",
            "",
            "iris: train_test_split(test_size=0.2, random_state=42), StandardScaler fitted on the training rows, "
            + "GridSearchCV(KNeighborsClassifier, k 1..30 x {euclidean, manhattan}, cv=KFold(3, shuffle=True, "
            + "random_state=42)): the split and fold indices, every candidate's mean, std and rank, the best "
            + "parameters, CV score and test accuracy. Student scores: LinearRegression with the same split "
            + "(intercept, coefficient, MAE, MSE, RMSE, prediction for 9.25 hours). The SVM loss of the three-class "
            + "example and the stable softmax of [123, 456, 789].",
            "",
            "Indices, parameters and ranks must be equal; numbers agree within 1e-9 relative (1e-12 absolute "
            + "near zero): vecml computes these in double, as numpy; the iris features are float32 in vecml."})
final class LectureCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all processors; results do not depend on it).")
    Integer threads;

    @Option(names = "--data", paramLabel = "PATH", description = "Also run the lecture's image sections (kNN with L1"
            + " and L2, the template classifier, the SVM and softmax linear classifiers) on this dataset with a test"
            + " split, e.g. cifar-10-python.tar.gz; these have no reference numbers (your data).")
    String data;

    @Mixin
    RowLimits rows;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--k", paramLabel = "K", defaultValue = "1,5,10",
            description = "With --data: the kNN neighbour counts (1,3,5; 1..30; 1..30:2). Default: ${DEFAULT-VALUE}.")
    String ks;

    record Report(String reference, double relativeTolerance, List<LectureChecks.Check> checks, int differing, boolean allEqual,
            String data, List<LectureImages.DataResult> dataResults) {
    }

    @Override
    public Integer call() throws IOException {
        int nThreads = Parse.threads(threads, "--threads");
        int[] kList = Parse.ks(ks, "--k");
        rows.validate();
        if (data == null && (rows.limit != null || rows.trainLimit != null)) {
            throw new IllegalArgumentException("--limit and --train-limit go with --data");
        }
        PrintWriter err = spec.commandLine().getErr();
        RunOptions run = new RunOptions(nThreads, progress.listener(err));
        List<LectureChecks.Check> checks = new ArrayList<>();
        String writtenBy = LectureChecks.all(checks, nThreads);
        int differing = (int) checks.stream().filter(c -> !c.equal()).count();
        List<LectureImages.DataResult> results = data == null ? List.of()
                : LectureImages.run(data, kList, run, rows.limit, rows.trainLimit);
        Report r = new Report(writtenBy, LectureChecks.REL, checks, differing, differing == 0, data, results);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(r));
        } else {
            print(out, r);
        }
        out.flush();
        if (differing > 0) {
            err.println("vecml lecture: " + differing + " of " + checks.size()
                    + " numbers differ from the reference");
            return Main.INTERNAL;
        }
        return 0;
    }


    private static String show(Object o) {
        if (o instanceof int[] a) {
            String t = Arrays.toString(a);
            return t.length() > 28 ? t.substring(0, 24) + " ...]" : t;
        }
        if (o instanceof Double d) {
            return String.format(Locale.ROOT, "%.17g", d);
        }
        return String.valueOf(o);
    }

    private static void print(PrintWriter out, Report r) {
        out.printf("the lecture's recipes in vecml, beside the reference (%s)%n", r.reference());
        String section = null;
        for (LectureChecks.Check c : r.checks()) {
            if (!c.section().equals(section)) {
                section = c.section();
                out.printf(Locale.ROOT, "%n%s%n  %-44s %-30s %-30s %s%n", section, "", "vecml", "scikit-learn/numpy", "");
            }
            out.printf(Locale.ROOT, "  %-44s %-30s %-30s %s%n", c.quantity(), show(c.vecml()), show(c.reference()),
                    c.equal() ? "equal" : "DIFFERS (" + c.rule() + ")");
        }
        out.printf(Locale.ROOT, "%n%s: %d numbers, %d differ (indices, parameters and ranks exact; the rest within"
                + " %.0e relative)%n", r.allEqual() ? "all equal" : "DIFFERENT", r.checks().size(), r.differing(),
                r.relativeTolerance());
        if (!r.dataResults().isEmpty()) {
            out.printf(Locale.ROOT, "%nimage sections on %s (no reference: your data)%n  %-10s %-48s %9s %9s %9s%n",
                    r.data(), "model", "settings", "accuracy", "balanced", "seconds");
            for (LectureImages.DataResult d : r.dataResults()) {
                out.printf(Locale.ROOT, "  %-10s %-48s %9.4f %9.4f %9.2f%n", d.model(), d.settings(), d.accuracy(),
                        d.balancedAccuracy(), d.seconds());
            }
            out.println("  (kNN: every k from one neighbour search per metric; seconds are the search's)");
        }
    }
}
