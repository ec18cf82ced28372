package io.vecml.engine.train;

import io.vecml.engine.data.Dataset;
import io.vecml.engine.data.ImageShape;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** A tiny IDX reader for the Fashion-MNIST files, test scope only (the engine's reader lives elsewhere). */
final class FashionMnist {

    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }

    static boolean available() {
        return Files.isReadable(DIR.resolve("train-images-idx3-ubyte.gz"));
    }

    /** "train" or "t10k". */
    static Dataset load(String part) throws IOException {
        int[] labels;
        try (DataInputStream in = open(DIR.resolve(part + "-labels-idx1-ubyte.gz"))) {
            if (in.readInt() != 0x801) {
                throw new IOException("bad label magic");
            }
            labels = new int[in.readInt()];
            byte[] b = in.readNBytes(labels.length);
            for (int i = 0; i < labels.length; i++) {
                labels[i] = b[i];
            }
        }
        try (DataInputStream in = open(DIR.resolve(part + "-images-idx3-ubyte.gz"))) {
            if (in.readInt() != 0x803) {
                throw new IOException("bad image magic");
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            if (n != labels.length) {
                throw new IOException(n + " images but " + labels.length + " labels");
            }
            Dataset d = Dataset.allocate(Dataset.Type.UINT8, n, h * w, labels, CLASSES, ImageShape.grey(h, w));
            byte[] row = new byte[h * w];
            MemorySegment s = d.segment();
            for (int r = 0; r < n; r++) {
                in.readFully(row);
                MemorySegment.copy(row, 0, s, ValueLayout.JAVA_BYTE, d.rowOffset(r), row.length);
            }
            return d;
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream raw = Files.newInputStream(p);
        return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
    }
}
