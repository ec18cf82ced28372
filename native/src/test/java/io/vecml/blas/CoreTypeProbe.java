package io.vecml.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Run in a child JVM by {@link CoreTypeForkTest}: loads OpenBLAS as vecml does and prints core, origin,
 * config and the largest relative error of an sgemm with the chosen kernels against a double reference
 * (odd sizes, both transpositions of B, several threads), tab-separated.
 */
public final class CoreTypeProbe {

    private CoreTypeProbe() {
    }

    public static void main(String[] args) {
        OpenBlasLoader.Result r = OpenBlasLoader.load();
        if (r.blas().isEmpty()) {
            System.out.println("NOT LOADED\t" + r.summary());
            return;
        }
        OpenBlas b = r.blas().get();
        System.out.println(b.coreName() + "\t" + b.coreOrigin() + "\t" + b.config() + "\t" + sgemmError(b));
    }

    /** max |C - ref| / (k * max|a| * max|b|) over sgemm calls of odd shapes. */
    static double sgemmError(OpenBlas b) {
        Random rnd = new Random(5);
        double worst = 0;
        int[][] shapes = {{67, 53, 129}, {256, 301, 784}, {1, 97, 33}};
        try (Arena arena = Arena.ofConfined()) {
            for (int[] s : shapes) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (int threads : new int[] {1, 2}) {
                        int m = s[0], n = s[1], k = s[2];
                        float[] a = new float[m * k];
                        float[] bb = new float[k * n];
                        for (int i = 0; i < a.length; i++) {
                            a[i] = (float) rnd.nextGaussian();
                        }
                        for (int i = 0; i < bb.length; i++) {
                            bb[i] = (float) rnd.nextGaussian();
                        }
                        MemorySegment sa = arena.allocateFrom(ValueLayout.JAVA_FLOAT, a);
                        MemorySegment sb = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bb);
                        MemorySegment sc = arena.allocate((long) m * n * Float.BYTES, 64);
                        b.setNumThreads(threads);
                        b.sgemm(Layout.ROW_MAJOR, false, tb, m, n, k, 1f, sa, 0, k, sb, 0, tb ? k : n, 0f, sc, 0, n);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double want = 0;
                                for (int p = 0; p < k; p++) {
                                    want += (double) a[i * k + p] * (tb ? bb[j * k + p] : bb[p * n + j]);
                                }
                                double got = sc.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * n + j);
                                worst = Math.max(worst, Math.abs(got - want) / Math.sqrt(k));
                            }
                        }
                    }
                }
            }
        }
        return worst;
    }
}
