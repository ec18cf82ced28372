package io.vecml.engine.regression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vecml.engine.data.CsvTable;
import io.vecml.engine.data.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinearRegressionTest {

    private static Path resource(String name) throws Exception {
        return Path.of(LinearRegressionTest.class.getResource(name).toURI());
    }

    /*
     * /usr/bin/python3 -c "
     * import numpy as np; from sklearn.linear_model import LinearRegression
     * from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
     * d=np.loadtxt('student_scores.csv',delimiter=',',skiprows=1); X=d[:,:1]; y=d[:,1]
     * m=LinearRegression().fit(X,y); p=m.predict(X)
     * print(repr(m.coef_[0]), repr(m.intercept_), repr(mean_absolute_error(y,p)), repr(mean_squared_error(y,p)),
     *       repr(mean_squared_error(y,p)**0.5), repr(r2_score(y,p)), repr(m.predict([[9.25]])[0]))"
     * -> 9.775803390787468 2.48367340537321 4.972805319866375 28.882730509245466 5.374265578592619
     *    0.9529481969048356 92.9098547701573   (scikit-learn 1.2.1, numpy 1.24.2)
     */
    @Test
    void studentScoresAgreeWithScikitLearn() throws Exception {
        CsvTable t = CsvTable.read(resource("student_scores.csv"), true);
        assertThat(t.rows()).isEqualTo(25);
        LinearRegression m = LinearRegression.fit(t, "Scores", List.of());
        assertThat(m.features()).containsExactly("Hours");
        assertThat(m.coefficients()[0]).isCloseTo(9.775803390787468, within(1e-10));
        assertThat(m.intercept()).isCloseTo(2.48367340537321, within(1e-10));
        RegressionMetrics r = m.evaluate(t);
        assertThat(r.mae()).isCloseTo(4.972805319866375, within(1e-10));
        assertThat(r.mse()).isCloseTo(28.882730509245466, within(1e-9));
        assertThat(r.rmse()).isCloseTo(5.374265578592619, within(1e-10));
        assertThat(r.r2()).isCloseTo(0.9529481969048356, within(1e-12));
        assertThat(m.predict(new double[] {9.25})).isCloseTo(92.9098547701573, within(1e-9));
        // the rounded values
        assertThat(m.coefficients()[0]).isCloseTo(9.7758, within(5e-5));
        assertThat(m.intercept()).isCloseTo(2.4837, within(5e-5));
        assertThat(r.mae()).isCloseTo(4.9728, within(5e-5));
        assertThat(r.rmse()).isCloseTo(5.3743, within(5e-5));
        assertThat(r.r2()).isCloseTo(0.9529, within(5e-5));
        assertThat(LinearRegression.fit(t, "Scores", List.of("Hours")).coefficients()).containsExactly(m.coefficients());
    }

    /*
     * /usr/bin/python3 -c "
     * import numpy as np; from sklearn.linear_model import LinearRegression
     * X=np.array([[1,2,0.5],[2,0,1.5],[3,1,-1],[4,3,2],[5,5,0],[6,1,1],[7,2,3]],float)
     * y=np.array([3.1,4.2,5.0,9.9,12.1,8.0,13.7])
     * m=LinearRegression().fit(X,y); print(repr(m.intercept_), [repr(c) for c in m.coef_])"
     */
    @Test
    void severalFeaturesAgreeWithScikitLearn() {
        double[][] x = {{1, 2, 0.5}, {2, 0, 1.5}, {3, 1, -1}, {4, 3, 2}, {5, 5, 0}, {6, 1, 1}, {7, 2, 3}};
        double[] y = {3.1, 4.2, 5.0, 9.9, 12.1, 8.0, 13.7};
        LinearRegression m = LinearRegression.fit(x, y, List.of("a", "b", "c"), "y");
        assertThat(m.intercept()).isCloseTo(INTERCEPT, within(1e-10));
        assertThat(m.coefficients()[0]).isCloseTo(COEF[0], within(1e-10));
        assertThat(m.coefficients()[1]).isCloseTo(COEF[1], within(1e-10));
        assertThat(m.coefficients()[2]).isCloseTo(COEF[2], within(1e-10));
    }

    // -> 0.10816203143893688 ['1.2190447400241835', '1.1389661426844013', '0.7377267230955264']
    private static final double INTERCEPT = 0.10816203143893688;
    private static final double[] COEF = {1.2190447400241835, 1.1389661426844013, 0.7377267230955264};

    @Test
    void exactLinearDataIsRecoveredAtScale() {
        // badly scaled columns: QR copes where normal equations would lose digits
        SplittableRandom rnd = new SplittableRandom(1);
        double[][] x = new double[200][3];
        double[] y = new double[200];
        for (int i = 0; i < 200; i++) {
            x[i][0] = rnd.nextDouble() * 1e6;
            x[i][1] = rnd.nextDouble() * 1e-3;
            x[i][2] = rnd.nextDouble() - 0.5;
            y[i] = 4 + 2e-6 * x[i][0] + 3e3 * x[i][1] - 7 * x[i][2];
        }
        LinearRegression m = LinearRegression.fit(x, y, List.of("big", "small", "mid"), "y");
        assertThat(m.intercept()).isCloseTo(4, within(1e-9));
        assertThat(m.coefficients()[0]).isCloseTo(2e-6, within(1e-15));
        assertThat(m.coefficients()[1]).isCloseTo(3e3, within(1e-6));
        assertThat(m.coefficients()[2]).isCloseTo(-7, within(1e-9));
        RegressionMetrics r = m.evaluate(x, y);
        assertThat(r.r2()).isCloseTo(1, within(1e-12));
        assertThat(r.mae()).isLessThan(1e-9);
    }

    @Test
    void singularProblemsAreNamed() {
        double[][] constant = {{1, 5}, {2, 5}, {3, 5}, {4, 5}};
        double[] y = {1, 2, 3, 5};
        assertThatThrownBy(() -> LinearRegression.fit(constant, y, List.of("hours", "room"), "score"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature 'room' is constant (5.0 in every row)")
                .hasMessageContaining("intercept");
        double[][] collinear = {{1, 5, 7}, {2, 7, 1}, {3, 9, 2}, {4, 11, 4}, {5, 13, 0}};
        double[] y5 = {1, 2, 3, 5, 4};
        assertThatThrownBy(() -> LinearRegression.fit(collinear, y5, List.of("a", "b", "c"), "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature 'b' is a linear combination of the intercept and 'a'")
                .hasMessageContaining("collinear");
        assertThatThrownBy(() -> LinearRegression.fit(new double[][] {{1, 2}, {3, 4}}, new double[] {1, 2},
                List.of("a", "b"), "y")).hasMessageContaining("need at least 3 rows, got 2");
        assertThatThrownBy(() -> LinearRegression.fit(new double[][] {{1}, {1}}, new double[] {1, 2}, List.of("a"), "y"))
                .hasMessageContaining("feature 'a' is constant");
    }

    @Test
    void metricsEdgeCases() {
        RegressionMetrics m = RegressionMetrics.of(new double[] {1, 2, 3}, new double[] {1, 3, 5});
        assertThat(m.mae()).isEqualTo(1.0);
        assertThat(m.mse()).isCloseTo(5 / 3.0, within(1e-15));
        assertThat(m.rmse()).isCloseTo(Math.sqrt(5 / 3.0), within(1e-15));
        assertThat(m.r2()).isCloseTo(1 - 5 / 2.0, within(1e-15));
        assertThat(RegressionMetrics.of(new double[] {2, 2}, new double[] {2, 2}).r2()).isEqualTo(1.0);
        assertThat(RegressionMetrics.of(new double[] {2, 2}, new double[] {2, 3}).r2()).isEqualTo(0.0);
        assertThatThrownBy(() -> RegressionMetrics.of(new double[] {1}, new double[0])).hasMessageContaining("1 true");
    }

    @Test
    void csvErrorsNameTheFileAndColumn(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "x,y,label\n1,2,a\n2,4,b\n3,7,c\n");
        CsvTable t = CsvTable.read(f, true);
        assertThatThrownBy(() -> LinearRegression.fit(t, "z", List.of()))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("no column named 'z'");
        assertThatThrownBy(() -> LinearRegression.fit(t, "y", List.of()))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("label");
        LinearRegression m = LinearRegression.fit(t, "y", List.of("x"));
        assertThat(m.coefficients()[0]).isCloseTo(2.5, within(1e-12));
        assertThat(m.toString()).startsWith("y = ").contains("* x");
    }
}
