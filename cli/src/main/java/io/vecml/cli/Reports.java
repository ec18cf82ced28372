package io.vecml.cli;

import io.vecml.engine.data.AtomicWrite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Helpers of the report-writing commands (demo, bench): atomic text files, Markdown tables, bar charts. */
final class Reports {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Reports() {
    }

    /** Writes UTF-8 text atomically ({@link AtomicWrite}). */
    static void writeText(String text, Path out) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(out, os -> os.write(bytes));
    }

    /** A Markdown table; cells have their '|' escaped. */
    static String table(List<String> head, List<List<String>> rows) {
        StringBuilder b = new StringBuilder();
        b.append(row(head));
        b.append('|');
        for (int i = 0; i < head.size(); i++) {
            b.append("---|");
        }
        b.append('\n');
        for (List<String> r : rows) {
            b.append(row(r));
        }
        return b.toString();
    }

    private static String row(List<String> cells) {
        StringBuilder b = new StringBuilder("|");
        for (String c : cells) {
            b.append(' ').append(c == null ? "-" : c.replace("|", "\\|")).append(" |");
        }
        return b.append('\n').toString();
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** "-" for null, else the number formatted. */
    static String num(Double v, String format) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, format, v);
    }

    /** One bar: a label, a value (a ratio), and the group that gives its colour. */
    record Bar(String label, double value, int group) {
    }

    /**
     * Horizontal bars on a log2 axis (ratios: 1x is the baseline line, faster to the right, slower to
     * the left), the value written at the end of each bar; group names in a legend.
     */
    static BufferedImage barChart(String title, List<Bar> bars, List<String> groups) {
        int rowH = 22;
        int left = 230;
        int right = 80;
        int top = 64;
        int bottom = 40;
        int plotW = 560;
        int w = left + plotW + right;
        int h = top + Math.max(1, bars.size()) * rowH + bottom;
        double lo = 0.5;
        double hi = 2;
        for (Bar b : bars) {
            if (b.value() > 0 && Double.isFinite(b.value())) {
                lo = Math.min(lo, b.value());
                hi = Math.max(hi, b.value());
            }
        }
        double l2lo = Math.floor(log2(lo));
        double l2hi = Math.ceil(log2(hi));
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.setColor(Color.BLACK);
            g.drawString(title, 12, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            int lx = 12;
            for (int i = 0; i < groups.size(); i++) {
                g.setColor(Charts.PALETTE[i % Charts.PALETTE.length]);
                g.fillRect(lx, 34, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(groups.get(i), lx + 16, 45);
                lx += 16 + fm.stringWidth(groups.get(i)) + 18;
            }
            // grid: powers of two
            g.setColor(new Color(0xdddddd));
            for (double e = l2lo; e <= l2hi; e++) {
                int x = left + (int) Math.round((e - l2lo) / (l2hi - l2lo) * plotW);
                g.drawLine(x, top - 4, x, h - bottom);
                String t = e >= 0 ? f("%.0fx", Math.pow(2, e)) : f("1/%.0fx", Math.pow(2, -e));
                g.setColor(Color.DARK_GRAY);
                g.drawString(t, x - fm.stringWidth(t) / 2, h - bottom + 16);
                g.setColor(new Color(0xdddddd));
            }
            int x1 = left + (int) Math.round((0 - l2lo) / (l2hi - l2lo) * plotW);
            for (int i = 0; i < bars.size(); i++) {
                Bar b = bars.get(i);
                int y = top + i * rowH;
                g.setColor(Color.BLACK);
                String label = b.label();
                while (fm.stringWidth(label) > left - 16 && label.length() > 3) {
                    label = label.substring(0, label.length() - 2) + "…";
                }
                g.drawString(label, left - 8 - fm.stringWidth(label), y + rowH / 2 + fm.getAscent() / 2 - 1);
                if (!(b.value() > 0) || !Double.isFinite(b.value())) {
                    g.drawString("n/a", x1 + 4, y + rowH / 2 + fm.getAscent() / 2 - 1);
                    continue;
                }
                int xv = left + (int) Math.round((log2(b.value()) - l2lo) / (l2hi - l2lo) * plotW);
                g.setColor(Charts.PALETTE[b.group() % Charts.PALETTE.length]);
                g.fillRect(Math.min(x1, xv), y + 3, Math.max(1, Math.abs(xv - x1)), rowH - 6);
                g.setColor(Color.BLACK);
                g.drawString(f("%.2fx", b.value()), Math.max(x1, xv) + 4, y + rowH / 2 + fm.getAscent() / 2 - 1);
            }
            g.setStroke(new BasicStroke(1.5f));
            g.setColor(Color.BLACK);
            g.drawLine(x1, top - 4, x1, h - bottom);
            g.drawString("speed-up (log scale; 1x = baseline)", left, h - 8);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }
}
