package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Datasets;
import io.vecml.engine.gemm.BlasReport;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.progress.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vecml demo}: options and the order of the sections; each section is a class of its own ({@link DemoData},
 * {@link DemoKnn}, {@link DemoTemplates}, {@link DemoLinear}, {@link DemoRegression}, the speed-ups
 * {@link DemoSpeed}, the report {@link DemoReport}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The lecture end to end with a report: kNN, templates, linear classifiers, least squares.",
            "",
            "On the embedded digits data (1797 8x8 images, 10 classes) or --data: "
            + "hold out a test split; kNN with L1 and L2, k chosen by 5-fold cross-validation on the training split "
            + "(k 1..30) and scored on the test split; the template classifier (L1, L2); the SVM and softmax linear "
            + "classifiers (engine defaults); least squares on the student-scores table. For each: accuracy, balanced "
            + "accuracy, time and the single-thread speed-ups of SIMD over scalar kernels and of OpenBLAS over the "
            + "Java GEMM. Also the scalar vs SIMD vs GEMM distance matrices, checked to agree (exit code 1 if not).",
            "",
            "Speed-ups: every variant is timed on one thread after warm-up and only once it is compiled and steady; "
            + "every ratio printed (summary and tables) is computed from the one table of these measurements; a "
            + "variant that does not settle within its budget is printed as not measured. Progress on stderr "
            + "(--progress), never in --json.",
            "",
            "Prints a summary; --out DIR writes report.md (tables, links to the pictures), report.json and the "
            + "pictures; --json prints report.json. Timings: medians of rounds of runs, after warm-up rounds (until "
            + "two consecutive round medians agree within 10%%, with no JIT compilation running); work that does not"
            + " settle within a few seconds is not measured."},
        footer = {"", "Examples:",
            "  vecml demo --out vecml-report",
            "  vecml demo --data cifar-10-python.tar.gz --train-limit 5000 --limit 500 --out vecml-report"})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH", defaultValue = Datasets.EMBEDDED_DIGITS,
            description = "Dataset: file, folder, archive or " + Datasets.EMBEDDED_DIGITS + ". Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Mixin
    RowLimits rows;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Held-out fraction when the data has no test split. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--split-seed", paramLabel = "S",
            description = "Seed of the train/test holdout (data without a test split; also the regression's). Default: 42.")
    Long splitSeed;

    @Option(names = "--seed", hidden = true, paramLabel = "S", description = "Old name of --split-seed.")
    Long oldSeed;

    @Mixin
    SplitOptions split;

    @Option(names = "--k", defaultValue = "1..30", paramLabel = "KS",
            description = "k values of the grid search (1,3,5; 1..30; 1..30:2). Default: ${DEFAULT-VALUE}.")
    String kSpec;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "Cross-validation folds. Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--standardize", paramLabel = "HOW",
            description = "none or train (z-scores fitted on the training rows; in the grid search on each training"
                    + " fold). Default: none for kNN and templates, the model's default (train) for the linear models.")
    String standardize;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N",
            description = "Timed runs per round of a timing (the median of a round is compared with the previous round's). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads of the model runs (default: all processors); speed-ups are measured on one thread.")
    Integer threads;

    @Mixin
    ProgressOptions progress;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write report.md, report.json and the pictures into DIR (created if missing), e.g. vecml-report/.")
    Path out;

    @Option(names = "--json", description = "Print report.json instead of the text summary.")
    boolean json;

    /** The sections, in the order they run (the progress bar counts them). */
    private static final int STEPS = 6;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        TrainTestData.validate(data, null, null, testFraction);
        rows.validate();
        if (repeats < 1 || repeats > 100) {
            throw new IllegalArgumentException("--repeats must be 1..100, got " + repeats);
        }
        if (folds < 2) {
            throw new IllegalArgumentException("--folds must be >= 2, got " + folds);
        }
        if (oldSeed != null) {
            if (splitSeed != null) {
                throw new IllegalArgumentException("--seed is the old name of --split-seed; give only --split-seed");
            }
            err.println("vecml demo: warning: --seed is now --split-seed (the old name goes in the next release)");
        }
        long seed = splitSeed != null ? splitSeed : oldSeed != null ? oldSeed : 42;
        int[] ks = Parse.ks(kSpec, "--k");
        String scaling = standardize == null ? "none" : DemoData.standardize(standardize);
        int nThreads = Parse.threads(threads, "--threads");
        Path dir = OutputPaths.folder(out, "--out", "report.json", "report.md");
        ProgressListener bar = progress.listener(err);
        DemoRun run = new DemoRun(dir, nThreads, seed, split.rng(), bar);
        DemoSpeed speed = new DemoSpeed(run, new Timing.Budget(repeats, Timing.UNLIMITED, 0.2, 3.0));
        KernelSelection kSel = KernelSelection.current();
        GemmSelection gSel = GemmSelection.current();
        DemoReport.Report report;
        try (DemoData d = DemoData.load(data, source, split, testFraction, seed, rows, scaling)) {
            if (folds > d.train.rows()) {
                throw new IllegalArgumentException("--folds " + folds + " is more than the " + d.train.rows()
                        + " training rows");
            }
            DemoReport.Environment env = new DemoReport.Environment(Runtime.version().toString(),
                    Runtime.getRuntime().availableProcessors(), nThreads,
                    kSel.kernels().name() + " (" + kSel.reason() + ")", gSel.choice() + " (" + gSel.reason() + ")",
                    gSel.blas().map(Object::toString).orElse("not loaded"));
            String stage = "vecml demo";
            bar.update(stage, 0, STEPS);
            run.picture("samples", "samples.png", () -> Pictures.sampleGrid(d.train, 10, seed));
            DemoSpeed.DistanceSection dm = speed.distances(d.knnTrain, d.knnTest);
            bar.update(stage, 1, STEPS);
            DemoKnn.KnnSection knn = DemoKnn.run(run, speed, d, data, ks, folds);
            bar.update(stage, 2, STEPS);
            DemoTemplates.TemplateSection tpl = DemoTemplates.run(run, speed, d.knnTrain, d.knnTest);
            bar.update(stage, 3, STEPS);
            List<DemoLinear.LinearModel> lin = DemoLinear.run(run, speed, d.train, d.test, standardize == null ? null
                    : scaling.equals("train") ? Preprocessing.STANDARDIZE : Preprocessing.RAW);
            bar.update(stage, 4, STEPS);
            DemoRegression.RegressionSection reg = DemoRegression.run(run);
            bar.update(stage, 5, STEPS);
            List<DemoReport.SummaryRow> summary = DemoReport.summary(knn, tpl, lin, reg);
            if (dir != null) {
                run.files.put("report", "report.md");
                run.files.put("json", "report.json");
            }
            report = new DemoReport.Report("vecml demo", d.info, env, BlasReport.current(), summary, speed.table(),
                    dm, knn, tpl, lin, reg, dm.allAgree() && speed.allAgree(), (System.nanoTime() - start) / 1e9,
                    run.files, run.notes);
            if (dir != null) {
                Reports.writeText(Json.write(report) + "\n", dir.resolve("report.json"));
                Reports.writeText(DemoReport.markdown(report), dir.resolve("report.md"));
            }
            bar.update(stage, STEPS, STEPS);
        }
        PrintWriter pw = spec.commandLine().getOut();
        if (json) {
            pw.println(Json.write(report));
        } else {
            DemoReport.printText(pw, report, dir);
        }
        pw.flush();
        if (!report.allAgree()) {
            err.println("vecml demo: error: the computation paths disagree (see the distance-matrix and speed-up"
                    + " tables); this is a bug.");
            return Main.INTERNAL;
        }
        return 0;
    }
}
