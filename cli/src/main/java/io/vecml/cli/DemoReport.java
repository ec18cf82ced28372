package io.vecml.cli;

import io.vecml.cli.DemoData.DataInfo;
import io.vecml.cli.DemoKnn.KnnMetric;
import io.vecml.cli.DemoKnn.KnnSection;
import io.vecml.cli.DemoLinear.LinearModel;
import io.vecml.cli.DemoRegression.RegressionSection;
import io.vecml.cli.DemoSpeed.DistancePath;
import io.vecml.cli.DemoSpeed.DistanceSection;
import io.vecml.cli.DemoSpeed.Ratio;
import io.vecml.cli.DemoTemplates.TemplateMetric;
import io.vecml.cli.DemoTemplates.TemplateSection;
import io.vecml.engine.gemm.BlasReport;
import io.vecml.engine.regression.RegressionMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of {@code vecml demo} (report.json is this record) and its writing: the text summary,
 * report.md. Every speed-up printed is a {@link Ratio} of two entries of the one speed-up table.
 */
final class DemoReport {

    /** The Markdown section headings of report.md, in order. */
    static final List<String> SECTIONS = List.of("Summary", "Data", "Distance matrices: scalar, SIMD and GEMM",
            "kNN with k chosen by cross-validation", "Template classifier", "Linear classifiers",
            "Least-squares regression", "How it was measured");

    /** The top-level keys of report.json that hold the sections. */
    static final List<String> JSON_SECTIONS = List.of("summary", "data", "environment", "blas", "speedUps",
            "distanceMatrices", "knn", "template", "linear", "regression");

    record Environment(String java, int processors, int threads, String kernels, String gemm, String openblas) {
    }

    /** One model; {@code speedUps} are ratios of entries of the speed-up table, {@code speedUpText} prints them. */
    record SummaryRow(String model, Double accuracy, Double balancedAccuracy, double seconds, List<Ratio> speedUps,
            String speedUpText) {
    }

    record Report(String title, DataInfo data, Environment environment, BlasReport blas, List<SummaryRow> summary,
            DemoSpeed.Table speedUps, DistanceSection distanceMatrices, KnnSection knn, TemplateSection template,
            List<LinearModel> linear, RegressionSection regression, boolean allAgree, double totalSeconds,
            Map<String, String> files, List<String> notes) {
    }

    private DemoReport() {
    }

    /** "SIMD 5.1x, auto 4.6x vs scalar, brute force"; a variant not measured says so instead of a number. */
    static String speedText(List<Ratio> su) {
        List<String> parts = new ArrayList<>();
        for (Ratio s : su) {
            parts.add(shortName(s.variant()) + " " + s.text());
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts) + " vs " + su.getFirst().baseline();
    }

    private static String shortName(String variant) {
        if (variant.startsWith("SIMD")) {
            return "SIMD";
        }
        if (variant.startsWith("selected")) {
            return "auto";
        }
        if (variant.startsWith("GEMM (") || variant.startsWith("OpenBLAS")) {
            return variant.replace(" + exact re-ranking", "").replace(" GEMM", "");
        }
        return variant;
    }

    static List<SummaryRow> summary(KnnSection knn, TemplateSection tpl, List<LinearModel> lin,
            RegressionSection reg) {
        List<SummaryRow> rows = new ArrayList<>();
        for (KnnMetric m : knn.metrics()) {
            rows.add(new SummaryRow(String.format(Locale.ROOT, "kNN %s, k=%d (CV)", m.metric(), m.k()),
                    m.testAccuracy(), m.testBalancedAccuracy(), m.seconds(), m.speedUps(), speedText(m.speedUps())));
        }
        for (TemplateMetric m : tpl.metrics()) {
            rows.add(new SummaryRow("template " + m.metric(), m.accuracy(), m.balancedAccuracy(),
                    tpl.fitSeconds() + m.predictSeconds(), m.speedUps(), speedText(m.speedUps())));
        }
        for (LinearModel m : lin) {
            rows.add(new SummaryRow("linear " + m.loss(), m.testAccuracy(), m.testBalancedAccuracy(), m.trainSeconds(),
                    m.speedUps(), speedText(m.speedUps())));
        }
        rows.add(new SummaryRow(String.format(Locale.ROOT, "least squares (test MAE %.2f, R^2 %.3f)",
                reg.test().mae(), reg.test().r2()), null, null, reg.seconds(), List.of(), "-"));
        return rows;
    }

