package io.vecml.engine.data.random;

/**
 * numpy's legacy random stream, {@code numpy.random.RandomState(seed)}, as far as scikit-learn's
 * splitters draw from it: the MT19937 generator seeded the way numpy seeds it from an integer
 * ({@code mt19937_seed}, Matsumoto and Nishimura's {@code init_genrand}), 32-bit outputs, and the
 * legacy bounded integers ({@code random_interval}: the smallest all-ones mask covering the bound, and
 * rejection of masked draws above it) that {@code shuffle} and {@code permutation} use. Checked
 * against numpy 1.24 by the fixtures under {@code src/test/resources/io/vecml/engine/data/sklearn}.
 * Not thread-safe (like numpy's, one stream per user).
 */
public final class NumpyRandomState {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int pos;

    /** {@code RandomState(seed)} for a seed in 0..2^32-1, as numpy requires. */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("a numpy seed must be between 0 and 2**32 - 1, got " + seed);
        }
        int s = (int) seed;
        for (int i = 0; i < N; i++) {
            mt[i] = s;
            s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
        }
        pos = N;
    }

    private void generate() {
        int i = 0;
        int y;
        for (; i < N - M; i++) {
            y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
            mt[i] = mt[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        for (; i < N - 1; i++) {
            y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
            mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        }
        y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
        pos = 0;
    }

    /** The next 32-bit output, as an unsigned value in a long. */
    public long nextUint32() {
        if (pos == N) {
            generate();
        }
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** {@code random_sample()}: a double in [0, 1) from two outputs (53 bits), as numpy's legacy stream. */
    public double randomSample() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /**
     * numpy's {@code random_interval(max)}: a uniform integer in 0..max (inclusive) by masked rejection
     * (bounds up to 2^31 - 1 here, so always from 32-bit outputs, as numpy does for max <= 0xffffffff).
     */
    public int interval(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("negative bound " + max);
        }
        if (max == 0) {
            return 0;
        }
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        while ((v = nextUint32() & mask) > max) {
            // rejected: draw again, as numpy does
        }
        return (int) v;
    }

    /** {@code shuffle(a)} of a 1-D array in place: for i = n-1 down to 1, swap a[i] with a[interval(i)]. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = interval(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** {@code permutation(n)}: {@code shuffle(arange(n))}. */
    public int[] permutation(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }

    /** {@code permutation(a)} of an array: a shuffled copy (the same draws as {@code permutation(a.length)}). */
    public int[] permutation(int[] a) {
        int[] c = a.clone();
        shuffle(c);
        return c;
    }

    /** {@code choice(n, size, replace=False)} without probabilities: {@code permutation(n)[:size]}. */
    public int[] choiceWithoutReplacement(int n, int size) {
        if (size < 0 || size > n) {
            throw new IllegalArgumentException("cannot take " + size + " of " + n + " without replacement");
        }
        return java.util.Arrays.copyOf(permutation(n), size);
    }
}
