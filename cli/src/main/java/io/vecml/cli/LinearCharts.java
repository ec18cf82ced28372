package io.vecml.cli;

import io.vecml.engine.linear.Loss;
import io.vecml.engine.train.EpochStats;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** The training-curve picture of {@code vecml linear train}. */
final class LinearCharts {

    private LinearCharts() {
    }

    /** Two panels: the loss per epoch; training, validation and final test accuracy. */
    static BufferedImage curve(List<EpochStats> h, double testAccuracy, Loss loss) {
        int n = h.size();
        double[] x = new double[n];
        double[] l = new double[n];
        double[] tr = new double[n];
        double[] va = new double[n];
        double[] te = new double[n];
        for (int i = 0; i < n; i++) {
            EpochStats e = h.get(i);
            x[i] = e.epoch();
            l[i] = e.loss();
            tr[i] = e.trainAccuracy();
            va[i] = e.validationAccuracy();
            te[i] = testAccuracy;
        }
        List<Charts.Series> accs = new ArrayList<>();
        accs.add(new Charts.Series("train", x, tr, Charts.PALETTE[0], Charts.Style.LINE_AND_POINTS));
        accs.add(new Charts.Series("validation", x, va, Charts.PALETTE[1], Charts.Style.LINE_AND_POINTS));
        accs.add(new Charts.Series("test (final model)", x, te, Charts.PALETTE[2], Charts.Style.LINE));
        return Charts.render(720, 320, List.of(
                new Charts.Panel("Training loss (" + loss.id() + " + penalty)", "epoch", "loss",
                        List.of(new Charts.Series("loss", x, l, Charts.PALETTE[3], Charts.Style.LINE_AND_POINTS)),
                        true),
                new Charts.Panel("Accuracy", "epoch", "accuracy", accs, true)));
    }
}
