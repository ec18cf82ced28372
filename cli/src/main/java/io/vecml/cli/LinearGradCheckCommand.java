package io.vecml.cli;

import io.vecml.engine.api.Parse;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.kernels.KernelSelection;
import io.vecml.engine.linear.GradientCheck;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.linear.Regularizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vecml linear gradcheck}: analytic against numerical gradients for every (loss, penalty). */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks the gradients of each (loss, penalty) against numerical ones.",
            "",
            "The analytic gradient is compared with centred numerical "
            + "differences, in double, and the float32 GEMM training path "
            + "against the analytic gradient. Weights whose perturbation crosses a kink "
            + "of the hinge or of |w| are counted apart. Exit code 1 when a relative "
            + "error away from kinks exceeds 1e-6 (see --abs-tolerance)."},
        footer = {"", "Example:", "  vecml linear gradcheck --loss svm --reg l1,elastic"})
final class LinearGradCheckCommand implements Callable<Integer> {

    /** Largest relative error (away from kinks) that passes. */
    static final double TOLERANCE = 1e-6;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "PATH", defaultValue = "embedded:digits",
            description = "Data whose first rows are used. Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    DataSourceOptions source;

    @Option(names = "--loss", split = ",", paramLabel = "L", defaultValue = "svm,softmax",
            description = "Losses, comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] losses;

    @Option(names = "--reg", split = ",", paramLabel = "R", defaultValue = "none,l2,l1,elastic",
            description = "Penalties, comma-separated. Default: ${DEFAULT-VALUE}.")
    String[] regs;

    @Option(names = "--lambda", paramLabel = "F", defaultValue = "0.01",
            description = "Penalty strength (large enough to matter). Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Option(names = "--l1-ratio", paramLabel = "F", defaultValue = "0.5",
            description = "L1 share of the elastic net. Default: ${DEFAULT-VALUE}.")
    double l1Ratio;

    @Mixin
    LinearOptions.Scaling scaling;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "200",
            description = "Rows used (the first N). Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "30",
            description = "Weights checked per case, drawn at random. Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(names = "--weight-scale", paramLabel = "F", defaultValue = "0.01",
            description = "Standard deviation of the random weights checked at. Default: ${DEFAULT-VALUE}.")
    double weightScale;

    @Option(names = "--h", paramLabel = "F", defaultValue = "1e-5",
            description = "Step of the centred difference. Default: ${DEFAULT-VALUE}.")
    double h;

    @Option(names = "--abs-tolerance", paramLabel = "F", defaultValue = "1e-9",
            description = "An entry whose |analytic - numerical| is at most this passes whatever its relative"
                    + " error: near-zero gradients (a bias whose terms cancel, a constant feature) are at the"
                    + " rounding noise of the difference quotient (about 1e-16 x loss / h), where a relative"
                    + " error means nothing. Default: ${DEFAULT-VALUE}.")
    double absTolerance;

    @Option(names = "--train-seed", paramLabel = "S", defaultValue = "5",
            description = "Seed of the weights and of the choice of entries. Default: ${DEFAULT-VALUE}.")
    long trainSeed;

    @Option(names = "--seed", paramLabel = "S", hidden = true, description = "Old name of --train-seed.")
    Long oldSeed;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    private boolean belowNoise(GradientCheck.Entry e) {
        return Math.abs(e.analytic() - e.numerical()) <= absTolerance;
    }

    record Case(String loss, String regularizer, int checked, int nearKinks, int belowNoise,
            double maxRelativeError, double maxFastPathRelativeError, boolean ok, GradientCheck.Entry worst) {
    }

    record Report(String data, int rows, String preprocessing, double h, double tolerance,
            double absTolerance, List<Case> cases, boolean allOk) {
    }

