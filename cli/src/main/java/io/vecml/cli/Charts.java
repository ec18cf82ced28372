package io.vecml.cli;

import io.vecml.engine.eval.KnnGridReports;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Line and scatter charts as PNG pictures: panels stacked vertically, each with a title, labelled
 * axes with round tick values, grid lines and a legend above the plot area (so it never hides
 * data). Written with {@link Pictures#writePng}. Rendering is headless.
 */
final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Colours of successive series. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd)};

    private Charts() {
    }

    /** How a series is drawn. */
    enum Style {
        LINE, POINTS, LINE_AND_POINTS
    }

    /** One named series; NaN values are skipped. */
    record Series(String name, double[] x, double[] y, Color color, Style style) {
        Series {
            Objects.requireNonNull(name, "name");
            if (x.length != y.length) {
                throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
            }
        }

        boolean hasValues() {
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One plot.
     *
     * @param integerX x ticks at whole numbers only (epochs)
     */
    record Panel(String title, String xLabel, String yLabel, List<Series> series, boolean integerX) {
    }

    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 48;
    private static final int BOTTOM = 52;

    /** Panels of {@code width x panelHeight} pixels each, one under the other. */
    static BufferedImage render(int width, int panelHeight, List<Panel> panels) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels to draw");
        }
        BufferedImage img = new BufferedImage(width, panelHeight * panels.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (int i = 0; i < panels.size(); i++) {
                draw(g, panels.get(i), 0, i * panelHeight, width, panelHeight);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void draw(Graphics2D g, Panel p, int x0, int y0, int w, int h) {
        List<Series> shown = p.series().stream().filter(Series::hasValues).toList();
        double[] xr = range(shown, true);
        double[] yr = range(shown, false);
        Ticks xt = Ticks.of(xr[0], xr[1], p.integerX());
        Ticks yt = Ticks.of(yr[0], yr[1], false);
        int px = x0 + LEFT;
        int py = y0 + TOP;
        int pw = w - LEFT - RIGHT;
        int ph = h - TOP - BOTTOM;
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        // title and legend
        g.setFont(title);
        g.setColor(Color.BLACK);
        g.drawString(p.title(), px, y0 + 20);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        int lx = px + pw;
        for (int i = shown.size() - 1; i >= 0; i--) {
            Series s = shown.get(i);
            lx -= fm.stringWidth(s.name()) + 34;
            int ly = y0 + 38;
            g.setColor(s.color());
            if (s.style() != Style.POINTS) {
                g.setStroke(new BasicStroke(2f));
                g.draw(new Line2D.Double(lx, ly - 4, lx + 22, ly - 4));
            }
            if (s.style() != Style.LINE) {
                g.fill(new Ellipse2D.Double(lx + 8, ly - 7, 6, 6));
            }
            g.setColor(Color.BLACK);
            g.drawString(s.name(), lx + 26, ly);
        }
        // grid and ticks
        g.setStroke(new BasicStroke(1f));
        for (double v : xt.values()) {
            int sx = (int) Math.round(px + (v - xt.lo()) / (xt.hi() - xt.lo()) * pw);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(sx, py, sx, py + ph);
            g.setColor(Color.BLACK);
            g.drawLine(sx, py + ph, sx, py + ph + 4);
            String t = xt.format(v);
            g.drawString(t, sx - fm.stringWidth(t) / 2, py + ph + 6 + fm.getAscent());
        }
        for (double v : yt.values()) {
            int sy = (int) Math.round(py + ph - (v - yt.lo()) / (yt.hi() - yt.lo()) * ph);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(px, sy, px + pw, sy);
            g.setColor(Color.BLACK);
            g.drawLine(px - 4, sy, px, sy);
            String t = yt.format(v);
            g.drawString(t, px - 7 - fm.stringWidth(t), sy + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(px, py, pw, ph);
        // axis labels
        g.drawString(p.xLabel(), px + (pw - fm.stringWidth(p.xLabel())) / 2, y0 + h - 10);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel(), -(py + (ph + fm.stringWidth(p.yLabel())) / 2), x0 + 16);
        g.setTransform(saved);
        // data, clipped to the plot area (and a margin, so that points on its edge stay whole)
        java.awt.Shape clip = g.getClip();
        g.clipRect(px - 5, py - 5, pw + 11, ph + 11);
        for (Series s : shown) {
            g.setColor(s.color());
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean open = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
                    open = false;
                    continue;
                }
                double sx = px + (s.x()[i] - xt.lo()) / (xt.hi() - xt.lo()) * pw;
                double sy = py + ph - (s.y()[i] - yt.lo()) / (yt.hi() - yt.lo()) * ph;
                if (s.style() != Style.LINE) {
                    double r = s.style() == Style.POINTS ? 3.5 : 2.5;
                    g.fill(new Ellipse2D.Double(sx - r, sy - r, 2 * r, 2 * r));
                }
                if (open) {
                    path.lineTo(sx, sy);
                } else {
                    path.moveTo(sx, sy);
                    open = true;
                }
            }
            if (s.style() != Style.POINTS) {
                g.draw(path);
            }
        }
        g.setClip(clip);
    }

    /** min and max of the finite x (or y) values; a unit range around a single value; 0..1 for none. */
    private static double[] range(List<Series> series, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    double v = x ? s.x()[i] : s.y()[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - d, hi + d};
        }
        return new double[] {lo, hi};
    }

    /** Round tick values covering lo..hi (1, 2 or 5 times a power of ten apart). */
    record Ticks(double lo, double hi, double step, int decimals) {

        static Ticks of(double lo, double hi, boolean integers) {
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / mag;
            double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
            if (integers) {
                step = Math.max(1, Math.round(step));
            }
            double a = Math.floor(lo / step) * step;
            double b = Math.ceil(hi / step) * step;
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return new Ticks(a, b == a ? a + step : b, step, decimals);
        }

        double[] values() {
            int n = (int) Math.round((hi - lo) / step) + 1;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = lo + i * step;
            }
            return v;
        }

        String format(double v) {
            return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
    }

    /** The classic figure: mean CV score (with +/- one std band as thin lines) against k, per metric and weighting. */
    static BufferedImage accuracyVsK(KnnGridReports.Report r) {
        java.util.Map<String, List<KnnGridReports.Row>> lines = new java.util.LinkedHashMap<>();
        for (KnnGridReports.Row x : r.results()) {
            lines.computeIfAbsent(x.metric() + (r.results().stream().map(KnnGridReports.Row::weights).distinct()
                    .count() > 1
                    ? " " + x.weights() : ""), key -> new java.util.ArrayList<>()).add(x);
        }
        List<Series> series = new java.util.ArrayList<>();
        int c = 0;
        for (var e : lines.entrySet()) {
            List<KnnGridReports.Row> rows = e.getValue();
            double[] x = new double[rows.size()];
            double[] y = new double[rows.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rows.get(i).k();
                y[i] = rows.get(i).mean();
            }
            series.add(new Series(e.getKey(), x, y, PALETTE[c++ % PALETTE.length],
                    Style.LINE_AND_POINTS));
        }
        KnnGridReports.Row b = r.best();
        series.add(new Series(String.format(Locale.ROOT, "best: %s k=%d", b.metric(), b.k()),
                new double[] {b.k()}, new double[] {b.mean()}, java.awt.Color.BLACK, Style.POINTS));
        return render(720, 420, List.of(new Panel(String.format(Locale.ROOT,
                "%d-fold cross-validated %s against k", r.folds(), r.scoring()), "k", "mean CV " + r.scoring(),
                series, true)));
    }
}
