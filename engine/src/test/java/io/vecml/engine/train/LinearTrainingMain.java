package io.vecml.engine.train;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.gemm.Gemm;
import io.vecml.engine.gemm.GemmSelection;
import io.vecml.engine.gemm.JavaGemm;
import io.vecml.engine.linear.LinearClassifier;
import io.vecml.engine.linear.LinearConfig;
import io.vecml.engine.linear.Loss;
import io.vecml.engine.linear.Preprocessing;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures training by hand (not a test): Fashion-MNIST with the defaults (accuracy and wall time),
 * and SGD epochs at the CIFAR-10 shape on random float32 data. Usage:
 * {@code java ... LinearTrainingMain [fmnist|cifar|all] [threads] [gemm: selected|java]}.
 */
public final class LinearTrainingMain {

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean java = args.length > 2 && args[2].equals("java");
        java.util.function.IntFunction<Gemm> gemm = java ? JavaGemm::new : GemmSelection.current()::create;
        System.out.println("gemm " + gemm.apply(1) + ", " + GemmSelection.current().reason());
        if (what.equals("fmnist") || what.equals("all")) {
            fashion(gemm, threads);
        }
        if (what.equals("cifar") || what.equals("all")) {
            shape(gemm, threads, 50_000, 3072, "CIFAR-10 shape");
        }
        if (what.equals("fshape") || what.equals("all")) {
            shape(gemm, threads, 60_000, 784, "Fashion-MNIST shape");
        }
    }

    static void fashion(java.util.function.IntFunction<Gemm> gemm, int threads) throws Exception {
        try (Dataset train = FashionMnist.load("train"); Dataset test = FashionMnist.load("t10k")) {
            for (Loss loss : Loss.values()) {
                for (int rep = 0; rep < 3; rep++) {
                    long t0 = System.nanoTime();
                    TrainingResult r = SgdTrainer.train(train, LinearConfig.defaults().withLoss(loss),
                            SgdConfig.defaults().withThreads(threads), gemm, null);
                    double trainS = (System.nanoTime() - t0) * 1e-9;
                    long t1 = System.nanoTime();
                    double acc = r.model().accuracy(test, threads, gemm);
                    double testS = (System.nanoTime() - t1) * 1e-9;
                    double epochs = r.history().stream().mapToDouble(EpochStats::seconds).sum();
                    System.out.printf("fashion-mnist %s rep %d: test accuracy %.4f, train %.3f s (epochs %.3f s,"
                            + " min epoch %.4f s), predict 10k %.3f s, last loss %.4f train acc %.4f%n", loss.id(), rep,
                            acc, trainS, epochs, r.history().stream().mapToDouble(EpochStats::seconds).min().orElse(0),
                            testS, r.history().getLast().loss(), r.history().getLast().trainAccuracy());
                }
            }
        }
    }

    static void shape(java.util.function.IntFunction<Gemm> gemm, int threads, int n, int d, String name) {
        SplittableRandom rnd = new SplittableRandom(1);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(10);
        }
        List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        try (Dataset data = Dataset.allocate(Dataset.Type.FLOAT32, n, d, labels, names)) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < d; c++) {
                    data.setF32(r, c, (float) rnd.nextDouble(-1, 1));
                }
            }
            for (Loss loss : Loss.values()) {
                LinearConfig cfg = LinearConfig.defaults().withLoss(loss).withPreprocessing(Preprocessing.RAW);
                TrainingResult res = SgdTrainer.train(data, cfg, SgdConfig.defaults().withEpochs(8).withThreads(threads)
                        .withLearningRate(1e-3), gemm, null);
                double[] s = res.history().stream().mapToDouble(EpochStats::seconds).sorted().toArray();
                System.out.printf("%s %d x %d float32, %s, batch 256: epoch seconds min %.4f median %.4f max %.4f"
                        + " (8 epochs, first included)%n", name, n, d + 1, loss.id(), s[0], s[s.length / 2],
                        s[s.length - 1]);
            }
        }
    }

    static double check(LinearClassifier m) {
        return m.dims();
    }
}