    static void printText(PrintWriter pw, Report r, Path dir) {
        DataInfo d = r.data();
        pw.printf(Locale.ROOT, "vecml demo on %s: %d training / %d test rows%s, %d features %s, %d classes%n",
                d.source(), d.trainRows(), d.testRows(), d.heldOut() ? String.format(Locale.ROOT,
                        " (%s)", d.split()) : "", d.dims(), d.type(),
                d.classes());
        pw.printf("kernels %s; GEMM %s; %d threads for the models%n", r.environment().kernels(),
                r.environment().gemm(), r.environment().threads());
        pw.printf("BLAS: %s%n%n", r.blas().describe());
        pw.printf(Locale.ROOT, "%-34s %9s %9s %9s  %s%n", "model", "accuracy", "balanced", "time s",
                "speed-ups (1 thread)");
        for (SummaryRow s : r.summary()) {
            pw.printf(Locale.ROOT, "%-34s %9s %9s %9.3f  %s%n", s.model(), Reports.num(s.accuracy(), "%.4f"),
                    Reports.num(s.balancedAccuracy(), "%.4f"), s.seconds(), s.speedUpText());
        }
        DistanceSection dm = r.distanceMatrices();
        pw.printf(Locale.ROOT, "%ntest x train distance matrices, %d x %d, one thread:%n", dm.queries(), dm.trainRows());
        pw.printf("%-28s %10s %10s %8s %8s  %s%n", "path", "L1 ms", "L2 ms", "L1 x", "L2 x", "agrees with scalar");
        for (DistancePath p : dm.paths()) {
            pw.printf("%-28s %10s %10s %8s %8s  %s%n", p.path(), cell(p.l1Id(), p.l1Millis(), "%.2f", "n/m"),
                    cell(p.l2Id(), p.l2Millis(), "%.2f", "n/m"), cell(p.l1Id(), p.l1SpeedUp(), "%.1f", "n/m"),
                    cell(p.l2Id(), p.l2SpeedUp(), "%.1f", "n/m"), p.agreement());
        }
        pw.printf(Locale.ROOT, "1-NN accuracy on these rows: L1 %.4f, L2 %.4f%n", dm.nn1AccuracyL1(), dm.nn1AccuracyL2());
        pw.printf("%nspeed-ups behind the summary (one thread; baseline ms / variant ms):%n");
        List<Ratio> all = new ArrayList<>();
        r.knn().metrics().forEach(m -> all.addAll(m.speedUps()));
        r.template().metrics().forEach(m -> all.addAll(m.speedUps()));
        r.linear().forEach(m -> all.addAll(m.speedUps()));
        for (Ratio x : all) {
            pw.printf(Locale.ROOT, "  %-62s %-44s %s%n", x.work(), x.variant(), x.text());
        }
        pw.printf("n/m = not measured: the variant did not settle (%s)%n", r.speedUps().timing());
        for (String n : r.notes()) {
            pw.println("note: " + n);
        }
        if (dir != null) {
            pw.printf("%nreport written to %s (report.json and %d pictures beside it)%n", dir.resolve("report.md"),
                    r.files().size() - 2);
        }
        pw.printf(Locale.ROOT, "total %.1f s%n", r.totalSeconds());
    }

    /** "-" where the path has no such entry, {@code missing} where it was not measured, else the figure. */
    private static String cell(String id, Double v, String format, String missing) {
        return id == null ? "-" : v == null ? missing : String.format(Locale.ROOT, format, v);
    }

    private static String link(Report r, String key, String alt) {
        String f = r.files().get(key);
        return f == null ? "" : "![" + alt + "](" + f + ")\n\n";
    }