    @Override
    public Integer call() throws IOException {
        if (rows < 1) {
            throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        }
        if (!(h > 0) || !(weightScale > 0) || !(absTolerance >= 0)) {
            throw new IllegalArgumentException("--h and --weight-scale must be > 0 and --abs-tolerance >= 0, got "
                    + h + ", " + weightScale + " and " + absTolerance);
        }
        Preprocessing pre = scaling.preprocessing();
        long seed = RenamedOptions.useOld(spec, "--seed", oldSeed, "--train-seed") ? oldSeed : trainSeed;
        List<Loss> ls = new ArrayList<>();
        for (String s : losses) {
            Loss l = Parse.loss(s, "--loss");
            if (!ls.contains(l)) {
                ls.add(l);
            }
        }
        List<Regularizer> rs = new ArrayList<>();
        for (String s : regs) {
            Regularizer r = Parse.penalty(s, lambda, l1Ratio, false, "--reg");
            if (!rs.contains(r)) {
                rs.add(r);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (var loaded = ExperimentIo.load(data, source)) {
            Dataset d = loaded.train();
            int n = Math.min(rows, d.rows());
            List<Case> cases = new ArrayList<>();
            for (Loss l : ls) {
                for (Regularizer r : rs) {
                    LinearConfig cfg = new LinearConfig(l, LinearConfig.defaults().delta(), r, pre);
                    GradientCheck.Result res = GradientCheck.check(d, cfg, n, weightScale, samples, seed, h,
                            GemmSelection.current().create(1), KernelSelection.current().kernels());
                    int kinks = (int) res.entries().stream().filter(GradientCheck.Entry::nearKink).count();
                    List<GradientCheck.Entry> away = res.entries().stream().filter(e -> !e.nearKink()).toList();
                    // judged by the relative error: all entries away from kinks but the tiny ones
                    List<GradientCheck.Entry> judged = away.stream()
                            .filter(e -> e.relativeError() <= TOLERANCE || !belowNoise(e)).toList();
                    GradientCheck.Entry worst = judged.stream()
                            .max(java.util.Comparator.comparingDouble(GradientCheck.Entry::relativeError))
                            .orElse(null);
                    double maxRel = judged.stream().mapToDouble(GradientCheck.Entry::relativeError).max().orElse(0);
                    double maxFast = judged.stream().mapToDouble(GradientCheck.Entry::fastPathRelativeError).max()
                            .orElse(0);
                    cases.add(new Case(l.id(), r.toString(), res.entries().size(), kinks,
                            away.size() - judged.size(), maxRel, maxFast, maxRel <= TOLERANCE, worst));
                }
            }
            boolean allOk = cases.stream().allMatch(Case::ok);
            Report report = new Report(loaded.source(), n, pre.id(), h, TOLERANCE, absTolerance, cases, allOk);
            if (json) {
                out.println(Json.write(report));
            } else {
                out.printf(Locale.ROOT, "gradient check on %s: first %d rows, %s features, %d weights per case at"
                        + " %s x N(0,1), h %s%n%n", loaded.source(), n, pre.id(), samples, weightScale, h);
                out.printf(Locale.ROOT, "%-8s %-30s %7s %6s %6s %12s %12s  %s%n", "loss", "penalty", "checked",
                        "kinks", "tiny", "max rel err", "float32 path", "result");
                for (Case c : cases) {
                    out.printf(Locale.ROOT, "%-8s %-30s %7d %6d %6d %12.2e %12.2e  %s%n", c.loss(),
                            c.regularizer(), c.checked(), c.nearKinks(), c.belowNoise(), c.maxRelativeError(),
                            c.maxFastPathRelativeError(), c.ok() ? "ok" : "FAIL");
                    if (!c.ok() && c.worst() != null) {
                        GradientCheck.Entry e = c.worst();
                        out.printf(Locale.ROOT, "         worst: W[%d][%d] analytic %.9g, numerical %.9g%n", e.row(),
                                e.column(), e.analytic(), e.numerical());
                    }
                }
                out.printf(Locale.ROOT, "%nkinks: entries whose perturbation crosses a kink (not judged); tiny:"
                        + " entries within --abs-tolerance %s of the numerical value but above the relative%ntolerance"
                        + " (gradients at the rounding noise; not judged); max rel err: analytic vs numerical over"
                        + " the other%nentries, must be <= %s; float32 path: the GEMM training gradient vs the analytic one (float"
                        + " rounding, for information).%n", absTolerance, TOLERANCE);
            }
            out.flush();
            return allOk ? 0 : Main.INTERNAL;
        }
    }
}
