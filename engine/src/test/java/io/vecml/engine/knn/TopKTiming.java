package io.vecml.engine.knn;

import java.util.SplittableRandom;

/**
 * Not a test: sorted insertion against the heap in {@link TopK}, ns per offered key, on streams of
 * 60000 random (distance, index) keys (a query against a Fashion-MNIST-sized training set).
 */
public final class TopKTiming {

    private TopKTiming() {
    }

    public static void main(String[] args) {
        SplittableRandom rnd = new SplittableRandom(1);
        long[][] streams = new long[64][60000];
        for (long[] s : streams) {
            for (int j = 0; j < s.length; j++) {
                s[j] = (long) rnd.nextInt(1 << 24) << 31 | j;
            }
        }
        for (int rep = 0; rep < 5; rep++) {
            StringBuilder line = new StringBuilder();
            for (int k : new int[] {1, 5, 10, 32, 48, 64, 128, 1000}) {
                line.append("k=").append(k);
                for (boolean heap : new boolean[] {false, true}) {
                    long t0 = System.nanoTime();
                    long sink = 0;
                    for (long[] s : streams) {
                        TopK top = new TopK(k, heap);
                        for (long key : s) {
                            if (key < top.worst()) {
                                top.offer(key);
                            }
                        }
                        sink += top.worst();
                    }
                    double ns = (System.nanoTime() - t0) / (64.0 * 60000);
                    line.append(heap ? " heap " : " insert ").append(String.format("%.2f", ns)).append(sink == 42 ? "!" : "");
                }
                line.append(" | ");
            }
            System.out.println(line);
        }
    }
}
