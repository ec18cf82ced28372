package io.vecml.engine.data;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Deterministic synthetic image datasets shaped like CIFAR-10 (32x32x3) or Fashion-MNIST (28x28x1),
 * with real class structure, for tests and benchmarks when the real data is not at hand.
 *
 * <p>The model (after the project's reference generator {@code gen_cifar_synth.py}): every class has a
 * few smooth random sub-prototypes (so classes are multimodal and the class mean is not the best
 * classifier); an image is {@code base + amp * shift(prototype) + bg * background + nuis * smooth field
 * + tex * fine smooth field + brightness + pixel noise}, rounded and clamped to 0..255, where the
 * background comes from a finite class-independent pool (so near neighbours often share a background,
 * as photos do) and the prototype is shifted by up to one pixel. Smooth fields are Gaussian grids
 * upsampled bilinearly. The parameters put 1-NN (L2) accuracy clearly above chance and well below 100%.
 *
 * <p>Same seed, same bytes: every image draws from its own generator seeded by (seed, split, index),
 * so the result does not depend on the number of threads that generate it.
 */
public final class SyntheticData {

    /** Which real dataset the synthetic one imitates (shape, class names, difficulty). */
    public enum Like {
        /** 32x32x3 channel-planar images, CIFAR-10's class names, written in the CIFAR-10 binary layout. */
        CIFAR10,
        /** 28x28 grey images, Fashion-MNIST's class names, written as IDX files. */
        FASHION
    }

    private static final int CLASSES = 10;
    private static final int CHUNK = 256;

    /**
     * Generator parameters: image size, sub-prototypes per class, their amplitude and grid, the
     * background pool, the nuisance and texture fields, brightness and pixel noise (standard deviations
     * in grey levels), the base level and the largest prototype shift in pixels.
     */
    private record Params(int h, int w, int ch, int modes, float amp, int coarse, int nBg, float bg, float nuis,
            int nuisCoarse, float tex, int texCoarse, float bright, float noise, float base, int shift) {
    }

    // Tuned by measuring at full size (50000 + 10000 / 60000 + 10000, seed 0, 600 test images) with numpy:
    // CIFAR-like 1-NN L2 0.61 (0.43 with 10000 training images, 0.25 with 2000), nearest class mean 0.44;
    // Fashion-like 1-NN 0.84, nearest class mean 0.67 (the real Fashion-MNIST: 0.85 and 0.67).
    // 1-NN needs many images because near neighbours must share a background from the pool, as in CIFAR.
    private static final Params CIFAR = new Params(32, 32, 3, 6, 10f, 6, 150, 45f, 15f, 6, 12f, 16, 10f, 8f, 128f, 1);
    private static final Params FASH = new Params(28, 28, 1, 4, 36f, 5, 60, 30f, 30f, 5, 25f, 14, 15f, 15f, 70f, 1);

    private SyntheticData() {
    }

    /**
     * Generates {@code nTrain} training and {@code nTest} test images with balanced classes (labels
     * {@code i % 10} shuffled by the seed).
     */
    public static LoadedData generate(Like like, int nTrain, int nTest, long seed) {
        if (nTrain < 0 || nTest < 0) {
            throw new IllegalArgumentException("image counts must be >= 0, got " + nTrain + " train, " + nTest + " test");
        }
        Params p = like == Like.CIFAR10 ? CIFAR : FASH;
        Model m = new Model(p, seed);
        Dataset train = m.split(nTrain, 0);
        try {
            Dataset test = m.split(nTest, 1);
            DataFormat f = like == Like.CIFAR10 ? DataFormat.CIFAR10_BINARY : DataFormat.IDX;
            return new LoadedData(f, "synthetic:" + like.name().toLowerCase(java.util.Locale.ROOT) + ":seed=" + seed, train, test);
        } catch (RuntimeException e) {
            train.close();
            throw e;
        }
    }

    /**
     * Writes generated (or any matching) data in the imitated dataset's format and returns the folder:
     * {@code outDir/cifar-10-batches-bin} (CIFAR-10 binary) or {@code outDir/fashion-mnist} (four gzip'd
     * IDX files; the folder name makes {@link IdxReader} give Fashion-MNIST's class names).
     */
    public static Path write(LoadedData data, Like like, Path outDir) throws IOException {
        Path dir = outDir.resolve(folderName(like));
        if (like == Like.CIFAR10) {
            CifarBinaryWriter.writeFolder(data, dir);
        } else {
            IdxWriter.write(data, dir);
        }
        return dir;
    }

    /** The folder inside {@code outDir} that {@link #write} fills. */
    public static String folderName(Like like) {
        return like == Like.CIFAR10 ? CifarBinaryReader.CIFAR10_DIR : "fashion-mnist";
    }

    /** splitmix64's finaliser: decorrelates seeds that differ in a few bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long seedOf(long seed, int split, long index) {
        return mix(mix(seed) + 0x9E3779B97F4A7C15L * (split + 1) + mix(index + 0x632BE59BD9B4E019L));
    }

    /** Bilinear upsampling (corners aligned) from a {@code coarse} grid to {@code fine} pixels, one axis. */
    private record Upsample(int coarse, int fine, int[] lo, int[] hi, float[] w, float globalScale) {
        static Upsample of(int coarse, int fine) {
            int[] lo = new int[fine];
            int[] hi = new int[fine];
            float[] w = new float[fine];
            double[] r = new double[fine];
            for (int i = 0; i < fine; i++) {
                double pos = fine == 1 ? 0 : (double) i * (coarse - 1) / (fine - 1);
                lo[i] = (int) Math.floor(pos);
                hi[i] = Math.min(lo[i] + 1, coarse - 1);
                w[i] = (float) (pos - lo[i]);
                // row i of the interpolation matrix has (1-w) and w: its squared norm
                r[i] = lo[i] == hi[i] ? 1 : (1 - w[i]) * (1 - w[i]) + w[i] * w[i];
            }
            // One factor for all pixels so that the expected variance of an upsampled N(0,1) grid is 1 on average.
            double mean = 0;
            for (double a : r) {
                for (double b : r) {
                    mean += a * b;
                }
            }
            mean /= (double) fine * fine;
            return new Upsample(coarse, fine, lo, hi, w, (float) (1 / Math.sqrt(mean)));
        }

        /** Adds {@code scale x} an upsampled N(0,1) grid to {@code out} (h x w per channel, channel-planar). */
        void addField(SplittableRandom rng, int ch, float scale, float[] out, float[] grid, float[] tmp) {
            int k = coarse;
            int n = fine;
            float s = scale * globalScale;
            for (int c = 0; c < ch; c++) {
                for (int i = 0; i < k * k; i++) {
                    grid[i] = (float) rng.nextGaussian();
                }
                // along x: tmp[a][x] for each coarse row a
                for (int a = 0; a < k; a++) {
                    for (int x = 0; x < n; x++) {
                        tmp[a * n + x] = grid[a * k + lo[x]] * (1 - w[x]) + grid[a * k + hi[x]] * w[x];
                    }
                }
                int base = c * n * n;
                for (int y = 0; y < n; y++) {
                    int l = lo[y] * n;
                    int hh = hi[y] * n;
                    float wy = w[y];
                    for (int x = 0; x < n; x++) {
                        out[base + y * n + x] += s * (tmp[l + x] * (1 - wy) + tmp[hh + x] * wy);
                    }
                }
            }
        }
    }

    /** The class-level parts (prototypes, background pool), fixed by the seed. */
    private static final class Model {
        final Params p;
        final long seed;
        final int dims;
        final float[][] proto;
        final float[][] bgPool;
        final Upsample upProto;
        final Upsample upNuis;
        final Upsample upTex;

        Model(Params p, long seed) {
            if (p.h != p.w) {
                throw new IllegalStateException("square images only");
            }
            this.p = p;
            this.seed = seed;
            this.dims = p.h * p.w * p.ch;
            this.upProto = Upsample.of(p.coarse, p.h);
            this.upNuis = Upsample.of(p.nuisCoarse, p.h);
            this.upTex = Upsample.of(p.texCoarse, p.h);
            SplittableRandom rng = new SplittableRandom(seedOf(seed, -1, 0));
            float[][] common = new float[CLASSES][];
            for (int c = 0; c < CLASSES; c++) {
                common[c] = unitField(rng);
            }
            proto = new float[CLASSES * p.modes][];
            for (int c = 0; c < CLASSES; c++) {
                for (int m = 0; m < p.modes; m++) {
                    float[] spec = unitField(rng);
                    float[] v = new float[dims];
                    for (int i = 0; i < dims; i++) {
                        v[i] = 0.6f * common[c][i] + 0.8f * spec[i];
                    }
                    proto[c * p.modes + m] = v;
                }
            }
            bgPool = new float[p.nBg][];
            int maxK = Math.max(p.coarse, Math.max(p.nuisCoarse, p.texCoarse));
            float[] grid = new float[maxK * maxK];
            float[] tmp = new float[maxK * p.w];
            for (int j = 0; j < p.nBg; j++) {
                float[] v = new float[dims];
                upNuis.addField(rng, p.ch, 1f, v, grid, tmp);
                bgPool[j] = v;
            }
        }

        /** A smooth field rescaled to unit pixel standard deviation (a prototype part). */
        private float[] unitField(SplittableRandom rng) {
            float[] v = new float[dims];
            float[] grid = new float[p.coarse * p.coarse];
            float[] tmp = new float[p.coarse * p.w];
            upProto.addField(rng, p.ch, 1f, v, grid, tmp);
            double sum = 0;
            double sq = 0;
            for (float x : v) {
                sum += x;
                sq += (double) x * x;
            }
            double mean = sum / dims;
            float inv = (float) (1 / Math.sqrt(Math.max(1e-12, sq / dims - mean * mean)));
            for (int i = 0; i < dims; i++) {
                v[i] *= inv;
            }
            return v;
        }

        Dataset split(int n, int split) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % CLASSES;
            }
            SplittableRandom shuffle = new SplittableRandom(seedOf(seed, split, -1));
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = labels[i];
                labels[i] = labels[j];
                labels[j] = t;
            }
            Dataset.Builder b = Dataset.builder(Dataset.Type.UINT8, n, dims);
            try {
                int chunks = (n + CHUNK - 1) / CHUNK;
                IntStream.range(0, chunks).parallel().forEach(k -> {
                    int maxK = Math.max(p.coarse, Math.max(p.nuisCoarse, p.texCoarse));
                    float[] v = new float[dims];
                    float[] grid = new float[maxK * maxK];
                    float[] tmp = new float[maxK * p.w];
                    byte[] row = new byte[dims];
                    MemorySegment heap = MemorySegment.ofArray(row);
                    for (int i = k * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                        image(new SplittableRandom(seedOf(seed, split, i)), labels[i], v, grid, tmp, row);
                        MemorySegment.copy(heap, 0, b.segment(), b.rowByteOffset(i), dims);
                    }
                });
                for (int i = 0; i < n; i++) {
                    b.label(i, labels[i]);
                }
                return b.build(classNames(), shape());
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
        }

        private List<String> classNames() {
            return p.ch == 3 ? CifarBinaryReader.CIFAR10_CLASSES : IdxReader.FASHION_CLASSES;
        }

        private ImageShape shape() {
            return p.ch == 3 ? CifarBinaryReader.SHAPE : ImageShape.grey(p.h, p.w);
        }

        private void image(SplittableRandom rng, int label, float[] v, float[] grid, float[] tmp, byte[] row) {
            int n = p.h;
            float[] pr = proto[label * p.modes + rng.nextInt(p.modes)];
            float[] bg = bgPool[rng.nextInt(p.nBg)];
            int dx = rng.nextInt(2 * p.shift + 1) - p.shift;
            int dy = rng.nextInt(2 * p.shift + 1) - p.shift;
            float level = p.base + (float) rng.nextGaussian() * p.bright;
            for (int c = 0; c < p.ch; c++) {
                int base = c * n * n;
                for (int y = 0; y < n; y++) {
                    int sy = Math.clamp(y + dy, 0, n - 1);
                    for (int x = 0; x < n; x++) {
                        int sx = Math.clamp(x + dx, 0, n - 1);
                        int i = base + y * n + x;
                        v[i] = level + p.amp * pr[base + sy * n + sx] + p.bg * bg[i];
                    }
                }
            }
            upNuis.addField(rng, p.ch, p.nuis, v, grid, tmp);
            upTex.addField(rng, p.ch, p.tex, v, grid, tmp);
            // Pixel noise: a centred sum of four uniform bytes (variance 4 x 5461.25) is close enough to a
            // Gaussian and costs a quarter of a nextLong per pixel, which keeps 60000 CIFAR images at seconds.
            float noiseScale = p.noise / (float) Math.sqrt(4 * (256.0 * 256.0 - 1) / 12);
            long bits = 0;
            for (int i = 0; i < dims; i++) {
                if ((i & 1) == 0) {
                    bits = rng.nextLong();
                }
                int s = (int) (bits & 0xff) + (int) (bits >>> 8 & 0xff) + (int) (bits >>> 16 & 0xff) + (int) (bits >>> 24 & 0xff);
                bits >>>= 32;
                float x = v[i] + (s - 510) * noiseScale;
                row[i] = (byte) Math.clamp(Math.round(x), 0, 255);
            }
        }
    }
}
