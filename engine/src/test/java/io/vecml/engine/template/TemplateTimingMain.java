package io.vecml.engine.template;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.distance.Metric;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Times template prediction at the CIFAR-10 shape on random uint8 data (by hand, not a test). */
public final class TemplateTimingMain {
    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 10_000;
        int d = 3072;
        int[] labels = IntStream.range(0, n).map(i -> i % 10).toArray();
        List<String> names = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        try (Dataset data = Dataset.allocate(Dataset.Type.UINT8, n, d, labels, names)) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < d; c++) {
                    data.setU8(r, c, rnd.nextInt(256));
                }
            }
            for (TemplateClassifier.Center center : TemplateClassifier.Center.values()) {
                TemplateClassifier tc = TemplateClassifier.fit(data, center);
                for (Metric m : Metric.values()) {
                    long best = Long.MAX_VALUE;
                    for (int rep = 0; rep < 15; rep++) {
                        long t0 = System.nanoTime();
                        tc.predict(data, m, threads);
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                    System.out.printf("template %s %s, 10000 x 3072 uint8 vs 10 templates, %d threads: best of 15 %.4f s%n",
                            center, m, threads, best * 1e-9);
                }
            }
        }
    }
}
