package io.vecml.engine.knn;

import static org.assertj.core.api.Assertions.assertThat;

import io.vecml.engine.data.CsvReader;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.LoadOptions;
import io.vecml.engine.data.LoadedData;
import io.vecml.engine.distance.Metric;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Iris (float32 features) against scikit-learn 1.2 on a fixed split: test = rows with index % 5 == 0.
 * Expected counts from
 * <pre>
 * python3 -c "import numpy as np; from sklearn.datasets import load_iris;
 *   from sklearn.neighbors import KNeighborsClassifier as K; X,y=load_iris(return_X_y=True); X=X.astype(np.float32)
 *   te=np.arange(150)%5==0; tr=~te
 *   [print(m,k,w,(K(k,metric=m,weights=w,algorithm='brute').fit(X[tr],y[tr]).predict(X[te])==y[te]).sum())
 *    for m in ('manhattan','euclidean') for k in (1,3,5,10) for w in ('uniform','distance')]"
 * </pre>
 * (A stable (distance, index) numpy reference gives the same predictions on this split: no
 * tie there is broken differently.)
 */
class KnnIrisTest {

    @ParameterizedTest(name = "{0} k={1} {2}")
    @CsvSource({
        "L1,1,UNIFORM,29", "L1,1,DISTANCE,29", "L1,3,UNIFORM,29", "L1,3,DISTANCE,29",
        "L1,5,UNIFORM,29", "L1,5,DISTANCE,29", "L1,10,UNIFORM,29", "L1,10,DISTANCE,29",
        "L2,1,UNIFORM,29", "L2,1,DISTANCE,29", "L2,3,UNIFORM,29", "L2,3,DISTANCE,29",
        "L2,5,UNIFORM,29", "L2,5,DISTANCE,29", "L2,10,UNIFORM,30", "L2,10,DISTANCE,29"})
    void matchesScikitLearn(Metric metric, int k, Weights w, int correct) throws Exception {
        Path iris = Path.of(KnnIrisTest.class.getResource("/io/vecml/engine/data/iris.csv").toURI());
        try (LoadedData d = CsvReader.read(iris, LoadOptions.DEFAULTS)) {
            int[] te = new int[30];
            int[] tr = new int[120];
            for (int i = 0, a = 0, b = 0; i < 150; i++) {
                if (i % 5 == 0) {
                    te[a++] = i;
                } else {
                    tr[b++] = i;
                }
            }
            try (Dataset train = d.train().select(tr); Dataset test = d.train().select(te)) {
                assertThat(train.type()).isEqualTo(Dataset.Type.FLOAT32);
                for (int threads = 1; threads <= 2; threads++) {
                    for (KnnOptions.Path path : metric == Metric.L2
                            ? new KnnOptions.Path[] {KnnOptions.Path.DIRECT, KnnOptions.Path.GEMM}
                            : new KnnOptions.Path[] {KnnOptions.Path.AUTO}) {
                        KnnOptions o = KnnOptions.of(metric).withWeights(w).withThreads(threads).withPath(path);
                        try (KnnClassifier knn = new KnnClassifier(o).fit(train)) {
                            int[] p = knn.predict(test, k);
                            int ok = 0;
                            for (int i = 0; i < 30; i++) {
                                ok += p[i] == test.label(i) ? 1 : 0;
                            }
                            assertThat(ok).as("%s threads=%d path=%s", metric, threads, path).isEqualTo(correct);
                            if (metric == Metric.L2 && k == 10 && w == Weights.UNIFORM) {
                                // KNeighborsClassifier(10, metric='euclidean').predict(X[te])
                                assertThat(p).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                        2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
                            }
                            if (metric == Metric.L1 && k == 5 && w == Weights.DISTANCE) {
                                // KNeighborsClassifier(5, metric='manhattan', weights='distance').predict(X[te])
                                assertThat(p).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1,
                                        2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
                            }
                        }
                    }
                }
            }
        }
    }
}
