package io.vecml.engine.data;

/**
 * How a row's features form an image: {@code height x width x channels}, laid out either
 * channel-planar ({@link Layout#CHW}: all of channel 0 row-major, then channel 1, ... as CIFAR
 * stores R, G, B) or interleaved ({@link Layout#HWC}: the channels of one pixel together).
 */
public record ImageShape(int height, int width, int channels, Layout layout) {

    /** Order of the values of one image. */
    public enum Layout {
        /** Channel planes one after another (CIFAR). */
        CHW,
        /** Pixels one after another, channels interleaved. */
        HWC
    }

    public ImageShape {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image shape must be positive, got " + height + "x" + width + "x" + channels);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 (grey) or 3 (RGB) channels, got " + channels);
        }
        java.util.Objects.requireNonNull(layout, "layout");
    }

    /** A grey image. */
    public static ImageShape grey(int height, int width) {
        return new ImageShape(height, width, 1, Layout.CHW);
    }

    /** Number of values per image. */
    public int dims() {
        return height * width * channels;
    }

    /** Index within the row of the value at (y, x, channel c). */
    public int index(int y, int x, int c) {
        return layout == Layout.CHW ? (c * height + y) * width + x : (y * width + x) * channels + c;
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels + " " + layout;
    }
}
