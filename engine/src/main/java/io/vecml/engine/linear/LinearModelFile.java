package io.vecml.engine.linear;

import io.vecml.engine.data.DataFormatException;
import io.vecml.engine.data.ImageShape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The linear-model file: a small binary format, big-endian, version 1.
 *
 * <pre>
 * bytes  field
 * 8      magic "VECMLLIN"
 * 4      version (1)
 * 1      loss: 0 svm, 1 softmax
 * 8      delta (f64, the SVM margin)
 * 1      regularisation: 0 none, 1 l2, 2 l1, 3 elastic net
 * 8      lambda (f64)
 * 8      l1Ratio (f64)
 * 1      bias regularised: 0 or 1
 * 1      preprocessing: 0 raw, 1 center, 2 standardize
 * 4      D, features (without the bias), >= 1
 * 4      C, classes, >= 1
 * 1      image shape present: 0 or 1; if 1: height, width, channels (4 bytes each), layout (1: 0 CHW, 1 HWC)
 * C x    class name: length (4 bytes, &lt;= 65535) then that many bytes of UTF-8
 * D x 8  mean (f64), unless preprocessing is raw
 * D x 8  scale (f64), only for standardize
 * (D+1) x C x 4  W, row-major f32; the last row is the bias
 * 4      CRC32 of every byte before it
 * </pre>
 *
 * <p>Written to a temp file in the target's folder and moved over the target in one atomic step,
 * so a reader never sees half a model. Reading checks the magic, the version, every code and size
 * (against the file's length, before allocating), the exact length and the checksum; a problem is
 * a {@link DataFormatException} naming the file, the byte offset and what was wrong.
 */
public final class LinearModelFile {

    /** The first 8 bytes of every model file. */
    public static final String MAGIC = "VECMLLIN";
    /** The version written, and the only one read. */
    public static final int VERSION = 1;

    private static final int MAX_NAME_BYTES = 65535;

    private LinearModelFile() {
    }

    /** Writes {@code model} to {@code file} atomically. */
    public static void write(LinearClassifier model, Path file) throws IOException {
        byte[] body = encode(model);
        io.vecml.engine.data.AtomicWrite.write(file, out -> out.write(body));
    }

    /** The file's bytes for {@code model}, checksum included. */
    static byte[] encode(LinearClassifier model) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        LinearConfig c = model.config();
        out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
        out.writeInt(VERSION);
        out.writeByte(c.loss().ordinal());
        out.writeDouble(c.delta());
        out.writeByte(c.regularizer().kind().ordinal());
        out.writeDouble(c.regularizer().lambda());
        out.writeDouble(c.regularizer().l1Ratio());
        out.writeByte(c.regularizer().includeBias() ? 1 : 0);
        out.writeByte(c.preprocessing().ordinal());
        int d = model.dims();
        int k = model.numClasses();
        out.writeInt(d);
        out.writeInt(k);
        ImageShape shape = model.imageShape().orElse(null);
        out.writeByte(shape == null ? 0 : 1);
        if (shape != null) {
            out.writeInt(shape.height());
            out.writeInt(shape.width());
            out.writeInt(shape.channels());
            out.writeByte(shape.layout().ordinal());
        }
        for (String name : model.classNames()) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("class name of " + b.length + " bytes; at most " + MAX_NAME_BYTES);
            }
            out.writeInt(b.length);
            out.write(b);
        }
        FeatureScaling s = model.scaling();
        if (s.kind() != Preprocessing.RAW) {
            for (double v : s.mean()) {
                out.writeDouble(v);
            }
        }
        if (s.kind() == Preprocessing.STANDARDIZE) {
            for (double v : s.scale()) {
                out.writeDouble(v);
            }
        }
        for (float w : model.weights()) {
            out.writeFloat(w);
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /** Reads a model, checking everything; see the class comment. */
    public static LinearClassifier read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 64) {
            throw DataFormatException.at(file, null, -1, "the file has " + size
                    + " bytes, more than any linear model this version writes (2 GB)");
        }
        return decode(file, Files.readAllBytes(file));
    }

    /** Reads from bytes with bounds checks; every failure names the offset. */
    private static final class Cursor {
        final Path file;
        final ByteBuffer buf;

        Cursor(Path file, byte[] bytes) {
            this.file = file;
            this.buf = ByteBuffer.wrap(bytes);
        }

        DataFormatException error(long offset, String what) {
            return DataFormatException.at(file, null, offset, what);
        }

        void need(long n, String what) throws DataFormatException {
            if (n > buf.remaining()) {
                throw error(buf.position(), "truncated: " + what + " needs " + n + " bytes but the file has "
                        + buf.remaining() + " left (" + buf.capacity() + " bytes in all)");
            }
        }

        int u8(String what) throws DataFormatException {
            need(1, what);
            return Byte.toUnsignedInt(buf.get());
        }

        int i32(String what) throws DataFormatException {
            need(4, what);
            return buf.getInt();
        }

        double f64(String what) throws DataFormatException {
            need(8, what);
            return buf.getDouble();
        }

        /** A one-byte code in 0..count-1. */
        int code(String what, int count, String meaning) throws DataFormatException {
            int at = buf.position();
            int v = u8(what);
            if (v >= count) {
                throw error(at, what + " code " + v + " is not one of " + meaning);
            }
            return v;
        }

        int count(String what, int min, long max) throws DataFormatException {
            int at = buf.position();
            int v = i32(what);
            if (v < min || v > max) {
                throw error(at, what + " is " + v + ", expected " + min + ".." + max);
            }
            return v;
        }
    }

    static LinearClassifier decode(Path file, byte[] bytes) throws DataFormatException {
        Cursor in = new Cursor(file, bytes);
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < magic.length || !java.util.Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw in.error(0, "not a vecml linear model (expected the magic bytes \"" + MAGIC + "\")");
        }
        in.buf.position(magic.length);
        int version = in.i32("version");
        if (version != VERSION) {
            throw in.error(magic.length, "unsupported model file version " + version + " (this vecml reads version "
                    + VERSION + ")");
        }
        Loss loss = Loss.values()[in.code("loss", Loss.values().length, "0 (svm), 1 (softmax)")];
        double delta = in.f64("delta");
        Regularizer.Kind kind = Regularizer.Kind.values()[in.code("regularisation", Regularizer.Kind.values().length,
                "0 (none), 1 (l2), 2 (l1), 3 (elastic net)")];
        double lambda = in.f64("lambda");
        double l1Ratio = in.f64("l1Ratio");
        boolean bias = in.code("bias flag", 2, "0, 1") == 1;
        Preprocessing pre = Preprocessing.values()[in.code("preprocessing", Preprocessing.values().length,
                "0 (raw), 1 (center), 2 (standardize)")];
        int headerEnd = in.buf.position();
        // Sizes are checked against the bytes that are left before anything is allocated.
        int d = in.count("feature count D", 1, Integer.MAX_VALUE / 64);
        int k = in.count("class count C", 1, Integer.MAX_VALUE / 64);
        long perValue = (long) (d + 1) * k * Float.BYTES + (pre == Preprocessing.RAW ? 0 : 8L * d)
                + (pre == Preprocessing.STANDARDIZE ? 8L * d : 0);
        in.need(perValue + 4L * k + 5, "the shape's " + d + " features x " + k + " classes");
        ImageShape shape = null;
        if (in.code("image shape flag", 2, "0, 1") == 1) {
            int at = in.buf.position();
            int h = in.i32("image height");
            int w = in.i32("image width");
            int ch = in.i32("image channels");
            int layout = in.code("image layout", 2, "0 (CHW), 1 (HWC)");
            try {
                shape = new ImageShape(h, w, ch, ImageShape.Layout.values()[layout]);
            } catch (IllegalArgumentException e) {
                throw in.error(at, e.getMessage());
            }
            if ((long) h * w * ch != d) {
                throw in.error(at, "image shape " + shape + " has " + (long) h * w * ch + " values but the model has "
                        + d + " features");
            }
        }
        List<String> names = new ArrayList<>(k);
        var utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int c = 0; c < k; c++) {
            int len = in.count("length of class name " + c, 0, MAX_NAME_BYTES);
            int at = in.buf.position();
            in.need(len, "class name " + c);
            try {
                names.add(utf8.decode(in.buf.slice(at, len)).toString());
            } catch (CharacterCodingException e) {
                throw in.error(at, "class name " + c + " is not valid UTF-8");
            }
            in.buf.position(at + len);
        }
        int statsAt = in.buf.position();
        in.need(perValue + 4, "the preprocessing statistics, weights and checksum");
        double[] mean = new double[d];
        double[] scale = new double[d];
        java.util.Arrays.fill(scale, 1);
        if (pre != Preprocessing.RAW) {
            for (int f = 0; f < d; f++) {
                mean[f] = in.f64("mean");
            }
        }
        if (pre == Preprocessing.STANDARDIZE) {
            for (int f = 0; f < d; f++) {
                scale[f] = in.f64("scale");
            }
        }
        int weightsAt = in.buf.position();
        float[] w = new float[(d + 1) * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = in.buf.getFloat();
        }
        int crcAt = in.buf.position();
        int stored = in.buf.getInt();
        if (in.buf.remaining() != 0) {
            throw in.error(in.buf.position(), in.buf.remaining() + " unexpected bytes after the checksum (the file should"
                    + " end at byte " + in.buf.position() + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, crcAt);
        if ((int) crc.getValue() != stored) {
            throw in.error(crcAt, String.format("checksum mismatch: the file says %08x, its contents give %08x"
                    + " (the file is corrupt)", stored, (int) crc.getValue()));
        }
        // The checksum only proves the bytes are the ones written: a model trained into NaN, or a file
        // made by hand, passes it. Every number the predictions use is checked before the model exists.
        int meanAt = statsAt;
        int scaleAt = statsAt + (pre == Preprocessing.RAW ? 0 : 8 * d);
        for (int f = 0; f < d; f++) {
            if (pre != Preprocessing.RAW && !Double.isFinite(mean[f])) {
                throw in.error(meanAt + 8L * f, "invalid model: mean of feature " + f + " is " + mean[f]
                        + " (expected a finite number)");
            }
            if (pre == Preprocessing.STANDARDIZE && !(Double.isFinite(scale[f]) && scale[f] > 0)) {
                throw in.error(scaleAt + 8L * f, "invalid model: scale of feature " + f + " is " + scale[f]
                        + " (expected a finite number > 0)");
            }
        }
        for (int i = 0; i < w.length; i++) {
            if (!Float.isFinite(w[i])) {
                int row = i / k;
                throw in.error(weightsAt + 4L * i, "invalid model: weight W[" + row + "][" + (i % k) + "]"
                        + (row == d ? " (the bias of class " + (i % k) + ")" : "") + " is " + w[i]
                        + " (expected a finite number)");
            }
        }
        try {
            Regularizer reg = new Regularizer(kind, lambda, l1Ratio, bias);
            LinearConfig config = new LinearConfig(loss, delta, reg, pre);
            FeatureScaling scaling = new FeatureScaling(pre, mean, scale);
            return new LinearClassifier(config, scaling, names, shape, w);
        } catch (IllegalArgumentException e) {
            throw in.error(e.getMessage().startsWith("feature") ? statsAt : headerEnd, "invalid model: " + e.getMessage());
        }
    }
}
