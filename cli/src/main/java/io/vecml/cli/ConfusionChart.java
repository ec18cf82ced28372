package io.vecml.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A confusion matrix as a heat map: true classes down the left, predicted classes across the top
 * (names on both axes), the count in every cell. A cell's colour is its share of the true class's
 * row (its recall for the diagonal), white for 0 to dark blue for 1, so that a large class does not
 * wash out the others. Written with {@link Pictures#writePng}.
 */
final class ConfusionChart {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color LOW = Color.WHITE;
    private static final Color HIGH = new Color(0x08306b);

    private ConfusionChart() {
    }

    /** Draws and writes the matrix; {@code title} is the line above it. */
    static void write(List<String> names, long[][] cm, String title, Path file) throws IOException {
        Pictures.writePng(render(names, cm, title), file);
    }

    static BufferedImage render(List<String> names, long[][] cm, String title) {
        int k = names.size();
        if (k == 0 || cm.length != k) {
            throw new IllegalArgumentException("a confusion matrix of " + cm.length + " rows for " + k + " class names");
        }
        long max = 0;
        for (long[] row : cm) {
            if (row.length != k) {
                throw new IllegalArgumentException("confusion matrix rows must have " + k + " columns");
            }
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(label);
        FontMetrics fm = pg.getFontMetrics();
        int nameW = 0;
        String[] shown = new String[k];
        for (int c = 0; c < k; c++) {
            shown[c] = shorten(names.get(c), fm, 130);
            nameW = Math.max(nameW, fm.stringWidth(shown[c]));
        }
        int countW = fm.stringWidth(Long.toString(max));
        pg.dispose();
        int cell = Math.max(Math.max(30, countW + 10), Math.min(64, 640 / k));
        int left = 30 + nameW + 10;
        int top = 34 + 22 + nameW + 8;
        int w = Math.max(left + k * cell + 20, 360);
        int h = top + k * cell + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(bold);
            g.drawString(title, 10, 22);
            g.setFont(label);
            String px = "predicted class";
            g.drawString(px, left + (k * cell - fm.stringWidth(px)) / 2, 34 + fm.getAscent());
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            String py = "true class";
            g.drawString(py, -(top + (k * cell + fm.stringWidth(py)) / 2), 18);
            // column names, written upwards, ending just above the matrix
            for (int c = 0; c < k; c++) {
                int x = left + c * cell + cell / 2 + fm.getAscent() / 2 - 1;
                g.drawString(shown[c], -(top - 6), x);
            }
            g.setTransform(saved);
            for (int t = 0; t < k; t++) {
                long rowSum = 0;
                for (long v : cm[t]) {
                    rowSum += v;
                }
                int y = top + t * cell;
                g.setColor(Color.BLACK);
                g.drawString(shown[t], left - 8 - fm.stringWidth(shown[t]), y + (cell + fm.getAscent()) / 2 - 1);
                for (int c = 0; c < k; c++) {
                    double share = rowSum == 0 ? 0 : (double) cm[t][c] / rowSum;
                    int x = left + c * cell;
                    g.setColor(mix(share));
                    g.fillRect(x, y, cell, cell);
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    String s = Long.toString(cm[t][c]);
                    g.drawString(s, x + (cell - fm.stringWidth(s)) / 2, y + (cell + fm.getAscent()) / 2 - 1);
                }
            }
            g.setColor(new Color(0x999999));
            g.drawRect(left, top, k * cell, k * cell);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Color mix(double f) {
        return new Color((int) Math.round(LOW.getRed() + f * (HIGH.getRed() - LOW.getRed())),
                (int) Math.round(LOW.getGreen() + f * (HIGH.getGreen() - LOW.getGreen())),
                (int) Math.round(LOW.getBlue() + f * (HIGH.getBlue() - LOW.getBlue())));
    }

    private static String shorten(String name, FontMetrics fm, int width) {
        String s = name;
        while (fm.stringWidth(s) > width && s.length() > 3) {
            s = s.substring(0, s.length() - 2) + "…";
        }
        return s;
    }
}