    static String markdown(Report r) {
        StringBuilder b = new StringBuilder();
        DataInfo d = r.data();
        Environment e = r.environment();
        b.append("# vecml demo report\n\n");
        b.append(Reports.f("Data: **%s** (%s), %d training and %d test rows%s, %d features (%s), %d classes.  \n",
                d.source(), d.format(), d.trainRows(), d.testRows(), d.heldOut() ? Reports.f(" (%s)", d.split()) : "", d.dims(), d.type(), d.classes()));
        b.append(Reports.f("Java %s, %d processors, %d threads for the models; kernels %s; GEMM %s.  \n", e.java(),
                e.processors(), e.threads(), e.kernels(), e.gemm()));
        b.append(Reports.f("BLAS: %s.  \n", r.blas().describe()));
        b.append(Reports.f("Total run time %.1f s. All computation paths agree: **%s**.\n\n", r.totalSeconds(),
                r.allAgree() ? "yes" : "NO"));

        b.append("## ").append(SECTIONS.get(0)).append("\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (SummaryRow s : r.summary()) {
            rows.add(List.of(s.model(), Reports.num(s.accuracy(), "%.4f"), Reports.num(s.balancedAccuracy(), "%.4f"),
                    Reports.f("%.3f", s.seconds()), s.speedUpText()));
        }
        b.append(Reports.table(List.of("model", "test accuracy", "balanced accuracy", "time (s)",
                "speed-ups (1 thread)"), rows)).append('\n');
        b.append("Time: kNN = fit + predict of the test rows with the chosen k; template = fit + predict; linear ="
                + " training; all with the threads above. Speed-ups are single-threaded, measured on the work named in"
                + " each section.\n\n");

        b.append("## ").append(SECTIONS.get(1)).append("\n\n");
        b.append(Reports.f("Classes: %s.\n\n", String.join(", ", d.classNames())));
        b.append(link(r, "samples", "sample images per class"));

        DistanceSection dm = r.distanceMatrices();
        b.append("## ").append(SECTIONS.get(2)).append("\n\n");
        b.append(Reports.f("The %d x %d matrices of L1 and squared L2 distances between test rows and training rows,"
                + " one thread, by the scalar reference, the SIMD kernels and GEMM (||q||^2 + ||t||^2 - 2 q.t).\n\n",
                dm.queries(), dm.trainRows()));
        rows = new ArrayList<>();
        for (DistancePath p : dm.paths()) {
            rows.add(List.of(p.path(), cell(p.l1Id(), p.l1Millis(), "%.3f", "not measured"),
                    cell(p.l2Id(), p.l2Millis(), "%.3f", "not measured"),
                    cell(p.l1Id(), p.l1SpeedUp(), "%.1fx", "not measured"),
                    cell(p.l2Id(), p.l2SpeedUp(), "%.1fx", "not measured"), p.agreement()));
        }
        b.append(Reports.table(List.of("path", "L1 ms", "L2 ms", "L1 speed-up", "L2 speed-up", "agrees with scalar"),
                rows)).append('\n');
        b.append(Reports.f("1-NN accuracy on these rows: L1 %.4f, L2 %.4f. Timing: %s.\n\n", dm.nn1AccuracyL1(),
                dm.nn1AccuracyL2(), r.speedUps().timing()));

        KnnSection k = r.knn();
        b.append("## ").append(SECTIONS.get(3)).append("\n\n");
        b.append(Reports.f("Grid: k in %s x metric {L1, L2}, %s, on the training rows (%.3f s); each metric's best k is"
                + " refitted on all training rows and scored on the test rows. Best overall: **%s, k=%d**.\n\n",
                ranges(k.ks()), k.cv(), k.gridSeconds(), k.bestMetric(), k.bestK()));
        rows = new ArrayList<>();
        for (KnnMetric m : k.metrics()) {
            rows.add(List.of(m.metric(), Integer.toString(m.k()), Reports.f("%.4f +/- %.4f", m.cvAccuracy(), m.cvStd()),
                    Reports.f("%.4f", m.testAccuracy()), Reports.f("%.4f", m.testBalancedAccuracy()),
                    Reports.f("%.3f", m.seconds()), Reports.f("%.0f", m.imagesPerSecond())));
        }
        b.append(Reports.table(List.of("metric", "k", "CV accuracy", "test accuracy", "balanced accuracy", "time (s)",
                "test images/s"), rows)).append('\n');
        b.append(speedTable(r, k.metrics().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "accuracyVsK", "cross-validated accuracy against k"));
        b.append(link(r, "knnConfusion", "confusion matrix of the best kNN"));

        TemplateSection t = r.template();
        b.append("## ").append(SECTIONS.get(4)).append("\n\n");
        b.append(Reports.f("One template per class (the class mean); a row gets the class of the nearest template. Fit"
                + " %.4f s.\n\n", t.fitSeconds()));
        rows = new ArrayList<>();
        for (TemplateMetric m : t.metrics()) {
            rows.add(List.of(m.metric(), Reports.f("%.4f", m.accuracy()), Reports.f("%.4f", m.balancedAccuracy()),
                    Reports.f("%.4f", m.predictSeconds()), Reports.f("%.0f", m.imagesPerSecond())));
        }
        b.append(Reports.table(List.of("metric", "test accuracy", "balanced accuracy", "predict (s)", "test images/s"),
                rows)).append('\n');
        b.append(speedTable(r, t.metrics().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "templates", "class templates"));
        b.append(link(r, "templateConfusion", "confusion matrix of the template classifier (L1)"));

        b.append("## ").append(SECTIONS.get(5)).append("\n\n");
        b.append("scores = W x + b (bias trick), minibatch SGD with the engine defaults.\n\n");
        rows = new ArrayList<>();
        for (LinearModel m : r.linear()) {
            rows.add(List.of(m.loss(), m.settings(), Reports.f("%.4f", m.finalLoss()),
                    Reports.f("%.4f", m.finalTrainAccuracy()), Reports.f("%.4f", m.testAccuracy()),
                    Reports.f("%.4f", m.testBalancedAccuracy()), Reports.f("%.3f", m.trainSeconds())));
        }
        b.append(Reports.table(List.of("loss", "settings", "final loss", "train accuracy", "test accuracy",
                "balanced accuracy", "training (s)"), rows)).append('\n');
        b.append(speedTable(r, r.linear().stream().flatMap(m -> m.speedUps().stream()).toList()));
        b.append(link(r, "lossCurves", "loss and accuracy per epoch"));
        b.append(link(r, "weightsSvm", "SVM weights per class"));
        b.append(link(r, "weightsSoftmax", "softmax weights per class"));
        b.append(link(r, "softmaxConfusion", "confusion matrix of the softmax classifier"));

        RegressionSection g = r.regression();
        b.append("## ").append(SECTIONS.get(6)).append("\n\n");
        b.append(Reports.f("%s ~ intercept + %s on %s: %d training rows, %d test rows (held out 20%%, seed %d)."
                + " Fit: %s = %.4f + %.4f x %s.\n\n", g.target(), g.feature(), g.table(), g.trainRows(), g.testRows(),
                d.splitSeed(), g.target(), g.intercept(), g.slope(), g.feature()));
        rows = new ArrayList<>();
        for (var e2 : List.of(Map.entry("train", g.train()), Map.entry("test", g.test()))) {
            RegressionMetrics m = e2.getValue();
            rows.add(List.of(e2.getKey(), Reports.f("%.4f", m.mae()), Reports.f("%.4f", m.mse()),
                    Reports.f("%.4f", m.rmse()), Reports.f("%.4f", m.r2())));
        }
        b.append(Reports.table(List.of("rows", "MAE", "MSE", "RMSE", "R^2"), rows)).append('\n');
        b.append(link(r, "regression", "the rows and the fitted line"));

        b.append("## ").append(SECTIONS.get(7)).append("\n\n");
        b.append("Each speed-up times the baseline and the variant on the same work in the same JVM, one thread,"
                + " after warm-up: rounds of runs are repeated until two consecutive round medians agree within 10%,"
                + " no JIT compilation ran during the round and none is queued (and a SIMD variant allocates no more"
                + " than its scalar baseline: boxed vectors mean uncompiled code); the last median is reported. A"
                + " variant that does not settle within its budget is not measured, and every ratio with it says so."
                + " Every ratio in this report is one entry's milliseconds over another's, from one table"
                + " (`speedUps` in report.json). This is a demonstration, not a benchmark harness: see"
                + " `vecml bench` and, for publishable numbers, the JMH suite (`bench/run.sh`).\n\n");
        for (String n : r.notes()) {
            b.append("- ").append(n).append('\n');
        }
        return b.toString();
    }

    /** The ratios of a section with the two entries behind each, read from the one speed-up table. */
    private static String speedTable(Report r, List<Ratio> su) {
        if (su.isEmpty()) {
            return "";
        }
        Map<String, DemoSpeed.Entry> byId = new java.util.HashMap<>();
        r.speedUps().entries().forEach(e -> byId.put(e.id(), e));
        List<List<String>> rows = new ArrayList<>();
        for (Ratio s : su) {
            DemoSpeed.Entry b = byId.get(s.baselineId());
            DemoSpeed.Entry v = byId.get(s.variantId());
            rows.add(List.of(s.work(), s.baseline(), s.variant(), Reports.num(b.millis(), "%.3f"),
                    Reports.num(v.millis(), "%.3f"), s.speedUp() == null ? "not measured" : "**" + s.text() + "**",
                    v.agreement(), v.timing()));
        }
        return Reports.table(List.of("work", "baseline", "variant", "baseline ms", "variant ms", "speed-up",
                "agreement", "timing"), rows) + "\n";
    }

    private static String ranges(List<Integer> ks) {
        int lo = ks.getFirst();
        int hi = ks.getLast();
        return hi - lo + 1 == ks.size() ? lo + ".." + hi : ks.toString();
    }
}
