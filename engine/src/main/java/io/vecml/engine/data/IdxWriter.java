package io.vecml.engine.data;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes grey uint8 images as IDX files (the MNIST / Fashion-MNIST format read by {@link IdxReader}):
 * an images file ({@code 0x00000803}, N, rows, cols, pixels) and a labels file ({@code 0x00000801}, N,
 * labels), big-endian, gzip'd or plain. Each file appears atomically (temporary name in the same
 * folder, then a rename). The bytes depend only on the data (gzip headers carry no time).
 */
public final class IdxWriter {

    private static final int BUFFER = 1 << 20;

    private IdxWriter() {
    }

    /**
     * Writes the four standard gzip'd files ({@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
     * {@code t10k-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte.gz}) into {@code dir} (created if missing).
     */
    public static void write(LoadedData data, Path dir) throws IOException {
        if (data.test() == null) {
            throw new IllegalArgumentException("the IDX folder layout needs a test split (t10k-*); " + data.source()
                    + " has none");
        }
        check(data.train(), data.source() + " train");
        check(data.test(), data.source() + " test");
        Files.createDirectories(dir);
        write(data.train(), dir.resolve(IdxReader.TRAIN_IMAGES + ".gz"), dir.resolve(IdxReader.TRAIN_LABELS + ".gz"), true);
        write(data.test(), dir.resolve(IdxReader.TEST_IMAGES + ".gz"), dir.resolve(IdxReader.TEST_LABELS + ".gz"), true);
    }

    /**
     * Writes one dataset as an images file and a labels file, gzip'd or plain. The dataset must be
     * uint8 with a grey {@link ImageShape} (IDX images carry rows and cols) and labels below 256.
     */
    public static void write(Dataset d, Path images, Path labels, boolean gzip) throws IOException {
        check(d, images.toString());
        ImageShape s = d.imageShape().orElseThrow();
        CifarBinaryWriter.writeAtomically(labels, raw -> {
            OutputStream out = gzip ? new GZIPOutputStream(raw, BUFFER) : raw;
            writeInts(out, IdxReader.LABELS_MAGIC, d.rows());
            byte[] y = new byte[d.rows()];
            for (int r = 0; r < y.length; r++) {
                y[r] = (byte) d.label(r);
            }
            out.write(y);
            finish(out);
        });
        CifarBinaryWriter.writeAtomically(images, raw -> {
            OutputStream out = gzip ? new GZIPOutputStream(raw, BUFFER) : raw;
            writeInts(out, IdxReader.IMAGES_MAGIC, d.rows(), s.height(), s.width());
            int dims = d.dims();
            int per = Math.max(1, BUFFER / dims);
            byte[] buf = new byte[per * dims];
            MemorySegment heap = MemorySegment.ofArray(buf);
            for (int r = 0; r < d.rows(); ) {
                int k = Math.min(per, d.rows() - r);
                for (int i = 0; i < k; i++, r++) {
                    MemorySegment.copy(d.segment(), d.rowOffset(r), heap, (long) i * dims, dims);
                }
                out.write(buf, 0, k * dims);
            }
            finish(out);
        });
    }

    private static void finish(OutputStream out) throws IOException {
        if (out instanceof GZIPOutputStream gz) {
            gz.finish();
        }
    }

    private static void check(Dataset d, String what) {
        if (d.type() != Dataset.Type.UINT8) {
            throw new IllegalArgumentException(what + " is " + d + "; IDX images hold uint8 values");
        }
        ImageShape s = d.imageShape().orElseThrow(() -> new IllegalArgumentException(what + " has no image shape; "
                + "IDX images need rows and cols"));
        if (s.channels() != 1) {
            throw new IllegalArgumentException(what + " has images " + s + "; IDX (MNIST) images are grey");
        }
        if (d.numClasses() > 256) {
            throw new IllegalArgumentException(what + " has " + d.numClasses() + " classes; IDX labels are single bytes");
        }
    }

    private static void writeInts(OutputStream out, int... values) throws IOException {
        byte[] b = new byte[4 * values.length];
        for (int i = 0; i < values.length; i++) {
            b[4 * i] = (byte) (values[i] >>> 24);
            b[4 * i + 1] = (byte) (values[i] >>> 16);
            b[4 * i + 2] = (byte) (values[i] >>> 8);
            b[4 * i + 3] = (byte) values[i];
        }
        out.write(b);
    }
}
