package io.vecml.cli;

import io.vecml.engine.data.AtomicWrite;
import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import io.vecml.engine.data.Splits;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** PNG pictures: sample grids and (later) charts. Rendering is headless; files are written atomically. */
final class Pictures {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Pictures() {
    }

    /** The image shape of the rows, or a square grey guess; an error when rows are not images. */
    static ImageShape shapeOf(Dataset d) {
        return shapeOf(d.dims(), d.imageShape());
    }

    /** {@code known} when present, else a square grey (or CHW colour) guess from {@code dims}; an error otherwise. */
    static ImageShape shapeOf(int dims, java.util.Optional<ImageShape> known) {
        if (known.isPresent()) {
            return known.get();
        }
        int side = (int) Math.round(Math.sqrt(dims));
        if (side > 0 && side * side == dims) {
            return ImageShape.grey(side, side);
        }
        int s3 = (int) Math.round(Math.sqrt(dims / 3.0));
        if (s3 > 0 && 3 * s3 * s3 == dims) {
            return new ImageShape(s3, s3, 3, ImageShape.Layout.CHW);
        }
        throw new IllegalArgumentException("rows of " + dims + " features are not images (no image shape, not a"
                + " square number of grey or RGB pixels)");
    }

    /** Columns of {@link #classImages}. */
    static final int CLASS_IMAGE_COLUMNS = 10;

    /**
     * One picture per class (templates, weight vectors), each scaled to its own min..max (so a weight
     * image shows its pattern whatever its magnitude), with the class name underneath; up to
     * {@value #CLASS_IMAGE_COLUMNS} per line. Colour for 3-channel shapes, grey otherwise.
     */
    static BufferedImage classImages(List<String> names, float[][] images, ImageShape shape) {
        if (names.size() != images.length) {
            throw new IllegalArgumentException(images.length + " images but " + names.size() + " names");
        }
        int scale = Math.max(1, 96 / Math.max(shape.height(), shape.width()));
        int imgW = shape.width() * scale;
        int imgH = shape.height() * scale;
        int cellW = Math.max(imgW, 90);
        int textH = 20;
        int gap = 8;
        int n = images.length;
        int cols = Math.max(1, Math.min(CLASS_IMAGE_COLUMNS, n));
        int lines = Math.max(1, Math.ceilDiv(n, cols));
        int w = gap + cols * (cellW + gap);
        int h = gap + lines * (imgH + textH + gap);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                float[] v = images[i];
                if (v.length != shape.dims()) {
                    throw new IllegalArgumentException("image " + i + " has " + v.length + " values, the shape "
                            + shape + " needs " + shape.dims());
                }
                float lo = Float.MAX_VALUE;
                float hi = -Float.MAX_VALUE;
                for (float x : v) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                float range = hi > lo ? hi - lo : 1;
                int x0 = gap + (i % cols) * (cellW + gap);
                int y0 = gap + (i / cols) * (imgH + textH + gap);
                int ix = x0 + (cellW - imgW) / 2;
                for (int y = 0; y < shape.height(); y++) {
                    for (int x = 0; x < shape.width(); x++) {
                        int rgb;
                        if (shape.channels() == 3) {
                            rgb = level(v[shape.index(y, x, 0)], lo, range) << 16
                                    | level(v[shape.index(y, x, 1)], lo, range) << 8
                                    | level(v[shape.index(y, x, 2)], lo, range);
                        } else {
                            int q = level(v[shape.index(y, x, 0)], lo, range);
                            rgb = q << 16 | q << 8 | q;
                        }
                        for (int dy = 0; dy < scale; dy++) {
                            for (int dx = 0; dx < scale; dx++) {
                                img.setRGB(ix + x * scale + dx, y0 + y * scale + dy, rgb);
                            }
                        }
                    }
                }
                String name = names.get(i);
                while (fm.stringWidth(name) > cellW && name.length() > 3) {
                    name = name.substring(0, name.length() - 2) + "…";
                }
                g.setColor(Color.BLACK);
                g.drawString(name, x0 + (cellW - fm.stringWidth(name)) / 2, y0 + imgH + fm.getAscent() + 3);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * A grid with one line per class: the class name, then {@code perClass} samples of that class
     * chosen by a seeded shuffle. Pixel values are scaled to 0..255 by the data's range.
     */
    static BufferedImage sampleGrid(Dataset d, int perClass, long seed) {
        ImageShape shape = shapeOf(d);
        int scale = Math.max(1, 64 / Math.max(shape.height(), shape.width()));
        int cellW = shape.width() * scale;
        int cellH = shape.height() * scale;
        int gap = 4;
        int classes = d.numClasses();
        int[][] picks = new int[classes][];
        int[] filled = new int[classes];
        for (int c = 0; c < classes; c++) {
            picks[c] = new int[perClass];
        }
        for (int r : Splits.permutation(d.rows(), seed)) {
            int c = d.label(r);
            if (filled[c] < perClass) {
                picks[c][filled[c]++] = r;
            }
        }
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < filled[c]; i++) {
                for (int k = 0; k < d.dims(); k++) {
                    float v = d.value(picks[c][i], k);
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (d.type() == Dataset.Type.UINT8 && hi > 16) {
            lo = 0;
            hi = 255;
        } else if (d.type() == Dataset.Type.UINT8) {
            lo = 0; // e.g. the digits, 0..16
        }
        float range = hi > lo ? hi - lo : 1;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        int labelW = 110;
        int w = labelW + perClass * (cellW + gap) + gap;
        int h = gap + classes * (cellH + gap);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            for (int c = 0; c < classes; c++) {
                int y0 = gap + c * (cellH + gap);
                g.setColor(Color.BLACK);
                String name = d.classNames().get(c);
                while (fm.stringWidth(name) > labelW - 8 && name.length() > 3) {
                    name = name.substring(0, name.length() - 2) + "…";
                }
                g.drawString(name, 4, y0 + cellH / 2 + fm.getAscent() / 2);
                for (int i = 0; i < filled[c]; i++) {
                    int x0 = labelW + gap + i * (cellW + gap);
                    drawImage(img, d, picks[c][i], shape, x0, y0, scale, lo, range);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawImage(BufferedImage img, Dataset d, int row, ImageShape s, int x0, int y0, int scale,
            float lo, float range) {
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                int rgb;
                if (s.channels() == 1) {
                    int v = level(d.value(row, s.index(y, x, 0)), lo, range);
                    rgb = v << 16 | v << 8 | v;
                } else {
                    int r = level(d.value(row, s.index(y, x, 0)), lo, range);
                    int gr = level(d.value(row, s.index(y, x, 1)), lo, range);
                    int b = level(d.value(row, s.index(y, x, 2)), lo, range);
                    rgb = r << 16 | gr << 8 | b;
                }
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
    }

    private static int level(float v, float lo, float range) {
        int q = Math.round((v - lo) / range * 255f);
        return Math.max(0, Math.min(255, q));
    }

    /** Writes a PNG atomically ({@link AtomicWrite}); the folder must exist ({@link OutputPaths} creates it). */
    static void writePng(BufferedImage img, Path out) throws IOException {
        AtomicWrite.write(out, os -> {
            if (!ImageIO.write(img, "png", os)) {
                throw new IOException("no PNG writer available in this JDK");
            }
        });
    }
}
