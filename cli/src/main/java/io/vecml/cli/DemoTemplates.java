package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.template.TemplateClassifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The template-classifier section of {@code vecml demo}: one class mean per class, L1 and L2, and its speed-ups. */
final class DemoTemplates {

    record TemplateMetric(String metric, double accuracy, double balancedAccuracy, double predictSeconds,
            double imagesPerSecond, List<DemoSpeed.Ratio> speedUps) {
    }

    record TemplateSection(String center, double fitSeconds, List<TemplateMetric> metrics) {
    }

    private DemoTemplates() {
    }

    static TemplateSection run(DemoRun run, DemoSpeed speed, Dataset train, Dataset test) throws IOException {
        long t0 = System.nanoTime();
        TemplateClassifier model = TemplateClassifier.fit(train, TemplateClassifier.Center.MEAN);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;
        List<String> names = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        List<Integer> present = new ArrayList<>();
        for (int c = 0; c < model.numClasses(); c++) {
            if (model.hasTemplate(c)) {
                names.add(model.classNames().get(c));
                images.add(model.template(c));
                present.add(c);
            }
        }
        run.picture("templates", "templates.png", () -> Pictures.classImages(names, images.toArray(float[][]::new),
                Pictures.shapeOf(model.dims(), model.imageShape())));
        int[] labels = present.stream().mapToInt(Integer::intValue).toArray();
        List<TemplateMetric> out = new ArrayList<>();
        try (Dataset tpl = Dataset.allocate(Dataset.Type.FLOAT32, labels.length, model.dims(), labels,
                model.classNames()); Dataset testF = test.toFloat32()) {
            for (int r = 0; r < labels.length; r++) {
                float[] v = images.get(r);
                for (int c = 0; c < v.length; c++) {
                    tpl.setF32(r, c, v[c]);
                }
            }
            int[] truth = test.labels();
            for (Metric m : List.of(Metric.L1, Metric.L2)) {
                long p0 = System.nanoTime();
                int[] p = model.predict(test, m, run.threads);
                double secs = (System.nanoTime() - p0) / 1e9;
                List<DemoSpeed.Ratio> su = speed.template(m, testF, tpl, labels, p);
                out.add(new TemplateMetric(m.name(), Metrics.accuracy(p, truth),
                        Metrics.balancedAccuracy(p, truth, train.numClasses()), secs, test.rows() / secs, su));
                if (m == Metric.L1) {
                    double acc = out.getFirst().accuracy();
                    run.picture("templateConfusion", "confusion-template.png", () -> ConfusionChart.render(
                            train.classNames(), Metrics.confusion(p, truth, train.numClasses()), String.format(
                                    Locale.ROOT, "template classifier (class mean) L1: test accuracy %.4f", acc)));
                }
            }
        }
        return new TemplateSection("mean", fitSeconds, out);
    }
}
