package io.vecml.cli;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.eval.Metrics;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import io.vecml.engine.train.EpochStats;
import io.vecml.engine.train.SgdConfig;
import io.vecml.engine.train.SgdTrainer;
import io.vecml.engine.train.TrainingResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The linear section of {@code vecml demo}: SVM and softmax with the engine defaults, and the training speed-up. */
final class DemoLinear {

    record LinearModel(String loss, String settings, int epochs, double finalLoss, double finalTrainAccuracy,
            double testAccuracy, double testBalancedAccuracy, double trainSeconds, List<Double> lossPerEpoch,
            List<DemoSpeed.Ratio> speedUps) {
    }

    private DemoLinear() {
    }

    /** @param scaling the features' preprocessing, or null for the model's default */
    static List<LinearModel> run(DemoRun run, DemoSpeed speed, Dataset train, Dataset test, Preprocessing scaling)
            throws IOException {
        List<LinearModel> models = new ArrayList<>();
        List<TrainingResult> results = new ArrayList<>();
        int[] softmaxPredictions = null;
        int[] truth = test.labels();
        for (Loss loss : List.of(Loss.SVM, Loss.SOFTMAX)) {
            LinearConfig cfg = LinearConfig.defaults().withLoss(loss);
            if (scaling != null) {
                cfg = cfg.withPreprocessing(scaling);
            }
            SgdConfig sgd = SgdConfig.defaults().withThreads(run.threads);
            long t0 = System.nanoTime();
            TrainingResult tr;
            try {
                tr = SgdTrainer.train(train, cfg, sgd, null);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("linear " + loss.id() + " with the engine defaults: " + e.getMessage(),
                        e);
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            results.add(tr);
            LinearClassifier m = tr.model();
            int[] p = m.predict(test, run.threads);
            if (loss == Loss.SOFTMAX) {
                softmaxPredictions = p;
            }
            List<DemoSpeed.Ratio> su = speed.linear(loss.id(), train, cfg, sgd.withThreads(1));
            EpochStats last = tr.history().getLast();
            models.add(new LinearModel(loss.id(), cfg.regularizer() + ", " + cfg.preprocessing().id() + "; SGD lr "
                    + sgd.learningRate() + ", batch " + sgd.batchSize() + ", " + sgd.epochs() + " epochs, seed "
                    + sgd.seed(), tr.history().size(), last.loss(), last.trainAccuracy(), Metrics.accuracy(p, truth),
                    Metrics.balancedAccuracy(p, truth, train.numClasses()), trainSeconds,
                    tr.history().stream().map(EpochStats::loss).toList(), su));
            run.picture("weights" + (loss == Loss.SVM ? "Svm" : "Softmax"), "weights-" + loss.id() + ".png",
                    () -> weightImages(m));
        }
        run.picture("lossCurves", "loss-curves.png", () -> lossCurves(results));
        int[] sp = softmaxPredictions;
        double acc = models.getLast().testAccuracy();
        run.picture("softmaxConfusion", "confusion-softmax.png", () -> ConfusionChart.render(train.classNames(),
                Metrics.confusion(sp, truth, train.numClasses()), String.format(Locale.ROOT,
                        "linear softmax: test accuracy %.4f", acc)));
        return models;
    }
    private static BufferedImage weightImages(LinearClassifier model) {
        float[][] w = new float[model.numClasses()][];
        for (int c = 0; c < w.length; c++) {
            w[c] = model.classWeights(c);
        }
        return Pictures.classImages(model.classNames(), w, Pictures.shapeOf(model.dims(), model.imageShape()));
    }

    private static BufferedImage lossCurves(List<TrainingResult> results) {
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> acc = new ArrayList<>();
        String[] names = {"SVM", "softmax"};
        for (int i = 0; i < results.size(); i++) {
            List<EpochStats> h = results.get(i).history();
            double[] x = new double[h.size()];
            double[] l = new double[h.size()];
            double[] a = new double[h.size()];
            for (int e = 0; e < h.size(); e++) {
                x[e] = h.get(e).epoch();
                l[e] = h.get(e).loss();
                a[e] = h.get(e).trainAccuracy();
            }
            loss.add(new Charts.Series(names[i], x, l, Charts.PALETTE[i], Charts.Style.LINE_AND_POINTS));
            acc.add(new Charts.Series(names[i], x, a, Charts.PALETTE[i], Charts.Style.LINE_AND_POINTS));
        }
        return Charts.render(720, 320, List.of(
                new Charts.Panel("Training loss per epoch (data loss + penalty)", "epoch", "loss", loss, true),
                new Charts.Panel("Training accuracy per epoch", "epoch", "accuracy", acc, true)));
    }
}
