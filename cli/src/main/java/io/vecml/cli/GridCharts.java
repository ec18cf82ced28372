package io.vecml.cli;

import io.vecml.engine.eval.KnnGridReports;
import io.vecml.engine.eval.LinearGridReports;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The pictures of the grid-search reports (grid knn, grid linear, demo). */
final class GridCharts {

    private GridCharts() {
    }

    /** The classic figure: mean CV score against k, one line per metric (and weighting). */
    static BufferedImage accuracyVsK(KnnGridReports.Report r) {
        Map<String, List<KnnGridReports.Row>> lines = new LinkedHashMap<>();
        boolean manyWeights = r.results().stream().map(KnnGridReports.Row::weights).distinct().count() > 1;
        for (KnnGridReports.Row x : r.results()) {
            lines.computeIfAbsent(x.metric() + (manyWeights ? " " + x.weights() : ""), key -> new ArrayList<>()).add(x);
        }
        List<Charts.Series> series = new ArrayList<>();
        int c = 0;
        for (var e : lines.entrySet()) {
            List<KnnGridReports.Row> rows = e.getValue();
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rows.get(i).k();
                y[i] = rows.get(i).mean();
            }
            series.add(new Charts.Series(e.getKey(), x, y, Charts.PALETTE[c++ % Charts.PALETTE.length],
                    Charts.Style.LINE_AND_POINTS));
        }
        KnnGridReports.Row b = r.best();
        series.add(new Charts.Series(String.format(Locale.ROOT, "best: %s k=%d", b.metric(), b.k()),
                new double[] {b.k()}, new double[] {b.mean()}, Color.BLACK, Charts.Style.POINTS));
        return Charts.render(720, 420, List.of(new Charts.Panel(String.format(Locale.ROOT,
                "%d-fold cross-validated %s against k", r.folds(), r.scoring()), "k", "mean CV " + r.scoring(),
                series, true)));
    }

    /** Mean CV score against the candidate number, one line per loss (and penalty); diverged candidates left out. */
    static BufferedImage scorePerCandidate(LinearGridReports.Report r) {
        Map<String, List<LinearGridReports.Row>> groups = new LinkedHashMap<>();
        boolean manyPenalties = r.results().stream().map(LinearGridReports.Row::penalty).distinct().count() > 1;
        for (LinearGridReports.Row x : r.results()) {
            groups.computeIfAbsent(x.loss() + (manyPenalties ? " " + x.penalty() : ""), key -> new ArrayList<>())
                    .add(x);
        }
        List<Charts.Series> series = new ArrayList<>();
        int c = 0;
        for (var e : groups.entrySet()) {
            List<LinearGridReports.Row> rows = e.getValue();
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < x.length; i++) {
                LinearGridReports.Row row = rows.get(i);
                x[i] = row.candidate();
                y[i] = row.mean() == null ? Double.NaN : row.mean();
            }
            series.add(new Charts.Series(e.getKey(), x, y, Charts.PALETTE[c++ % Charts.PALETTE.length],
                    Charts.Style.LINE_AND_POINTS));
        }
        LinearGridReports.Row b = r.best();
        series.add(new Charts.Series(String.format(Locale.ROOT, "best: #%d %s lr=%s lambda=%s", b.candidate(),
                b.loss(), b.learningRate(), b.lambda()), new double[] {b.candidate()}, new double[] {b.mean()},
                Color.BLACK, Charts.Style.POINTS));
        return Charts.render(Math.max(720, 40 * r.candidates() + 120), 420, List.of(new Charts.Panel(
                String.format(Locale.ROOT, "%d-fold cross-validated %s per candidate", r.folds(),
                        r.scoring()), "candidate (# in the table)", "mean CV " + r.scoring(), series, true)));
    }
}
